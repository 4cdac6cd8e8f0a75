/**
 * Host code reading and writing guest files from kernel context: Linux
 * fs/read_write.c kernel_read / kernel_write (on a pipe: fs/pipe.c
 * pipe_read / pipe_write from a kernel thread), as promises (DESIGN.md
 * decision 3). The one implementation: umh/ adds its tracepoints on top.
 *
 * A kernel module talks to its helper through pipes: `await
 * kernel_write(k, info.pipe_to_umh, request)` then `await kernel_read(k,
 * info.pipe_from_umh, reply)`. When the pipe is empty (or full) the
 * promise waits on the pipe's wait queue while the scheduler runs the
 * guests; nothing blocks Node's event loop. Pipes are driven through their
 * ring (readSome / writeSome) rather than through PipeFile.read/write,
 * which take `k.current` to be a guest task making a syscall: a writer
 * with no reader left gets -EPIPE and no SIGPIPE (there is no task to send
 * it to), as Linux's kernel_write.
 */

import { EAGAIN, EBADF, EPIPE } from '../../abi/errno.js';
import { O_DIRECT, O_NONBLOCK } from '../../abi/fcntl.js';
import type { File } from '../fs/file.js';
import type { Kernel } from '../kernel.js';
import { wait_event_host } from '../wait.js';
import { PipeFile } from './pipe.js';

const loops = new WeakMap<Kernel, Promise<void>>();

/**
 * Make sure the scheduler runs (it stops when no task is alive and must be
 * started again once a task exists). A failure of the loop is an emulator
 * bug: it is reported on the kernel's log, never thrown at the caller.
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
 * signals one.
 */
export function in_kernel_context<T>(k: Kernel, fn: () => T): T {
  const saved = k.current;
  k.current = null;
  try {
    return fn();
  } finally {
    k.current = saved;
  }
}

/**
 * Linux kernel_read(): read into `buf` from `file`. On a pipe it is
 * pipe_read: it waits while the pipe is empty and has writers, then
 * returns what is there (at most `buf.length`), or 0 at EOF (no writer
 * left). Other files read at `pos`. Returns the count or -errno (EBADF
 * when not open for reading, EAGAIN for an empty O_NONBLOCK pipe).
 */
export async function kernel_read(k: Kernel, file: File, buf: Uint8Array, pos = 0): Promise<number> {
  if (!file.readable) return -EBADF;
  if (!(file instanceof PipeFile)) return in_kernel_context(k, () => file.pread(buf, pos));
  for (;;) {
    const r = file.pipe.readSome(buf);
    if (r !== -EAGAIN || (file.f_flags & O_NONBLOCK)) return r;
    const woken = wait_event_host([file.pipe.rd_wait]); // queued before any guest can run
    ensure_scheduler(k);
    await woken;
  }
}

/**
 * Linux kernel_write(): write all of `buf` to `file`. On a pipe it waits
 * while the pipe is full; with no reader left it returns what it wrote so
 * far, or -EPIPE (no SIGPIPE: the writer is the kernel); EAGAIN for a full
 * O_NONBLOCK pipe. Other files write at `pos`. Returns the count or -errno.
 */
export async function kernel_write(k: Kernel, file: File, buf: Uint8Array, pos = 0): Promise<number> {
  if (!file.writable) return -EBADF;
  if (!(file instanceof PipeFile)) return in_kernel_context(k, () => file.pwrite(buf, pos));
  const packet = (file.f_flags & O_DIRECT) !== 0;
  let done = 0;
  while (done < buf.length) {
    const r = file.pipe.writeSome(buf.subarray(done), done > 0, packet);
    if (r === -EPIPE) return done || -EPIPE;
    if (r > 0) { done += r; continue; }
    if (file.f_flags & O_NONBLOCK) return done || -EAGAIN;
    const woken = wait_event_host([file.pipe.wr_wait]);
    ensure_scheduler(k);
    await woken;
  }
  return done;
}
