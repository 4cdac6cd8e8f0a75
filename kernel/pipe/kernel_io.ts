/**
 * Host code reading and writing guest files: Linux fs/read_write.c
 * kernel_read and kernel_write, as promises (DESIGN.md decision 3).
 *
 * A kernel module (umh/) talks to its helper through pipes: `await
 * kernel_write(info.pipe_to_umh, request)` then `await
 * kernel_read(info.pipe_from_umh, 4)`. When the pipe is empty (or full)
 * the promise waits on the pipe's wait queue while the scheduler runs the
 * guests; nothing blocks Node's event loop. A writer with no reader left
 * gets -EPIPE and no SIGPIPE (there is no task to send it to).
 */

import { EAGAIN, EBADF, EPIPE } from '../../abi/errno.js';
import { O_DIRECT, O_NONBLOCK } from '../../abi/fcntl.js';
import type { File } from '../fs/file.js';
import type { Kernel } from '../kernel.js';
import { wait_event_host } from '../wait.js';
import { PipeFile } from './pipe.js';

/** Make sure the scheduler runs while host code waits; a failure of its loop is an emulator bug. */
function ensure_running(k: Kernel): void {
  k.run().catch((e: unknown) => { process.nextTick(() => { throw e; }); });
}

/**
 * Read up to `count` bytes: resolves with the bytes (empty at EOF: every
 * writer has gone) or -errno (EBADF when not open for reading, EAGAIN for
 * an empty O_NONBLOCK pipe).
 */
export async function kernel_read(file: File, count: number): Promise<Uint8Array | number> {
  if (!file.readable) return -EBADF;
  if (!(file instanceof PipeFile)) {
    const buf = new Uint8Array(count);
    const n = file.read(buf);
    return n < 0 ? n : buf.subarray(0, n);
  }
  const pipe = file.pipe;
  for (;;) {
    const buf = new Uint8Array(count);
    const n = pipe.readSome(buf);
    if (n >= 0) return buf.subarray(0, n);
    if (n !== -EAGAIN || (file.f_flags & O_NONBLOCK)) return n;
    const woken = wait_event_host([pipe.rd_wait]); // queued before any guest can run
    ensure_running(pipe.kernel);
    await woken;
  }
}

/**
 * Write all of `bytes`, waiting while the pipe is full: resolves with the
 * count written, or -errno (EPIPE once no reader is left, with the count
 * so far if some bytes went; EAGAIN for a full O_NONBLOCK pipe).
 */
export async function kernel_write(file: File, bytes: Uint8Array): Promise<number> {
  if (!file.writable) return -EBADF;
  if (!(file instanceof PipeFile)) return file.write(bytes);
  const pipe = file.pipe;
  let done = 0;
  for (;;) {
    const n = pipe.writeSome(bytes.subarray(done), done > 0, (file.f_flags & O_DIRECT) !== 0);
    if (n === -EPIPE) return done || -EPIPE;
    if (n > 0) done += n;
    if (done === bytes.length) return done;
    if (file.f_flags & O_NONBLOCK) return done || -EAGAIN;
    const woken = wait_event_host([pipe.wr_wait]);
    ensure_running(pipe.kernel);
    await woken;
  }
}
