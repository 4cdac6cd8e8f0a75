/**
 * Kernel code talking to tasks: what a kernel module calls from its own
 * context, not from a guest's syscall. kernel_read / kernel_write are the
 * kernel's (kernel/pipe/kernel_io.ts) with the umh tracepoints added: the
 * module noticing EOF or EPIPE, that is its helper gone. Here too:
 * kernel/signal.c force_sig / kill_pid, and the wait a module does for a
 * task's end (5.9+ wait_event(tgid->wait_pidfd, thread_group_exited)).
 */

import { EPIPE, ESRCH } from '../abi/errno.js';
import { SI_KERNEL } from '../abi/signal.js';
import type { File } from '../kernel/fs/file.js';
import type { Kernel } from '../kernel/kernel.js';
import * as kio from '../kernel/pipe/kernel_io.js';
import { ensure_scheduler } from '../kernel/pipe/kernel_io.js';
import { PipeFile } from '../kernel/pipe/pipe.js';
import { send_signal_info } from '../kernel/signal_deliver.js';
import type { ExitStatus, Task } from '../kernel/task.js';
import { umh_trace } from './trace.js';

export { ensure_scheduler, in_kernel_context } from '../kernel/pipe/kernel_io.js';

/** kernel/pipe/kernel_io.ts kernel_read, with the 'eof' tracepoint when a pipe's writer is gone. */
export async function kernel_read(k: Kernel, file: File, buf: Uint8Array, pos = 0): Promise<number> {
  const r = await kio.kernel_read(k, file, buf, pos);
  if (r === 0 && buf.length > 0 && file instanceof PipeFile) umh_trace(k, 'eof', { pipe: file.f_path });
  return r;
}

/** kernel/pipe/kernel_io.ts kernel_write, with the 'epipe' tracepoint when a pipe's reader is gone. */
export async function kernel_write(k: Kernel, file: File, buf: Uint8Array, pos = 0): Promise<number> {
  const r = await kio.kernel_write(k, file, buf, pos);
  if (file instanceof PipeFile && (r === -EPIPE || (r >= 0 && r < buf.length && file.pipe.readers === 0))) {
    umh_trace(k, 'epipe', { pipe: file.f_path, written: Math.max(r, 0) });
  }
  return r;
}

/** The siginfo of a signal the kernel itself sends (Linux SEND_SIG_PRIV: si_code SI_KERNEL). */
const kernelSigInfo = (sig: number): { signo: number; errno: number; code: number } => ({ signo: sig, errno: 0, code: SI_KERNEL });

/**
 * Linux force_sig(sig, tsk) as 4.18's bpfilter shutdown_umh uses it: the
 * signal from the kernel to one task; SIGKILL ends its whole process.
 */
export function force_sig(k: Kernel, sig: number, t: Task): void {
  umh_trace(k, 'kill', { pid: t.pid, sig });
  send_signal_info(k, sig, kernelSigInfo(sig), t, 'thread');
  ensure_scheduler(k);
}

/**
 * Linux kill_pid(pid, sig, 1): signal the process `pid` from the kernel
 * (also how host code plays the admin's kill). Returns 0, or -ESRCH when
 * no live process has that pid.
 */
export function kill_pid(k: Kernel, pid: number, sig: number): number {
  const t = k.find_task_by_vpid(pid);
  if (!t) return -ESRCH; // a zombie still has its pid: the signal is accepted and does nothing
  umh_trace(k, 'kill', { pid, sig });
  send_signal_info(k, sig, kernelSigInfo(sig), t, 'process');
  ensure_scheduler(k);
  return 0;
}

/**
 * Linux thread_group_exited(pid) (kernel/exit.c, 5.9+): every thread of
 * the process has exited (it is a zombie, or already reaped).
 */
export function thread_group_exited(t: Task): boolean {
  return t.exitStatus !== null || t.state === 'zombie' || t.state === 'dead';
}

/**
 * Wait until `t`'s process has ended (Linux 5.9+ shutdown_umh:
 * wait_event(tgid->wait_pidfd, thread_group_exited(tgid))); resolves with
 * how it ended (null if it was reaped before anyone saw its status).
 */
export function wait_for_exit(k: Kernel, t: Task): Promise<ExitStatus | null> {
  if (t.exitStatus) return Promise.resolve(t.exitStatus);
  if (t.state === 'dead') return Promise.resolve(null);
  ensure_scheduler(k);
  return new Promise((resolve) => t.onExit.push(resolve));
}
