/**
 * Time and randomness: Linux kernel/time/posix-timers.c (clock_gettime,
 * clock_getres), kernel/time/time.c (gettimeofday, time),
 * drivers/char/random.c (getrandom).
 */

import { get_random_bytes } from '../random.js';
import { EFAULT, EINVAL } from '../../abi/errno.js';
import { CLOCK_BOOTTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_COARSE, CLOCK_MONOTONIC_RAW, CLOCK_PROCESS_CPUTIME_ID,
  CLOCK_REALTIME, CLOCK_REALTIME_COARSE, CLOCK_TAI, CLOCK_THREAD_CPUTIME_ID, GRND_INSECURE, GRND_NONBLOCK,
  GRND_RANDOM } from '../../abi/misc.js';
import type { Kernel } from '../kernel.js';
import { copy_to_user, user_range_writable } from '../mm/uaccess.js';
import type { Task } from '../task.js';
import { type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import { __NR_clock_getres, __NR_clock_gettime, __NR_getrandom, __NR_gettimeofday, __NR_time } from '../../abi/syscalls.js';

const NS = 1_000_000_000n;
const bootHr = process.hrtime.bigint();
const bootWallNs = BigInt(Date.now()) * 1_000_000n;

/** Nanoseconds for a clock id, or null for an invalid id (EINVAL). */
export function clockNow(clk: number): bigint | null {
  switch (clk) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: case CLOCK_TAI:
      return bootWallNs + (process.hrtime.bigint() - bootHr);
    case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME:
      return process.hrtime.bigint() - bootHr + NS; // Linux's monotonic clock starts near boot, never 0
    case CLOCK_PROCESS_CPUTIME_ID: case CLOCK_THREAD_CPUTIME_ID:
      return BigInt(Math.round(process.cpuUsage().user * 1000));
    default:
      return null;
  }
}

function timespec(ns: bigint): Uint8Array {
  const out = new Uint8Array(16);
  const v = new DataView(out.buffer);
  v.setBigInt64(0, ns / NS, true);
  v.setBigInt64(8, ns % NS, true);
  return out;
}

export function sys_clock_gettime(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const now = clockNow(a.int(0));
  if (now === null) return -EINVAL;
  return copy_to_user(t.mm!, a.ptr(1), timespec(now)) ? 0 : -EFAULT;
}

export function sys_clock_getres(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  if (clockNow(a.int(0)) === null) return -EINVAL;
  if (a.zero(1)) return 0;
  return copy_to_user(t.mm!, a.ptr(1), timespec(1n)) ? 0 : -EFAULT;
}

export function sys_gettimeofday(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  if (!a.zero(0)) {
    const ns = clockNow(CLOCK_REALTIME)!;
    const out = new Uint8Array(16);
    const v = new DataView(out.buffer);
    v.setBigInt64(0, ns / NS, true);
    v.setBigInt64(8, (ns % NS) / 1000n, true);
    if (!copy_to_user(t.mm!, a.ptr(0), out)) return -EFAULT;
  }
  if (!a.zero(1) && !copy_to_user(t.mm!, a.ptr(1), new Uint8Array(8))) return -EFAULT;
  return 0;
}

export function sys_time(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const secs = clockNow(CLOCK_REALTIME)! / NS;
  if (!a.zero(0)) {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigInt64(0, secs, true);
    if (!copy_to_user(t.mm!, a.ptr(0), out)) return -EFAULT;
  }
  return secs;
}

/**
 * Linux drivers/char/random.c getrandom: flag checks, then up to
 * MAX_RW_COUNT bytes per call (5.18+; 4.18 stopped at 32 MiB - 1, which no
 * libc asks for).
 */
export function sys_getrandom(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const flags = a.int(2);
  if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) return -EINVAL;
  if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM)) return -EINVAL;
  const len = Math.min(a.ulong(1), 0x7ffff000);
  if (len === 0) return 0;
  const buf = a.ptr(0);
  if (!user_range_writable(t.mm!, buf, len)) return -EFAULT;
  const bytes = new Uint8Array(len);
  get_random_bytes(bytes);
  return copy_to_user(t.mm!, buf, bytes) ? len : -EFAULT;
}

/** This family's rows of the syscall table (see table.ts). */
export const TIME_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_gettimeofday, handler: sys_gettimeofday, support: 'full', args: ['ptr', 'ptr'] },
  { nr: __NR_time, handler: sys_time, support: 'full', args: ['ptr'] },
  { nr: __NR_clock_gettime, handler: sys_clock_gettime, support: 'full', args: ['int', 'ptr'] },
  { nr: __NR_clock_getres, handler: sys_clock_getres, support: 'full', args: ['int', 'ptr'] },
  { nr: __NR_getrandom, handler: sys_getrandom, support: 'full', args: ['ptr', 'uint', 'hex'] },
];
