/**
 * Sleeping and timers: Linux kernel/time/hrtimer.c (nanosleep,
 * clock_nanosleep), kernel/time/itimer.c (alarm, setitimer, getitimer
 * for ITIMER_REAL), kernel/sched/core.c (sched_getaffinity: kemu is one
 * CPU). A sleep parks the task with a host timer as its deadline; a
 * signal handler ends it with EINTR and the time left in `rem`.
 */

import { EFAULT, EINVAL, ERESTART_RESTARTBLOCK, ESRCH } from '../../abi/errno.js';
import {
  CLOCK_BOOTTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_REALTIME, CLOCK_TAI, TIMER_ABSTIME,
} from '../../abi/misc.js';
import { SI_KERNEL, SIGALRM } from '../../abi/signal.js';
import type { Kernel } from '../kernel.js';
import { copy_from_user, copy_to_user } from '../mm/uaccess.js';
import { signal_pending } from '../signal.js';
import { send_signal_info } from '../signal_deliver.js';
import type { SignalStruct, Task } from '../task.js';
import { sleep_on } from '../wait.js';
import { clockNow } from './sys_time.js';
import { type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import {
  __NR_alarm, __NR_clock_nanosleep, __NR_getitimer, __NR_nanosleep, __NR_sched_get_priority_max, __NR_sched_get_priority_min,
  __NR_sched_getaffinity, __NR_sched_getparam, __NR_sched_getscheduler, __NR_sched_setaffinity, __NR_setitimer,
} from '../../abi/syscalls.js';
import { ktime_get_ms } from '../ktime.js';

const NS = 1_000_000_000n;

/** A timespec from the guest in ns, or -EFAULT / -EINVAL (Linux timespec64_valid). */
function getTimespecNs(t: Task, addr: number): bigint | number {
  const raw = copy_from_user(t.mm!, addr, 16);
  if (!raw) return -EFAULT;
  const v = new DataView(raw.buffer);
  const sec = v.getBigInt64(0, true);
  const nsec = v.getBigInt64(8, true);
  if (sec < 0n || nsec < 0n || nsec >= NS) return -EINVAL;
  return sec * NS + nsec;
}

function putTimespecMs(t: Task, addr: number, ms: number): boolean {
  const out = new Uint8Array(16);
  const v = new DataView(out.buffer);
  const left = Math.max(0, ms);
  const sec = Math.floor(left / 1000);
  v.setBigInt64(0, BigInt(sec), true);
  v.setBigInt64(8, BigInt(Math.floor((left - sec * 1000) * 1e6)), true);
  return copy_to_user(t.mm!, addr, out);
}

/**
 * Linux hrtimer_nanosleep() + do_nanosleep(): sleep until `end`; an
 * interrupting handler gets EINTR, and a relative sleep writes the time
 * left to `rem` (nanosleep_copyout).
 */
function do_nanosleep(t: Task, end: number, rem: number): number {
  if (ktime_get_ms() >= end) return 0;
  const rb = t.restart_block!;
  if (rem) rb.cleanup = () => { putTimespecMs(t, rem, end - ktime_get_ms()); };
  if (!signal_pending(t)) sleep_on(t, [], { deadline: end });
  return -ERESTART_RESTARTBLOCK;
}

export function sys_nanosleep(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const rb = t.restart_block!;
  if (rb.deadline === undefined) {
    const ns = getTimespecNs(t, a.ptr(0));
    if (typeof ns === 'number') return ns;
    rb.deadline = ktime_get_ms() + Number(ns) / 1e6;
  }
  return do_nanosleep(t, rb.deadline, !a.zero(1) ? a.ptr(1) : 0);
}

/** Linux clock_nanosleep(): the clocks a sleep can use; TIMER_ABSTIME sleeps until that clock reads the time. */
export function sys_clock_nanosleep(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const clk = a.int(0);
  const flags = a.int(1);
  if (![CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_TAI, CLOCK_PROCESS_CPUTIME_ID].includes(clk)) return -EINVAL;
  const rb = t.restart_block!;
  if (rb.deadline === undefined) {
    const ns = getTimespecNs(t, a.ptr(2));
    if (typeof ns === 'number') return ns;
    const delta = flags & TIMER_ABSTIME ? ns - clockNow(clk)! : ns;
    rb.deadline = ktime_get_ms() + Number(delta) / 1e6;
  }
  return do_nanosleep(t, rb.deadline, !(flags & TIMER_ABSTIME) && !a.zero(3) ? a.ptr(3) : 0);
}

/** Linux sched_getaffinity(): one CPU (mask 1); the length must hold nr_cpu_ids bits and be a multiple of 8. */
export function sys_sched_getaffinity(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const pid = a.int(0);
  const len = a.uint(1);
  if (len * 8 < 1 || len % 8 !== 0) return -EINVAL;
  if (pid && !k.tasks.get(pid)) return -ESRCH;
  const out = new Uint8Array(8);
  out[0] = 1;
  return copy_to_user(t.mm!, a.ptr(2), out) ? 8 : -EFAULT;
}

/** Linux sched_setaffinity(): any mask that includes CPU 0 (kemu's one CPU) is accepted; one without it is EINVAL. */
export function sys_sched_setaffinity(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const pid = a.int(0);
  const len = a.uint(1);
  const raw = copy_from_user(t.mm!, a.ptr(2), Math.min(len, 8));
  if (!raw) return -EFAULT;
  if (pid && !k.tasks.get(pid)) return -ESRCH;
  return len > 0 && (raw[0]! & 1) ? 0 : -EINVAL;
}

/** Linux sched_getscheduler()/sched_getparam(): every task is SCHED_OTHER, priority 0. */
export function sys_sched_getscheduler(k: Kernel, _t: Task, a: SyscallArgs): SyscallResult {
  const pid = a.int(0);
  if (pid < 0) return -EINVAL;
  return pid && !k.tasks.get(pid) ? -ESRCH : 0;
}

export function sys_sched_getparam(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const pid = a.int(0);
  if (pid < 0 || a.zero(1)) return -EINVAL;
  if (pid && !k.tasks.get(pid)) return -ESRCH;
  return copy_to_user(t.mm!, a.ptr(1), new Uint8Array(4)) ? 0 : -EFAULT;
}

/** Linux sched_get_priority_max/min(): SCHED_FIFO and SCHED_RR 1..99, the others 0; an unknown policy is EINVAL. */
function priorityRange(policy: number): [number, number] | null {
  if (policy === 1 || policy === 2) return [1, 99]; // SCHED_FIFO, SCHED_RR
  if (policy === 0 || policy === 3 || policy === 5 || policy === 6) return [0, 0]; // OTHER, BATCH, IDLE, DEADLINE
  return null;
}
export const sys_sched_get_priority_max = (_k: Kernel, _t: Task, a: SyscallArgs): SyscallResult => priorityRange(a.int(0))?.[1] ?? -EINVAL;
export const sys_sched_get_priority_min = (_k: Kernel, _t: Task, a: SyscallArgs): SyscallResult => priorityRange(a.int(0))?.[0] ?? -EINVAL;

/** ITIMER_REAL of a process: a host timer that sends SIGALRM (Linux it_real_fn). */
export interface RealTimer {
  handle: ReturnType<typeof setTimeout> | null;
  /** ktime_get_ms() ms when it fires next; 0 when disarmed. */
  expires: number;
  interval: number;
}

const timers = new WeakMap<SignalStruct, RealTimer>();

function realTimer(sig: SignalStruct): RealTimer {
  let r = timers.get(sig);
  if (!r) timers.set(sig, (r = { handle: null, expires: 0, interval: 0 }));
  return r;
}

/** Disarm a process's ITIMER_REAL (its last thread exits; Linux exit_itimers/hrtimer_cancel). */
export function cancel_real_timer(sig: SignalStruct): void {
  const r = timers.get(sig);
  if (r?.handle) clearTimeout(r.handle);
  timers.delete(sig);
}

function arm(k: Kernel, t: Task, value: number, interval: number): void {
  const r = realTimer(t.signal);
  if (r.handle) clearTimeout(r.handle);
  r.handle = null;
  r.expires = value > 0 ? ktime_get_ms() + value : 0;
  r.interval = interval;
  if (!value) return;
  const sig = t.signal;
  const fire = (): void => {
    r.handle = null;
    const leader = [...sig.threads][0];
    if (!leader) return;
    send_signal_info(k, SIGALRM, { signo: SIGALRM, errno: 0, code: SI_KERNEL }, leader, 'process');
    if (r.interval > 0) { r.expires = ktime_get_ms() + r.interval; r.handle = setTimeout(fire, r.interval); } else r.expires = 0;
  };
  r.handle = setTimeout(fire, value);
}

function left(t: Task): { value: number; interval: number } {
  const r = timers.get(t.signal);
  if (!r || !r.expires) return { value: 0, interval: r?.interval ?? 0 };
  return { value: Math.max(0.001, r.expires - ktime_get_ms()), interval: r.interval };
}

/** Linux alarm_setitimer(): returns the seconds left of the previous alarm, rounded as Linux does. */
export function sys_alarm(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const old = left(t).value;
  arm(k, t, a.uint(0) * 1000, 0);
  const sec = Math.floor(old / 1000);
  const usec = Math.round((old - sec * 1000) * 1000);
  return (sec === 0 && usec > 0) || usec >= 500000 ? sec + 1 : sec;
}

function putItimerval(t: Task, addr: number, v: { value: number; interval: number }): boolean {
  const out = new Uint8Array(32);
  const d = new DataView(out.buffer);
  const put = (off: number, ms: number): void => {
    const us = Math.round(ms * 1000);
    d.setBigInt64(off, BigInt(Math.floor(us / 1e6)), true);
    d.setBigInt64(off + 8, BigInt(us % 1e6), true);
  };
  put(0, v.interval);
  put(16, v.value);
  return copy_to_user(t.mm!, addr, out);
}

/** Linux getitimer()/setitimer() for ITIMER_REAL (which 0); the virtual and profiling timers are not kept. */
export function sys_getitimer(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  if (a.int(0) !== 0) return -EINVAL;
  return putItimerval(t, a.ptr(1), left(t)) ? 0 : -EFAULT;
}

export function sys_setitimer(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  if (a.int(0) !== 0) return -EINVAL;
  let value = 0;
  let interval = 0;
  if (!a.zero(1)) {
    const raw = copy_from_user(t.mm!, a.ptr(1), 32);
    if (!raw) return -EFAULT;
    const v = new DataView(raw.buffer);
    const tv = (off: number): number | null => {
      const s = v.getBigInt64(off, true);
      const us = v.getBigInt64(off + 8, true);
      return s < 0n || us < 0n || us >= 1_000_000n ? null : Number(s) * 1000 + Number(us) / 1000;
    };
    const iv = tv(0);
    const vv = tv(16);
    if (iv === null || vv === null) return -EINVAL;
    interval = iv;
    value = vv;
  }
  const old = left(t);
  arm(k, t, value, interval);
  if (!a.zero(2) && !putItimerval(t, a.ptr(2), old)) return -EFAULT;
  return 0;
}

/** This family's rows of the syscall table (see table.ts). */
export const SCHED_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_nanosleep, handler: sys_nanosleep, support: 'full', args: ['ptr', 'ptr'] },
  { nr: __NR_getitimer, handler: sys_getitimer, support: 'partial', note: 'ITIMER_REAL only', args: ['int', 'ptr'] },
  { nr: __NR_alarm, handler: sys_alarm, support: 'full', args: ['uint'] },
  { nr: __NR_setitimer, handler: sys_setitimer, support: 'partial', note: 'ITIMER_REAL only', args: ['int', 'ptr', 'ptr'] },
  { nr: __NR_sched_getaffinity, handler: sys_sched_getaffinity, support: 'full', args: ['int', 'uint', 'ptr'] },
  { nr: __NR_sched_setaffinity, handler: sys_sched_setaffinity, support: 'full', note: 'one CPU', args: ['int', 'uint', 'ptr'] },
  { nr: __NR_sched_getscheduler, handler: sys_sched_getscheduler, support: 'full', args: ['int'] },
  { nr: __NR_sched_getparam, handler: sys_sched_getparam, support: 'full', args: ['int', 'ptr'] },
  { nr: __NR_sched_get_priority_max, handler: sys_sched_get_priority_max, support: 'full', args: ['int'] },
  { nr: __NR_sched_get_priority_min, handler: sys_sched_get_priority_min, support: 'full', args: ['int'] },
  { nr: __NR_clock_nanosleep, handler: sys_clock_nanosleep, support: 'full', args: ['int', 'hex', 'ptr', 'ptr'] },
];
