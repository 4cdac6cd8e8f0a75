/**
 * Making tasks: Linux kernel/fork.c copy_process and kernel_clone
 * (_do_fork in 4.18), mm_release; and fs/exec.c de_thread, the part of
 * exec that ends the other threads.
 *
 * A child gets its own CPU with the parent's registers (RAX 0), and shares
 * or copies each part of the parent as the clone flags say: the address
 * space (CLONE_VM shares, else dup_mmap copies), the fd table
 * (CLONE_FILES), fs_struct (CLONE_FS), the handlers (CLONE_SIGHAND), the
 * thread group (CLONE_THREAD).
 */

import { EAGAIN, EINVAL } from '../abi/errno.js';
import {
  CLONE_CHILD_CLEARTID, CLONE_CHILD_SETTID, CLONE_CLEAR_SIGHAND, CLONE_FILES, CLONE_FS, CLONE_NEWCGROUP, CLONE_NEWIPC,
  CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWTIME, CLONE_NEWUSER, CLONE_NEWUTS, CLONE_PARENT,
  CLONE_PARENT_SETTID, CLONE_PIDFD, CLONE_SETTLS, CLONE_SIGHAND, CLONE_THREAD, CLONE_VFORK, CLONE_VM,
} from '../abi/process.js';
import { SIGCHLD, SIGKILL } from '../abi/signal.js';
import { FS_BASE, RAX, RSP } from '../emulator/regs.js';
import { get_file } from './fs/file.js';
import { exit_robust_list, futex_wake } from './futex.js';
import type { Kernel } from './kernel.js';
import type { MmStruct } from './mm/mm_struct.js';
import { put_user_u32 } from './mm/uaccess.js';
import { flush_signal_handlers } from './signal.js';
import { SignalStruct, Task } from './task.js';
import { sleep_on, WaitQueueHead } from './wait.js';
import { do_exit } from './exit.js';

/** Linux struct kernel_clone_args. */
export interface KernelCloneArgs {
  flags: bigint;
  exit_signal: number;
  /** The child's stack pointer (0: the parent's). */
  stack: number;
  tls: bigint;
  parent_tid: number;
  child_tid: number;
}

const B = (x: number): bigint => BigInt(x >>> 0);
const NAMESPACES = B(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
  CLONE_NEWCGROUP | CLONE_NEWTIME);

/** Linux copy_process()'s flag checks, in its order; 0 when the flags are acceptable. */
function check_clone_flags(k: Kernel, f: bigint): number {
  const has = (x: number | bigint): boolean => (f & (typeof x === 'bigint' ? x : B(x))) !== 0n;
  if (has(CLONE_NEWNS) && has(CLONE_FS)) return -EINVAL;
  if (has(CLONE_NEWUSER) && has(CLONE_FS)) return -EINVAL;
  if (has(CLONE_THREAD) && !has(CLONE_SIGHAND)) return -EINVAL;
  if (has(CLONE_SIGHAND) && !has(CLONE_VM)) return -EINVAL;
  if (has(CLONE_CLEAR_SIGHAND) && has(CLONE_SIGHAND)) return -EINVAL;
  // kemu has one namespace of each kind and no pidfds: refuse rather than pretend.
  if ((f & NAMESPACES) !== 0n || has(CLONE_PIDFD)) {
    k.log('clone: namespaces and CLONE_PIDFD are not implemented; returned -EINVAL');
    return -EINVAL;
  }
  return 0;
}

/**
 * Linux copy_process(): the new task, not yet running, or -errno
 * (EINVAL for bad flags, EAGAIN past the task limit). The child's CPU
 * starts from the parent's registers with RAX 0.
 */
