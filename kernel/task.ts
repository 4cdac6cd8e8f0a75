/**
 * A task: Linux include/linux/sched.h struct task_struct, the per-thread
 * part (registers through its Cpu, signal mask, tid) apart from what threads
 * share (the mm, the fd table, fs_struct, signal handlers), as in Blink's
 * System/Machine split.
 */

import type { Cpu } from '../emulator/engine.js';
import type { FilesStruct } from './fs/fdtable.js';
import type { File } from './fs/file.js';
import type { Cred, FsStruct } from './fs/namei.js';
import type { MmStruct } from './mm/mm_struct.js';
import type { SigHand } from './signal.js';

/** What a task is doing, for the scheduler. */
export type TaskState = 'runnable' | 'sleeping' | 'zombie' | 'dead';

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

/** The status a shell reports: the exit code, or 128 + the signal. */
export function shellStatus(s: ExitStatus): number {
  return s.signal ? 128 + s.signal : s.code & 0xff;
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
  /** Signals pending for this thread, bit (sig - 1). */
  pending = 0n;
  /** Linux task->set_child_tid / clear_child_tid (set_tid_address). */
  clear_child_tid = 0;
  robust_list = 0;
  rseq = 0;
  exitStatus: ExitStatus | null = null;
  /** Called when the task becomes a zombie. */
  readonly onExit: Array<(s: ExitStatus) => void> = [];
  /** What a sleeping task waits for; calling it makes the task runnable. */
  wake: (() => void) | null = null;
  /** Linux task->in_execve and friends, for tracing. */
  in_execve = false;
  /** Linux current->sas_ss_sp / sas_ss_size: the alternate signal stack (sigaltstack). */
  sas_ss_sp = 0;
  sas_ss_size = 0;
  /** Linux RLIMIT_STACK soft limit, snapshotted by exec into bprm->rlim_stack. */
  rlimStack = 8 * 1024 * 1024;

  constructor(
    readonly pid: number,
    public tgid: number,
    public files: FilesStruct,
    public fs: FsStruct,
    public cred: Cred,
    public sighand: SigHand,
    public parent: Task | null,
  ) {}
}
