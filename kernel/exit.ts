/**
 * Task exit: Linux kernel/exit.c do_exit / do_group_exit. A task that ends
 * for any reason releases everything it held: its address space, its CPU,
 * its files. What remains is the zombie's exit status until it is reaped.
 */

import type { Kernel } from './kernel.js';
import type { ExitStatus, Task } from './task.js';

/** Linux do_exit for one task. */
export function do_exit(k: Kernel, t: Task, status: ExitStatus): void {
  if (t.state === 'zombie' || t.state === 'dead') return;
  if (t.mm && t.cpu) t.mm.detachCpu(t.cpu);
  t.cpu?.dispose();
  t.cpu = null;
  t.mm?.release();
  t.mm = null;
  t.files.closeAll();
  t.exitStatus = status;
  t.state = 'zombie';
  t.wake = null;
  k.tracer.emit('exit', { task: t, pid: t.pid, ...status });
  for (const cb of t.onExit.splice(0)) cb(status);
  // Nobody is left to reap a task without a parent here: release it at once
  // (Linux: children of the kernel's kthreadd are reaped automatically).
  if (!t.parent) { t.state = 'dead'; k.tasks.delete(t.pid); }
}

/** Linux do_group_exit: every thread of the group ends with the same status. */
export function do_group_exit(k: Kernel, t: Task, status: ExitStatus): void {
  for (const other of [...k.tasks.values()]) {
    if (other.tgid === t.tgid && other !== t) do_exit(k, other, status);
  }
  do_exit(k, t, status);
}
