/**
 * A task: Linux include/linux/sched.h struct task_struct, the per-thread
 * part (registers through its Cpu, signal mask, tid, its sleep) apart from
 * what a thread group shares (struct signal_struct: shared pending signals,
 * the group exit, job control, process group and session, rlimits) and what
 * clone() may share (the mm, the fd table, fs_struct, the signal handlers),
 * as in Blink's System/Machine split.
 */

import type { Cpu } from '../emulator/engine.js';
import type { FilesStruct } from './fs/fdtable.js';
import type { File } from './fs/file.js';
import type { Cred, FsStruct } from './fs/namei.js';
import type { Kernel } from './kernel.js';
import type { MmStruct } from './mm/mm_struct.js';
import type { SigHand, SigPending } from './signal.js';
import { newSigPending } from './signal.js';
import { SyscallArgs } from './syscalls/types.js';
import { WaitQueueHead, type WaitQueueEntry } from './wait.js';

/**
 * What a task is doing, for the scheduler: Linux TASK_RUNNING, the two
 * sleeps (TASK_INTERRUPTIBLE wakes for any signal, TASK_KILLABLE only for a
 * fatal one), TASK_STOPPED, then EXIT_ZOMBIE and EXIT_DEAD.
 */
export type TaskState = 'runnable' | 'sleeping' | 'stopped' | 'zombie' | 'dead';

/**
 * How a task ended, as wait4 encodes it (Linux kernel/exit.c): an exit code
 * in bits 8-15, or the killing signal in bits 0-6 with 0x80 for a core dump.
 */
export interface ExitStatus {
  code: number;
  signal: number;
  core: boolean;
}

export function waitStatusWord(s: ExitStatus): number {
  return s.signal ? (s.signal | (s.core ? 0x80 : 0)) : (s.code & 0xff) << 8;
}

/** The ExitStatus a wait status word (Linux task->exit_code) stands for. */
export function exitStatusOf(word: number): ExitStatus {
  return (word & 0x7f) ? { code: 0, signal: word & 0x7f, core: (word & 0x80) !== 0 } : { code: (word >> 8) & 0xff, signal: 0, core: false };
}

/** The status a shell reports: the exit code, or 128 + the signal. */
export function shellStatus(s: ExitStatus): number {
  return s.signal ? 128 + s.signal : s.code & 0xff;
}

/** Linux include/uapi/asm-generic/resource.h: RLIM_INFINITY. */
export const RLIM_INFINITY = 0xffff_ffff_ffff_ffffn;

/**
 * Linux include/asm-generic/resource.h INIT_RLIMITS: what init starts with
 * (the core limit's soft value 0 is why a crash reports no core dump).
 */
function initRlimits(): Array<[bigint, bigint]> {
  const r: Array<[bigint, bigint]> = Array.from({ length: 16 }, () => [RLIM_INFINITY, RLIM_INFINITY]);
  r[3] = [8n * 1024n * 1024n, RLIM_INFINITY]; // RLIMIT_STACK: _STK_LIM
  r[4] = [0n, RLIM_INFINITY]; // RLIMIT_CORE
  r[7] = [1024n, 4096n]; // RLIMIT_NOFILE: INR_OPEN_CUR, INR_OPEN_MAX
  r[8] = [8n * 1024n * 1024n, 8n * 1024n * 1024n]; // RLIMIT_MEMLOCK (5.16+)
  r[11] = [0n, 0n]; // RLIMIT_SIGPENDING: set from max_threads at boot
  r[12] = [819200n, 819200n]; // RLIMIT_MSGQUEUE: MQ_BYTES_MAX
  r[13] = [0n, 0n]; // RLIMIT_NICE
  r[14] = [0n, 0n]; // RLIMIT_RTPRIO
  return r;
}

/** Linux include/linux/sched/signal.h SIGNAL_* flags kept here. */
export const SIGNAL_STOP_STOPPED = 0x1;
export const SIGNAL_STOP_CONTINUED = 0x2;
export const SIGNAL_GROUP_EXIT = 0x4;

/** Linux struct signal_struct: what the threads of one process share. */
export class SignalStruct {
  /** Signals sent to the process as a whole (kill), Linux shared_pending. */
  shared_pending: SigPending = newSigPending();
  /** The live threads of the group, leader first. */
  readonly threads = new Set<Task>();
  /** Linux signal->wait_chldexit: where wait4 sleeps until a child changes state. */
  readonly wait_chldexit = new WaitQueueHead();
  flags = 0;
  /** The status every thread exits with once the group exits (exit_group, a fatal signal). */
  group_exit_code = 0;
  /** The stop signal of the current group stop (Linux group_exit_code while stopped). */
  stop_code = 0;
  /** wait(WUNTRACED) has reported this stop (Linux clears exit_code when it consumes it). */
  stop_reported = false;
  /** Linux signal->leader: this process is a session leader (setsid). */
  leader = false;
  pgrp: number;
  session: number;
  rlim: Array<[bigint, bigint]>;
  /** CPU time of reaped children, for getrusage(RUSAGE_CHILDREN) and times() (Linux cutime). */
  cutime_ms = 0;
  /** prctl(PR_SET_CHILD_SUBREAPER): orphans below this process come here rather than to pid 1. */
  is_child_subreaper = false;
  /** Nice value for getpriority/setpriority (kemu's scheduler does not weigh it). */
  nice = 0;
  /** Set once the leader exec'd (setpgid on it gives EACCES), Linux did_exec in the leader. */
  did_exec = false;

