/**
 * Futexes, the core: Linux kernel/futex/core.c (get_futex_key, the hash of
 * waiters) and waitwake.c (futex_wait_setup, futex_wake, futex_requeue).
 *
 * A futex key is where the 32-bit word physically lives: the host buffer
 * behind the VMA and the offset in it. Linux keys a private futex by
 * (mm, address) and a shared one by the page; naming the host bytes gives
 * the same answer for both (threads share the buffers of their mm, and a
 * MAP_SHARED mapping inherited across fork is the same buffer), so the
 * wake-up of CLONE_CHILD_CLEARTID, which Linux does as a shared futex,
 * finds a waiter that used FUTEX_WAIT_PRIVATE.
 */

import type { MmStruct } from './mm/mm_struct.js';
import { get_user_u32, get_user_u64, put_user_u32 } from './mm/uaccess.js';
import type { Task } from './task.js';

export interface FutexKey {
  buf: ArrayBufferLike;
  off: number;
}

/** One sleeper: a task (or host code) waiting on a key with a bitset. */
export interface FutexWaiter {
  key: FutexKey;
  bitset: number;
  task: Task | null;
  woken: boolean;
  wake: () => void;
}

const queues = new WeakMap<ArrayBufferLike, Map<number, FutexWaiter[]>>();

/** Linux get_futex_key(): null when `uaddr` is not mapped (EFAULT); alignment is the caller's check. */
export function get_futex_key(mm: MmStruct, uaddr: number): FutexKey | null {
  if (!Number.isSafeInteger(uaddr) || uaddr < 0) return null;
  const v = mm.find_vma(uaddr);
  if (!v || uaddr + 4 > v.vm_end) return null;
  return { buf: v.host.buffer, off: v.host.byteOffset + (uaddr - v.vm_start) };
}

function bucket(key: FutexKey, create: boolean): FutexWaiter[] | null {
  let m = queues.get(key.buf);
  if (!m) {
    if (!create) return null;
    queues.set(key.buf, (m = new Map()));
  }
  let b = m.get(key.off);
  if (!b) {
    if (!create) return null;
    m.set(key.off, (b = []));
  }
  return b;
}

/** Linux futex_queue(): add a waiter at the tail (wake order is FIFO). */
export function futex_queue(w: FutexWaiter): void {
  bucket(w.key, true)!.push(w);
}

/** Linux futex_unqueue(): remove a waiter that gave up (timeout, signal, exit). */
export function futex_unqueue(w: FutexWaiter): void {
  const b = bucket(w.key, false);
  if (!b) return;
  const i = b.indexOf(w);
  if (i >= 0) b.splice(i, 1);
  if (b.length === 0) queues.get(w.key.buf)?.delete(w.key.off);
}

/** Linux futex_wake(): wake up to `nr` waiters whose bitset matches; returns how many. */
export function futex_wake_key(key: FutexKey, nr: number, bitset = 0xffffffff): number {
  const b = bucket(key, false);
  if (!b) return 0;
  let n = 0;
  for (const w of [...b]) {
    if (n >= nr) break;
    if ((w.bitset & bitset) === 0) continue;
    futex_unqueue(w);
    w.woken = true;
    w.wake();
    n++;
  }
  return n;
}

/** futex_wake on a guest address; -1 when the address is not mapped. */
export function futex_wake(mm: MmStruct, uaddr: number, nr: number, bitset = 0xffffffff): number {
  const key = get_futex_key(mm, uaddr);
  return key ? futex_wake_key(key, nr, bitset) : -1;
}

/**
 * Linux futex_requeue(): wake `nrWake` waiters of `from`, move up to
 * `nrRequeue` others to `to`; returns the number woken plus requeued.
 */
export function futex_requeue(from: FutexKey, to: FutexKey, nrWake: number, nrRequeue: number): number {
  const woken = futex_wake_key(from, nrWake);
  const b = bucket(from, false);
  let moved = 0;
  if (b) {
    for (const w of [...b]) {
      if (moved >= nrRequeue) break;
      futex_unqueue(w);
      w.key = to;
      futex_queue(w);
      moved++;
    }
  }
  return woken + moved;
}

/**
 * An address space got its own copy of bytes it shared copy-on-write: its
 * tasks' waiters on the old bytes now wait on the same words of the new
 * ones (Linux keys a private futex by address, so a copy never moves it).
 */
export function futex_rekey(mm: MmStruct, oldHost: Uint8Array, newHost: Uint8Array): void {
  const m = queues.get(oldHost.buffer);
  if (!m) return;
  const lo = oldHost.byteOffset;
  const hi = lo + oldHost.length;
  for (const [off, list] of [...m]) {
    if (off < lo || off >= hi) continue;
    for (const w of [...list]) {
      if (w.task?.mm !== mm) continue;
      futex_unqueue(w);
      w.key = { buf: newHost.buffer, off: newHost.byteOffset + (off - lo) };
      futex_queue(w);
    }
  }
}

/** Linux ROBUST_LIST_LIMIT: a list walk stops after this many entries (a loop in the list). */
const ROBUST_LIST_LIMIT = 2048;
const FUTEX_WAITERS = 0x80000000;
const FUTEX_OWNER_DIED = 0x40000000;
const FUTEX_TID_MASK = 0x3fffffff;

/**
 * Linux handle_futex_death(): a lock word the dead thread still owns gets
 * FUTEX_OWNER_DIED (keeping FUTEX_WAITERS), and one waiter is woken to
 * find it (pthread_mutex_lock then returns EOWNERDEAD).
 */
function handle_futex_death(t: Task, uaddr: number, pi: boolean, pending: boolean): void {
  const mm = t.mm!;
  if (uaddr % 4 !== 0) return;
  const v = get_user_u32(mm, uaddr);
  if (v === null) return;
  if (pending && !pi && v === 0) { futex_wake(mm, uaddr, 1); return; }
  if ((v & FUTEX_TID_MASK) !== t.pid) return;
  const next = ((v & FUTEX_WAITERS) | FUTEX_OWNER_DIED) >>> 0;
  if (!put_user_u32(mm, uaddr, next)) return;
  if (!pi && (v & FUTEX_WAITERS)) futex_wake(mm, uaddr, 1);
}

/**
 * Linux exit_robust_list(): walk the robust mutexes a dying thread holds
 * (registered with set_robust_list: struct robust_list_head { next,
 * futex_offset, list_op_pending }; the low bit of each pointer marks a PI
 * mutex) and mark each one's owner dead.
 */
export function exit_robust_list(t: Task): void {
  const mm = t.mm;
  const head = t.robust_list;
  if (!mm || !head) return;
  t.robust_list = 0;
  const next0 = get_user_u64(mm, head);
  const offset = get_user_u64(mm, head + 8);
  const pendingRaw = get_user_u64(mm, head + 16);
  if (next0 === null || offset === null || pendingRaw === null) return;
  const futex_offset = Number(BigInt.asIntN(64, offset));
  const pending = Number(pendingRaw & ~1n);
  let entry = Number(next0 & ~1n);
  let pi = (next0 & 1n) !== 0n;
  for (let limit = ROBUST_LIST_LIMIT; entry !== head && limit > 0; limit--) {
    const nextRaw = get_user_u64(mm, entry);
    if (entry !== pending) handle_futex_death(t, entry + futex_offset, pi, false);
    if (nextRaw === null) return;
    entry = Number(nextRaw & ~1n);
    pi = (nextRaw & 1n) !== 0n;
  }
  if (pending) handle_futex_death(t, pending + futex_offset, (pendingRaw & 1n) !== 0n, true);
}
