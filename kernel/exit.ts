/**
 * Task exit: Linux kernel/exit.c do_exit, do_group_exit, exit_notify,
 * forget_original_parent, release_task. A task that ends for any reason
 * (exit, exit_group, a fatal signal, the OOM killer) releases everything it
 * held: its CPU, its share of the address space, of the fd table, its
 * executable. What remains is the zombie's exit code until it is reaped.
 */

import { SI_USER, SIGCHLD, SIGKILL } from '../abi/signal.js';
import { fput } from './fs/file.js';
import { mm_release } from './fork.js';
import type { Kernel } from './kernel.js';
import { do_notify_parent, kill_info, send_signal_info } from './signal_deliver.js';
import { cancel_real_timer } from './syscalls/sys_sched.js';
import { exitStatusOf, SIGNAL_GROUP_EXIT, type Task } from './task.js';
import { finish_wait } from './wait.js';

/**
 * Linux do_exit(): `code` is the wait status word (exit code << 8, or the
 * signal). Releases what the task holds, tells the parent, and leaves a
 * zombie (or nothing, for threads and autoreaped children).
 */
export function do_exit(k: Kernel, t: Task, code: number): void {
  if (t.exiting) return;
  t.exiting = true;
  if (t.state === 'sleeping') finish_wait(t);
  // A call abandoned mid-sleep gives back what it held (a futex waiter, a FIFO end waiting for its partner).
  const rb = t.restart_block;
  t.restart_block = null;
  rb?.cleanup?.();
  exit_mm(k, t);
  exit_files(k, t);
  if (t.exe_file) {
    t.exe_file.f_inode.i_writecount++; // allow_write_access
    fput(t.exe_file);
    t.exe_file = null;
  }
  t.exit_code = code;
  t.signal.threads.delete(t);
  if (t.signal.threads.size === 0) cancel_real_timer(t.signal);
  k.tracer.emit('exit', { task: t, pid: t.pid, ...exitStatusOf(code) });
  exit_notify(k, t);
  k.kick(); // an idle scheduler re-counts the living (host code may have killed the last one)
}

/**
 * Linux do_group_exit(): the whole thread group ends with `code`; the
 * other threads are killed first (zap_other_threads), then the caller.
 */
export function do_group_exit(k: Kernel, t: Task, code: number): void {
  const sig = t.signal;
  if (!(sig.flags & SIGNAL_GROUP_EXIT)) {
    sig.flags |= SIGNAL_GROUP_EXIT;
    sig.group_exit_code = code;
  }
  code = sig.group_exit_code;
  for (const other of [...sig.threads]) if (other !== t) do_exit(k, other, code);
  do_exit(k, t, code);
}

/** Linux exit_mm(): drop the CPU and this task's reference to the address space. */
function exit_mm(k: Kernel, t: Task): void {
  const mm = t.mm;
  mm_release(k, t, mm);
  if (mm && t.cpu) mm.detachCpu(t.cpu);
  t.cpu?.dispose();
  t.cpu = null;
  t.mm = null;
  mm?.release();
}

/** Linux exit_files(): the last task using an fd table closes it. */
function exit_files(k: Kernel, t: Task): void {
  for (const o of k.tasks.values()) if (o !== t && !o.exiting && o.files === t.files) return;
  t.files.closeAll();
}

/**
 * Linux find_new_reaper(): orphans go to another live thread of the dying
 * task's process, else to pid 1 (the guest's init), else nobody (they are
 * reaped as they exit, like children of a kernel thread).
 */
function find_new_reaper(k: Kernel, father: Task): Task | null {
  for (const th of father.signal.threads) if (th !== father && !th.exiting) return th;
  // prctl(PR_SET_CHILD_SUBREAPER): the nearest ancestor that asked takes them.
  for (let a = father.parent; a; a = a.parent) {
    if (!a.signal.is_child_subreaper) continue;
    for (const th of a.signal.threads) if (!th.exiting) return th;
  }
  const init = k.tasks.get(1);
  if (init && !init.exiting && init.signal !== father.signal) {
    for (const th of init.signal.threads) if (!th.exiting) return th;
  }
  return null;
}

/** Linux forget_original_parent() + reparent_leader(): hand the children to their new parent. */
function forget_original_parent(k: Kernel, father: Task): void {
  if (father.children.size === 0) return;
  const reaper = find_new_reaper(k, father);
  for (const p of [...father.children]) {
    father.children.delete(p);
    p.parent = reaper;
    // Linux: an orphan's threads follow it; its exit_signal becomes SIGCHLD.
    for (const th of p.signal.threads) th.parent = reaper;
    p.exit_signal = SIGCHLD;
    if (reaper) reaper.children.add(p);
    // prctl(PR_SET_PDEATHSIG): the child hears of its parent's death.
    for (const th of p.signal.threads) {
      if (th.pdeath_signal) send_signal_info(k, th.pdeath_signal, kill_info(th.pdeath_signal, null, SI_USER), p, 'process');
    }
    if (p.state === 'zombie' && p.signal.threads.size === 0) {
      if (!reaper || do_notify_parent(k, p, p.exit_signal)) release_task(k, p);
    }
  }
}

/**
 * Linux exit_notify(): orphans find a new parent; a process's last thread
 * tells the parent (SIGCHLD, wait wakes up) or is reaped at once when
 * nobody will wait for it; a thread that is not the leader reaps itself.
 */
function exit_notify(k: Kernel, t: Task): void {
  forget_original_parent(k, t);
  t.state = 'zombie';
  let autoreap: boolean;
  if (t.isLeader) {
    // Linux delay_group_leader(): a leader with live threads stays a zombie, unreported.
    autoreap = t.signal.threads.size === 0 ? notifyProcessEnd(k, t) : false;
  } else {
    autoreap = true;
  }
  if (autoreap) release_task(k, t);
}

/** The leader's process has ended: host callbacks, then the parent (true: reap it now). */
function notifyProcessEnd(k: Kernel, leader: Task): boolean {
  const status = exitStatusOf(leader.signal.flags & SIGNAL_GROUP_EXIT ? leader.signal.group_exit_code : leader.exit_code);
  leader.exitStatus = status;
  for (const cb of leader.onExit.splice(0)) cb(status);
  if (!leader.parent) return true;
  return do_notify_parent(k, leader, leader.exit_signal);
}

/**
 * Linux release_task(): the task is gone for good. When the last thread
 * of a process whose leader is already a zombie goes, the leader's end is
 * reported now (the delayed notification of exit_notify).
 */
export function release_task(k: Kernel, t: Task): void {
  t.state = 'dead';
  if (k.tasks.get(t.pid) === t) k.tasks.delete(t.pid);
  t.parent?.children.delete(t);
  const leader = t.group_leader;
  if (leader !== t && leader.state === 'zombie' && leader.signal.threads.size === 0 && !leader.exitStatus) {
    if (notifyProcessEnd(k, leader)) release_task(k, leader);
  }
}

/**
 * Kill every task (Linux zap_pid_ns_processes when the namespace's init
 * exits): what `kemu run` does once its program has ended, and what a
 * library user calls to shut a kernel down. Resolves when nothing runs.
 */
export async function kill_all_tasks(k: Kernel): Promise<void> {
  for (const t of [...k.tasks.values()]) {
    if (t.alive && t.isLeader) do_group_exit(k, t, SIGKILL);
  }
  for (const t of [...k.tasks.values()]) if (t.alive) do_exit(k, t, SIGKILL);
  await k.run();
}