  constructor(pgrp: number, session: number, rlim?: Array<[bigint, bigint]>) {
    this.pgrp = pgrp;
    this.session = session;
    this.rlim = rlim ? rlim.map(([a, b]) => [a, b] as [bigint, bigint]) : initRlimits();
  }
}

/** A syscall that slept and will run again (Linux's -ERESTART* and current->restart_block). */
export interface RestartBlock {
  /** The syscall number it belongs to. */
  nr: number;
  /** Which -ERESTART* code it returned: how a signal handler ends it (arch/x86/kernel/signal.c handle_signal). */
  code: number;
  /** Bytes already done by a write that slept half-way: a signal then returns this count. */
  progress: number;
  /** Absolute deadline (ms on ktime_get_ms()) of a sleep with a timeout, kept across restarts. */
  deadline?: number;
  /** A result that is final already (a write that moved bytes, a futex that was woken): a signal returns it. */
  result?: number;
  /** Whatever else the syscall keeps across its restarts. */
  data?: unknown;
  /** Undo what the sleep left behind (a futex waiter) when the syscall is abandoned. */
  cleanup?: () => void;
}

export class Task {
  state: TaskState = 'runnable';
  /** Linux task->comm: the basename of what was exec'd, at most 15 bytes. */
  comm = '';
  cpu: Cpu | null = null;
  mm: MmStruct | null = null;
  /** Linux mm->exe_file: what /proc/self/exe names. */
  exe_file: File | null = null;
  exe_path = '';
  /** Linux task->personality (ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, ...). */
  personality = 0;
  /** Linux current->blocked: the signal mask, bit (sig - 1). */
  blocked = 0n;
  /** Signals sent to this thread (tkill, faults), Linux task->pending. */
  pending: SigPending = newSigPending();
  /** rt_sigsuspend, ppoll, pselect6: the mask to put back once a handler frame holds it (Linux saved_sigmask). */
  saved_sigmask = 0n;
  restore_sigmask = false;
  /** Linux task->set_child_tid / clear_child_tid (set_tid_address, CLONE_CHILD_*). */
  set_child_tid = 0;
  clear_child_tid = 0;
  robust_list = 0;
  rseq = 0;
  /** Set when the whole process ended (exit_group, a signal); what wait and the host see. */
  exitStatus: ExitStatus | null = null;
  /** Linux task->exit_code: this thread's wait status word. */
  exit_code = 0;
  /** Linux PF_EXITING. */
  exiting = false;
  /** Linux task->exit_signal: sent to the parent when this child ends; -1 for threads. */
  exit_signal = 17;
  /** Called with the process's status when it has ended (the leader, once the group is empty). */
  readonly onExit: Array<(s: ExitStatus) => void> = [];
  /** Linux task->children: the group leaders this thread forked. */
  readonly children = new Set<Task>();
  group_leader: Task = this;
  /** Linux task->in_execve and friends, for tracing. */
  in_execve = false;
  /** Linux current->sas_ss_sp / sas_ss_size / sas_ss_flags: the alternate signal stack. */
  sas_ss_sp = 0;
  sas_ss_size = 0;
  sas_ss_flags = 0;
  /** The argument registers of the syscall in progress, read at entry (Linux keeps them in task_pt_regs()). */
  readonly syscall_args = new SyscallArgs();
  /** The syscall that slept and runs again when woken; null when none is in progress. */
  restart_block: RestartBlock | null = null;
  /** Linux vfork_done: the parent waiting for this vfork child to exec or exit. */
  vfork_done: (() => void) | null = null;
  /** Scheduler bookkeeping: queued to run; the wait queues and timer of the current sleep. */
  on_rq = false;
  killable_only = false;
  /** The syscall already wrote its result and the task sleeps past its return (vfork's parent). */
  sleep_past_return = false;
  readonly sleep_entries: WaitQueueEntry[] = [];
  sleep_timer: ReturnType<typeof setTimeout> | null = null;
  /** rt_sigtimedwait: blocked signals that still wake this sleeping thread (Linux's real_blocked trick). */
  sigwait_set = 0n;
  /** Job control: this thread stopped for the group stop in signal.stop_code. */
  jobctl_stop_pending = false;
  /** prctl(PR_SET_PDEATHSIG): the signal this task gets when its parent thread exits. */
  pdeath_signal = 0;
  /** prctl(PR_SET_DUMPABLE) (Linux keeps it in the mm). */
  dumpable = 1;
  /** prctl(PR_SET_NO_NEW_PRIVS): inherited, never cleared. */
  no_new_privs = false;
  /** Guest instructions retired, an estimate for utime. */
  utime_ms = 0;

  constructor(
    readonly kernel: Kernel,
    public pid: number,
    public tgid: number,
    public files: FilesStruct,
    public fs: FsStruct,
    public cred: Cred,
    public sighand: SigHand,
    public parent: Task | null,
    public signal: SignalStruct,
  ) {}

  /** Linux RLIMIT_STACK soft limit, snapshotted by exec into bprm->rlim_stack. */
  get rlimStack(): number {
    const v = this.signal.rlim[3]![0];
    return v >= BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  }
  set rlimStack(n: number) {
    this.signal.rlim[3]![0] = n >= Number.MAX_SAFE_INTEGER ? RLIM_INFINITY : BigInt(n);
  }

  /** Linux thread_group_leader(). */
  get isLeader(): boolean { return this.group_leader === this; }

  /** Alive in the scheduler's sense: not yet a zombie. */
  get alive(): boolean { return this.state !== 'zombie' && this.state !== 'dead'; }
}