export function copy_process(k: Kernel, cur: Task, args: KernelCloneArgs): Task | number {
  const f = args.flags;
  const has = (x: number | bigint): boolean => (f & (typeof x === 'bigint' ? x : B(x))) !== 0n;
  const bad = check_clone_flags(k, f);
  if (bad) return bad;
  // Linux kernel/fork.c: nr_threads >= max_threads -> EAGAIN.
  if (k.tasks.size >= k.maxTasks) return -EAGAIN;
  if (!cur.mm || !cur.cpu) return -EINVAL;

  const pid = k.alloc_pid();
  const thread = has(CLONE_THREAD);
  const signal = thread ? cur.signal : new SignalStruct(cur.signal.pgrp, cur.signal.session, cur.signal.rlim);
  const parent = has(CLONE_PARENT) || thread ? cur.parent : cur;
  const sighand = has(CLONE_SIGHAND) ? cur.sighand : cur.sighand.clone();
  if (has(CLONE_CLEAR_SIGHAND)) flush_signal_handlers(sighand, false);
  const files = has(CLONE_FILES) ? cur.files : cur.files.dup();
  const fs = has(CLONE_FS) ? cur.fs : { ...cur.fs };
  const p = new Task(k, pid, thread ? cur.tgid : pid, files, fs, { ...cur.cred }, sighand, parent, signal);
  if (thread) p.group_leader = cur.group_leader;
  p.exit_signal = thread ? -1 : has(CLONE_PARENT) ? cur.group_leader.exit_signal : args.exit_signal;

  const mm: MmStruct = has(CLONE_VM) ? cur.mm.mmget() : cur.mm.dup_mmap();
  const cpu = k.engine.createCpu();
  const state = cur.cpu.getState();
  state.regs[RAX] = 0n;
  if (args.stack) state.regs[RSP] = BigInt(args.stack);
  if (has(CLONE_SETTLS)) state.regs[FS_BASE] = args.tls;
  cpu.setState(state);
  mm.attachCpu(cpu);
  p.mm = mm;
  p.cpu = cpu;

  p.comm = cur.comm;
  p.personality = cur.personality;
  p.no_new_privs = cur.no_new_privs;
  p.dumpable = cur.dumpable;
  if (thread) p.signal.is_child_subreaper = cur.signal.is_child_subreaper;
  p.blocked = cur.blocked;
  if (cur.exe_file) {
    p.exe_file = get_file(cur.exe_file);
    p.exe_file.f_inode.i_writecount--; // the running image stays write-denied
    p.exe_path = cur.exe_path;
  }
  // Linux copy_process: a child sharing the VM but not vfork'd loses the alternate stack.
  if (!(has(CLONE_VM) && !has(CLONE_VFORK))) {
    p.sas_ss_sp = cur.sas_ss_sp;
    p.sas_ss_size = cur.sas_ss_size;
    p.sas_ss_flags = cur.sas_ss_flags;
  }
  p.rseq = has(CLONE_VM) ? 0 : cur.rseq; // Linux rseq_fork()
  p.set_child_tid = has(CLONE_CHILD_SETTID) ? args.child_tid : 0;
  p.clear_child_tid = has(CLONE_CHILD_CLEARTID) ? args.child_tid : 0;

  k.tasks.set(pid, p);
  signal.threads.add(p);
  if (!thread) parent?.children.add(p);
  if (has(CLONE_PARENT_SETTID)) put_user_u32(cur.mm, args.parent_tid, pid);
  // Linux schedule_tail(): the child writes its tid where CLONE_CHILD_SETTID asked, in its own mm.
  if (p.set_child_tid) put_user_u32(mm, p.set_child_tid, pid);
  k.tracer.emit('sched', { event: 'fork', parent: cur.pid, pid, flags: f });
  return p;
}

/**
 * Linux kernel_clone() (4.18 _do_fork): copy_process, start the child, and
 * for CLONE_VFORK put the parent to sleep (killable only) until the child
 * execs or exits. Returns the child's pid or -errno.
 */
export function kernel_clone(k: Kernel, cur: Task, args: KernelCloneArgs): number {
  const p = copy_process(k, cur, args);
  if (typeof p === 'number') return p;
  if (args.flags & B(CLONE_VFORK)) {
    const done = new WaitQueueHead();
    p.vfork_done = () => done.wake_up();
    sleep_on(cur, [done], { killable: true });
    cur.sleep_past_return = true;
  }
  k.wake_up_new_task(p);
  return p.pid;
}

/** fork(): kernel_clone with SIGCHLD and nothing shared. */
export function do_fork(k: Kernel, cur: Task): number {
  return kernel_clone(k, cur, { flags: 0n, exit_signal: SIGCHLD, stack: 0, tls: 0n, parent_tid: 0, child_tid: 0 });
}

/**
 * Linux kernel/fork.c mm_release(): a task lets go of its address space
 * (exit, or exec replacing it). The CLONE_CHILD_CLEARTID word is zeroed
 * and one futex waiter woken (how pthread_join learns a thread ended) if
 * others still use the mm; a vfork parent waiting for this child wakes.
 */
export function mm_release(_k: Kernel, t: Task, mm: MmStruct | null): void {
  exit_robust_list(t); // Linux futex_exit_release(), just before mm_release()
  if (t.clear_child_tid && mm) {
    if (mm.users > 1) {
      put_user_u32(mm, t.clear_child_tid, 0);
      futex_wake(mm, t.clear_child_tid, 1);
    }
    t.clear_child_tid = 0;
  }
  const done = t.vfork_done;
  t.vfork_done = null;
  done?.();
}

/**
 * Linux fs/exec.c de_thread(): before exec replaces the image, every other
 * thread of the group is killed; an exec from a thread that is not the
 * leader takes over the leader's pid. The handlers and the fd table stop
 * being shared (Linux unshare_files() happens at exec's start; nothing can
 * see the difference before this point).
 * Also marks the process as having exec'd (setpgid's EACCES, Linux
 * PF_FORKNOEXEC cleared by flush_old_exec).
 */
export function de_thread(k: Kernel, t: Task): number {
  const leader = t.group_leader;
  for (const other of [...t.signal.threads]) if (other !== t) do_exit(k, other, SIGKILL);
  if (leader !== t) {
    // The leader is a zombie now (its process is still alive in t): t becomes the leader.
    const oldPid = t.pid;
    k.tasks.delete(oldPid);
    t.pid = leader.pid;
    k.tasks.set(t.pid, t);
    leader.state = 'dead';
    t.parent = leader.parent;
    t.exit_signal = leader.exit_signal;
    leader.parent?.children.delete(leader);
    t.parent?.children.add(t);
    for (const cb of leader.onExit.splice(0)) t.onExit.push(cb);
    t.group_leader = t;
  }
  t.exit_signal = SIGCHLD;
  for (const o of k.tasks.values()) {
    if (o !== t && o.sighand === t.sighand && o.alive) { t.sighand = t.sighand.clone(); break; }
  }
  // Linux do_execveat_common() unshare_files(): close-on-exec must not close another process's fds.
  for (const o of k.tasks.values()) {
    if (o !== t && o.files === t.files && o.alive && !o.exiting) { t.files = t.files.dup(); break; }
  }
  t.signal.did_exec = true;
  return 0;
}
