/**
 * Kernel code talking to tasks: what a kernel module calls from its own
 * context, not from a guest's syscall. Linux fs/read_write.c kernel_read /
 * kernel_write (on a pipe: fs/pipe.c pipe_read / pipe_write from a kernel
 * thread), kernel/signal.c force_sig / kill_pid, and the wait a module does
 * for a task's end (5.9+ wait_event(tgid->wait_pidfd, thread_group_exited)).
 *
 * Host code cannot sleep the way a kernel thread does, so a read of an empty
 * pipe or a write to a full one awaits the pipe's wait queue while the
 * scheduler runs the guests (kernel/wait.ts wait_event_host). Pipes are
 * driven through their ring (readSome / writeSome) rather than through
 * PipeFile.read/write, which take `k.current` to be a guest task making a
 * syscall: a kernel-side writer gets EPIPE and no SIGPIPE, as Linux's
 * kernel_write does. (kernel/pipe/kernel_io.ts, being written beside this,
 * does the same for pipes; these keep Linux's (file, buf, pos) shape and
 * add the umh tracepoints: the module noticing EOF or EPIPE.)
 */

import { EAGAIN, EBADF, EPIPE, ESRCH } from '../abi/errno.js';
import { O_DIRECT, O_NONBLOCK } from '../abi/fcntl.js';
import { SI_KERNEL } from '../abi/signal.js';
import type { File } from '../kernel/fs/file.js';
import type { Kernel } from '../kernel/kernel.js';
import { PipeFile } from '../kernel/pipe/pipe.js';
import { send_signal_info } from '../kernel/signal_deliver.js';
import type { ExitStatus, Task } from '../kernel/task.js';
import { wait_event_host } from '../kernel/wait.js';
import { umh_trace } from './trace.js';

const loops = new WeakMap<Kernel, Promise<void>>();

/**
 * Make sure the scheduler runs (it stops when no task is alive and must be
 * started again once a helper exists). A failure of the loop is an emulator
 * bug: it is reported on the kernel's log, never thrown at the module.
 */
export function ensure_scheduler(k: Kernel): void {
  const p = k.run();
  if (loops.get(k) === p) return;
  loops.set(k, p);
  p.catch((e: unknown) => k.log(`scheduler stopped by an emulator bug: ${(e as Error).stack ?? String(e)}`));
}

/**
 * Run `fn` as kernel code: no guest task is `current` (Linux: a kernel
 * thread has no user context), so nothing it touches sleeps a guest or
 * signals one. The scheduler leaves `k.current` at the last task it ran.
 */
export function in_kernel_context<T>(k: Kernel, fn: () => T): T {
  const saved = k.current;
  k.current = null;
  const r = fn();
  k.current = saved;
  return r;
}

/**
 * Linux kernel_read(): read into `buf` from `file`. On a pipe it is
 * pipe_read: it waits while the pipe is empty and has writers, then
 * returns what is there (at most `buf.length`), or 0 at EOF (no writer
 * left: the helper is gone). Other files read at `pos` (default 0).
 * Returns the count or -errno.
 */
export async function kernel_read(k: Kernel, file: File, buf: Uint8Array, pos = 0): Promise<number> {
  if (!file.readable) return -EBADF;
  if (!(file instanceof PipeFile)) return in_kernel_context(k, () => file.pread(buf, pos));
  for (;;) {
    const r = file.pipe.readSome(buf);
    if (r !== -EAGAIN || (file.f_flags & O_NONBLOCK)) {
      if (r === 0 && buf.length > 0) umh_trace(k, 'eof', { pipe: file.f_path });
      return r;
    }
    ensure_scheduler(k);
    await wait_event_host([file.pipe.rd_wait]);
  }
}

/**
 * Linux kernel_write(): write all of `buf` to `file`. On a pipe it is
 * pipe_write from a kernel thread: it waits while the pipe is full, and
 * with no reader left it returns what it wrote so far, or -EPIPE (no
 * SIGPIPE: the writer is the kernel). Other files write at `pos`.
 * Returns the count or -errno.
 */
export async function kernel_write(k: Kernel, file: File, buf: Uint8Array, pos = 0): Promise<number> {
  if (!file.writable) return -EBADF;
  if (!(file instanceof PipeFile)) return in_kernel_context(k, () => file.pwrite(buf, pos));
  const packet = (file.f_flags & O_DIRECT) !== 0;
  let done = 0;
  while (done < buf.length) {
    const r = file.pipe.writeSome(buf.subarray(done), done > 0, packet);
    if (r === -EPIPE) {
      umh_trace(k, 'epipe', { pipe: file.f_path, written: done });
      return done || -EPIPE;
    }
    if (r > 0) { done += r; continue; }
    if (file.f_flags & O_NONBLOCK) return done || -EAGAIN;
    ensure_scheduler(k);
    await wait_event_host([file.pipe.wr_wait]);
  }
  return done;
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
