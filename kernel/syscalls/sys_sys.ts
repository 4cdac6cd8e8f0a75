/**
 * Process housekeeping from Linux kernel/sys.c: prctl (the options
 * programs use), getpriority / setpriority, getrusage and times.
 */

import { EFAULT, EINVAL, EPERM, ESRCH } from '../../abi/errno.js';
import { TASK_COMM_LEN } from '../../abi/limits.js';
import {
  PR_GET_CHILD_SUBREAPER, PR_GET_DUMPABLE, PR_GET_NAME, PR_GET_NO_NEW_PRIVS, PR_GET_PDEATHSIG, PR_GET_TID_ADDRESS,
  PR_SET_CHILD_SUBREAPER, PR_SET_DUMPABLE, PR_SET_NAME, PR_SET_NO_NEW_PRIVS, PR_SET_PDEATHSIG, PRIO_PGRP, PRIO_PROCESS,
  PRIO_USER, RUSAGE_CHILDREN, RUSAGE_SELF, RUSAGE_THREAD, SIZEOF_RUSAGE,
} from '../../abi/process.js';
import type { Kernel } from '../kernel.js';
import { copy_from_user, copy_to_user, put_user_u32, put_user_u64, strncpy_from_user } from '../mm/uaccess.js';
import { _NSIG } from '../signal.js';
import type { Task } from '../task.js';
import { ptr, type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import { __NR_getpriority, __NR_getrusage, __NR_prctl, __NR_setpriority, __NR_times } from '../../abi/syscalls.js';
import { ktime_get_ms } from '../ktime.js';

const reported = new WeakMap<Kernel, Set<number>>();

/** Linux prctl(): the options kemu keeps; others are EINVAL (as Linux answers unknown ones), reported once. */
export function sys_prctl(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const option = a.int(0);
  const arg2 = a[1];
  switch (option) {
    case PR_SET_NAME: {
      // Linux: strncpy_from_user of at most TASK_COMM_LEN - 1 bytes; a longer name is cut.
      const s = strncpy_from_user(t.mm!, ptr(arg2), TASK_COMM_LEN - 1);
      const name = s === 'toolong' ? copy_from_user(t.mm!, ptr(arg2), TASK_COMM_LEN - 1) : s;
      if (!name) return -EFAULT;
      t.comm = Buffer.from(name).toString('latin1');
      return 0;
    }
    case PR_GET_NAME: {
      const out = new Uint8Array(TASK_COMM_LEN);
      out.set(Buffer.from(t.comm, 'latin1').subarray(0, TASK_COMM_LEN - 1));
      return copy_to_user(t.mm!, ptr(arg2), out) ? 0 : -EFAULT;
    }
    case PR_SET_PDEATHSIG: {
      const sig = Number(arg2 > 1000n ? 1000n : arg2);
      if (sig < 0 || sig > _NSIG) return -EINVAL;
      t.pdeath_signal = sig;
      return 0;
    }
    case PR_GET_PDEATHSIG: return put_user_u32(t.mm!, ptr(arg2), t.pdeath_signal) ? 0 : -EFAULT;
    case PR_GET_DUMPABLE: return t.dumpable;
    case PR_SET_DUMPABLE:
      if (arg2 !== 0n && arg2 !== 1n) return -EINVAL;
      t.dumpable = Number(arg2);
      return 0;
    case PR_SET_CHILD_SUBREAPER: t.signal.is_child_subreaper = arg2 !== 0n; return 0;
    case PR_GET_CHILD_SUBREAPER: return put_user_u32(t.mm!, ptr(arg2), t.signal.is_child_subreaper ? 1 : 0) ? 0 : -EFAULT;
    case PR_SET_NO_NEW_PRIVS:
      if (arg2 !== 1n || a[2] || a[3] || a[4]) return -EINVAL;
      t.no_new_privs = true;
      return 0;
    case PR_GET_NO_NEW_PRIVS:
      if (arg2 || a[2] || a[3] || a[4]) return -EINVAL;
      return t.no_new_privs ? 1 : 0;
    case PR_GET_TID_ADDRESS: return put_user_u64(t.mm!, ptr(arg2), BigInt(t.clear_child_tid)) ? 0 : -EFAULT;
    default: {
      let s = reported.get(k);
      if (!s) reported.set(k, (s = new Set()));
      if (!s.has(option)) { s.add(option); k.log(`pid ${t.pid}: prctl option ${option} is not implemented; returned -EINVAL`); }
      return -EINVAL;
    }
  }
}

/** The processes `which`/`who` name (Linux kernel/sys.c getpriority/setpriority). */
function prio_targets(k: Kernel, t: Task, which: number, who: number): Task[] | number {
  const leaders = [...k.tasks.values()].filter((p) => p.alive && p.isLeader);
  switch (which) {
    case PRIO_PROCESS: {
      const p = who ? k.tasks.get(who) : t;
      return p && p.alive ? [p] : [];
    }
    case PRIO_PGRP: return leaders.filter((p) => p.signal.pgrp === (who || t.signal.pgrp));
    case PRIO_USER: return leaders.filter((p) => p.cred.uid === (who || t.cred.uid));
    default: return -EINVAL;
  }
}

/** Linux getpriority(): 20 - nice of the highest-priority target (so the result is never negative); ESRCH for none. */
export function sys_getpriority(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const ps = prio_targets(k, t, a.int(0), a.int(1));
  if (typeof ps === 'number') return ps;
  if (ps.length === 0) return -ESRCH;
  return Math.max(...ps.map((p) => 20 - p.signal.nice));
}

/** Linux setpriority(): nice clamped to [-20, 19]; lowering it needs CAP_SYS_NICE (EACCES otherwise). */
export function sys_setpriority(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const ps = prio_targets(k, t, a.int(0), a.int(1));
  if (typeof ps === 'number') return ps;
  if (ps.length === 0) return -ESRCH;
  const nice = Math.min(19, Math.max(-20, a.int(2)));
  for (const p of ps) {
    if (nice < p.signal.nice && t.cred.euid !== 0) return -13; // EACCES: can_nice()
    if (t.cred.euid !== 0 && t.cred.euid !== p.cred.uid) return -EPERM;
    p.signal.nice = nice;
  }
  return 0;
}

function process_utime(t: Task): number {
  let ms = 0;
  for (const th of t.signal.threads) ms += th.utime_ms;
  return ms;
}

/** Linux getrusage(): user time (kemu's time running guest code); system time and the counters are 0. */
export function sys_getrusage(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const who = a.int(0);
  let ms: number;
  if (who === RUSAGE_SELF) ms = process_utime(t);
  else if (who === RUSAGE_CHILDREN) ms = t.signal.cutime_ms;
  else if (who === RUSAGE_THREAD) ms = t.utime_ms;
  else return -EINVAL;
  const out = new Uint8Array(SIZEOF_RUSAGE);
  const v = new DataView(out.buffer);
  v.setBigInt64(0, BigInt(Math.floor(ms / 1000)), true);
  v.setBigInt64(8, BigInt(Math.floor((ms % 1000) * 1000)), true);
  return copy_to_user(t.mm!, a.ptr(1), out) ? 0 : -EFAULT;
}

const bootMs = ktime_get_ms();
/** Linux USER_HZ: times() counts clock ticks of 1/100 s. */
const USER_HZ = 100;
/** Linux INITIAL_JIFFIES makes the tick count wrap 5 minutes after boot; x86-64 times() reports it offset as clock_t. */
const ticks = (ms: number): bigint => BigInt(Math.floor(ms * USER_HZ / 1000));

/** Linux times(): struct tms of clock ticks, and the ticks since boot. */
export function sys_times(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  if (!a.zero(0)) {
    const out = new Uint8Array(32);
    const v = new DataView(out.buffer);
    v.setBigInt64(0, ticks(process_utime(t)), true);
    v.setBigInt64(16, ticks(t.signal.cutime_ms), true);
    if (!copy_to_user(t.mm!, a.ptr(0), out)) return -EFAULT;
  }
  return ticks(ktime_get_ms() - bootMs + 1000);
}

/** This family's rows of the syscall table (see table.ts). */
export const SYS_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_times, handler: sys_times, support: 'partial', note: 'system time is 0', args: ['ptr'] },
  { nr: __NR_getpriority, handler: sys_getpriority, support: 'partial', note: 'kept, not weighed by the scheduler', args: ['int', 'int'] },
  { nr: __NR_setpriority, handler: sys_setpriority, support: 'partial', note: 'kept, not weighed by the scheduler', args: ['int', 'int', 'int'] },
  { nr: __NR_getrusage, handler: sys_getrusage, support: 'partial', note: 'user time only', args: ['int', 'ptr'] },
  { nr: __NR_prctl, handler: sys_prctl, support: 'partial', note: 'names, pdeathsig, dumpable, subreaper, no_new_privs, tid address', args: ['int', 'hex', 'hex', 'hex', 'hex'] },
];
