/**
 * Reading the host's stdin without blocking Node's event loop.
 *
 * When the host descriptor is a pipe, a terminal or a socket, a read could
 * wait for ever, and a synchronous read would freeze every guest and all
 * host code with it. Here the read is started asynchronously (libuv runs it
 * on its thread pool) for at most the bytes the guest asked for, the task
 * sleeps on the stream's wait queue, and its read runs again when the
 * bytes (or EOF, or an error) have arrived. Bytes that arrived but were not
 * taken wait for the next read. Regular files never block and keep the
 * synchronous path.
 */

import { fstatSync, read } from 'node:fs';
import { EAGAIN, EIO, ERESTARTSYS } from '../../abi/errno.js';
import { POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM } from '../../abi/misc.js';
import type { PollTable } from '../poll.js';
import { get_current } from '../sched.js';
import { signal_pending } from '../signal.js';
import { sleep_on, WaitQueueHead } from '../wait.js';

interface HostReadState {
  pending: boolean;
  data: Uint8Array | null;
  eof: boolean;
  err: number;
  readonly wq: WaitQueueHead;
}

const states = new Map<number, HostReadState>();
const blocking = new Map<number, boolean>();

/** Whether a read of `hostFd` may wait (a pipe, a terminal, a socket), rather than a regular file. */
export function host_fd_may_block(hostFd: number): boolean {
  let b = blocking.get(hostFd);
  if (b === undefined) {
    try {
      const st = fstatSync(hostFd);
      b = st.isFIFO() || st.isSocket() || st.isCharacterDevice();
    } catch {
      b = false;
    }
    blocking.set(hostFd, b);
  }
  return b;
}

function state(hostFd: number): HostReadState {
  let s = states.get(hostFd);
  if (!s) states.set(hostFd, (s = { pending: false, data: null, eof: false, err: 0, wq: new WaitQueueHead() }));
  return s;
}

function start(hostFd: number, s: HostReadState, size: number): void {
  s.pending = true;
  const buf = Buffer.alloc(Math.max(1, size));
  read(hostFd, buf, 0, buf.length, null, (err, n) => {
    s.pending = false;
    if (err) s.err = (err as NodeJS.ErrnoException).code === 'EAGAIN' ? 0 : -EIO;
    else if (n === 0) s.eof = true;
    else s.data = new Uint8Array(buf.buffer, buf.byteOffset, n);
    s.wq.wake_up();
  });
}

/**
 * A read of the host descriptor that never blocks the event loop: bytes
 * already here, 0 at EOF, or (with nothing yet) -EAGAIN for a
 * non-blocking reader and -ERESTARTSYS after putting the current task to
 * sleep until the bytes arrive.
 */
export function host_read(hostFd: number, dst: Uint8Array, nonblock: boolean): number {
  const s = state(hostFd);
  if (s.data) {
    const n = Math.min(dst.length, s.data.length);
    dst.set(s.data.subarray(0, n));
    s.data = n < s.data.length ? s.data.subarray(n) : null;
    return n;
  }
  if (s.eof) { s.eof = false; return 0; } // a terminal's EOF is read once
  if (s.err) { const e = s.err; s.err = 0; return e; }
  if (dst.length === 0) return 0;
  if (!s.pending) start(hostFd, s, dst.length);
  const t = get_current();
  if (nonblock || !t) return -EAGAIN;
  if (!signal_pending(t)) sleep_on(t, [s.wq]);
  return -ERESTARTSYS;
}

/** poll on the host descriptor: readable once bytes or EOF arrived (asking for one byte to find out). */
export function host_poll(hostFd: number, pt: PollTable | null, readable: boolean, writable: boolean): number {
  const mask = writable ? POLLOUT | POLLWRNORM : 0;
  if (!readable) return mask;
  const s = state(hostFd);
  if (s.data || s.eof || s.err) return mask | POLLIN | POLLRDNORM;
  if (!s.pending) start(hostFd, s, 1);
  pt?.wait(s.wq);
  return mask;
}

