/**
 * The futex syscall: Linux kernel/futex/syscalls.c (sys_futex, do_futex)
 * and waitwake.c / requeue.c (futex_wait, futex_wake, futex_wake_op,
 * futex_requeue). The waiter lists are kernel/futex.ts.
 *
 * FUTEX_WAIT checks the word and sleeps; the waker sets the waiter's
 * `woken` and wakes the task, whose futex call then runs again and
 * returns 0 (or ETIMEDOUT once its deadline passed, or EINTR through a
 * handler). The PI operations are not implemented (ENOSYS, reported once).
 */

import { EAGAIN, EFAULT, EINVAL, ENOSYS, ERESTART_RESTARTBLOCK, ERESTARTSYS, ETIMEDOUT } from '../../abi/errno.js';
import {
  FUTEX_BITSET_MATCH_ANY, FUTEX_CLOCK_REALTIME, FUTEX_CMD_MASK, FUTEX_CMP_REQUEUE, FUTEX_OP_OPARG_SHIFT, FUTEX_REQUEUE,
  FUTEX_WAIT, FUTEX_WAIT_BITSET, FUTEX_WAKE, FUTEX_WAKE_BITSET, FUTEX_WAKE_OP,
} from '../../abi/process.js';
import { CLOCK_MONOTONIC, CLOCK_REALTIME } from '../../abi/misc.js';
import { futex_queue, futex_requeue, futex_unqueue, futex_wake_key, get_futex_key, type FutexWaiter } from '../futex.js';
import type { Kernel } from '../kernel.js';
import { copy_from_user, get_user_u32, put_user_u32 } from '../mm/uaccess.js';
import { signal_pending } from '../signal.js';
import type { Task } from '../task.js';
import { sleep_on } from '../wait.js';
import { clockNow } from './sys_time.js';
import { type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import { __NR_futex } from '../../abi/syscalls.js';
import { ktime_get_ms } from '../ktime.js';

/** Linux get_futex_key(): the word must be 4-byte aligned (EINVAL) and mapped (EFAULT). */
function key(t: Task, uaddr: number): ReturnType<typeof get_futex_key> | number {
  if (uaddr < 0 || uaddr % 4 !== 0) return -EINVAL;
  return get_futex_key(t.mm!, uaddr) ?? -EFAULT;
}

/**
 * Linux futex_wait(): sleep while *uaddr == val. `end` is the absolute
 * deadline in ktime_get_ms() ms (null: none). Runs again after each
 * wake-up with its waiter kept in the restart block.
 */
function futex_wait(k: Kernel, t: Task, uaddr: number, val: number, end: number | null, bitset: number): number {
  if (!bitset) return -EINVAL;
  const rb = t.restart_block!;
  const code = end === null ? ERESTARTSYS : ERESTART_RESTARTBLOCK;
  const old = rb.data as FutexWaiter | undefined;
  if (old) {
    if (old.woken) return 0;
    if (end !== null && ktime_get_ms() >= end) { futex_unqueue(old); return -ETIMEDOUT; }
    if (!signal_pending(t)) sleep_on(t, [], end === null ? {} : { deadline: end });
    return -code;
  }
  const kk = key(t, uaddr);
  if (typeof kk === 'number') return kk;
  const cur = get_user_u32(t.mm!, uaddr);
  if (cur === null) return -EFAULT;
  if (cur !== val >>> 0) return -EAGAIN;
  if (end !== null && ktime_get_ms() >= end) return -ETIMEDOUT;
  const w: FutexWaiter = {
    key: kk!, bitset, task: t, woken: false,
    wake: () => { rb.result = 0; k.wake_up_process(t); },
  };
  futex_queue(w);
  rb.data = w;
  rb.cleanup = () => futex_unqueue(w);
  if (!signal_pending(t)) sleep_on(t, [], end === null ? {} : { deadline: end });
  return -code;
}

/** Linux futex_wake(). */
function futex_wake(t: Task, uaddr: number, nr: number, bitset: number): number {
  if (!bitset) return -EINVAL;
  const kk = key(t, uaddr);
  if (typeof kk === 'number') return kk;
  return futex_wake_key(kk!, nr, bitset);
}

/** Linux futex_requeue() (without PI); with `cmpval` it is FUTEX_CMP_REQUEUE. */
function do_requeue(t: Task, uaddr1: number, uaddr2: number, nrWake: number, nrRequeue: number, cmpval: number | null): number {
  if (nrWake < 0 || nrRequeue < 0) return -EINVAL;
  const k1 = key(t, uaddr1);
  if (typeof k1 === 'number') return k1;
  const k2 = key(t, uaddr2);
  if (typeof k2 === 'number') return k2;
  if (cmpval !== null) {
    const cur = get_user_u32(t.mm!, uaddr1);
    if (cur === null) return -EFAULT;
    if (cur !== cmpval >>> 0) return -EAGAIN;
  }
  return futex_requeue(k1!, k2!, nrWake, nrRequeue);
}

/** Linux futex_wake_op(): *uaddr2 = op(old, oparg); wake on uaddr1, and on uaddr2 if cmp(old, cmparg). */
function futex_wake_op(t: Task, uaddr1: number, uaddr2: number, nr1: number, nr2: number, encoded: number): number {
  const k1 = key(t, uaddr1);
  if (typeof k1 === 'number') return k1;
  const k2 = key(t, uaddr2);
  if (typeof k2 === 'number') return k2;
  const op = (encoded >>> 28) & 7;
  const cmp = (encoded >>> 24) & 15;
  let oparg = ((encoded >>> 12) & 0xfff) << 20 >> 20;
  const cmparg = (encoded & 0xfff) << 20 >> 20;
  if (encoded & (FUTEX_OP_OPARG_SHIFT << 28)) oparg = 1 << (oparg & 31);
  const old = get_user_u32(t.mm!, uaddr2);
  if (old === null) return -EFAULT;
  const ops = [(): number => oparg, (): number => old + oparg, (): number => old | oparg, (): number => old & ~oparg, (): number => old ^ oparg];
  if (op >= ops.length) return -ENOSYS;
  if (!put_user_u32(t.mm!, uaddr2, ops[op]!() >>> 0)) return -EFAULT;
  const o = old | 0;
  const cmps = [o === cmparg, o !== cmparg, o < cmparg, o <= cmparg, o > cmparg, o >= cmparg];
  if (cmp >= cmps.length) return -ENOSYS;
  let n = futex_wake_key(k1!, nr1);
  if (cmps[cmp]) n += futex_wake_key(k2!, nr2);
  return n;
}

/** The deadline of a FUTEX_WAIT (relative, monotonic) or FUTEX_WAIT_BITSET (absolute) timeout. */
function waitDeadline(t: Task, addr: number, relative: boolean, realtime: boolean): { end: number | null } | number {
  const rb = t.restart_block!;
  if (rb.deadline !== undefined) return { end: rb.deadline === Infinity ? null : rb.deadline };
  if (!addr) { rb.deadline = Infinity; return { end: null }; }
  const raw = copy_from_user(t.mm!, addr, 16);
  if (!raw) return -EFAULT;
  const v = new DataView(raw.buffer);
  const sec = v.getBigInt64(0, true);
  const nsec = v.getBigInt64(8, true);
  if (sec < 0n || nsec < 0n || nsec >= 1_000_000_000n) return -EINVAL;
  const ns = sec * 1_000_000_000n + nsec;
  const delta = relative ? ns : ns - clockNow(realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC)!;
  rb.deadline = ktime_get_ms() + Number(delta) / 1e6;
  return { end: rb.deadline };
}

const reported = new WeakMap<Kernel, Set<number>>();

export function sys_futex(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const uaddr = a.ptr(0);
  const op = a.int(1);
  const cmd = op & FUTEX_CMD_MASK;
  const val = a.uint(2);
  if ((op & FUTEX_CLOCK_REALTIME) && cmd !== FUTEX_WAIT_BITSET) return -ENOSYS;
  switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
      const d = waitDeadline(t, a.ptr(3), cmd === FUTEX_WAIT, (op & FUTEX_CLOCK_REALTIME) !== 0);
      if (typeof d === 'number') return d;
      return futex_wait(k, t, uaddr, val, d.end, cmd === FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : a.uint(5));
    }
    case FUTEX_WAKE: return futex_wake(t, uaddr, val, FUTEX_BITSET_MATCH_ANY);
    case FUTEX_WAKE_BITSET: return futex_wake(t, uaddr, val, a.uint(5));
    case FUTEX_REQUEUE: return do_requeue(t, uaddr, a.ptr(4), a.int(2), a.int(3), null);
    case FUTEX_CMP_REQUEUE: return do_requeue(t, uaddr, a.ptr(4), a.int(2), a.int(3), a.uint(5));
    case FUTEX_WAKE_OP: return futex_wake_op(t, uaddr, a.ptr(4), a.int(2), a.int(3), a.uint(5));
    default: {
      let s = reported.get(k);
      if (!s) reported.set(k, (s = new Set()));
      if (!s.has(cmd)) { s.add(cmd); k.log(`pid ${t.pid}: futex op ${cmd} is not implemented; returned -ENOSYS`); }
      return -ENOSYS;
    }
  }
}

/** This family's rows of the syscall table (see table.ts). */
export const FUTEX_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_futex, handler: sys_futex, support: 'partial', note: 'no PI futexes', args: ['ptr', 'int', 'uint', 'ptr', 'ptr', 'uint'] },
];
