/**
 * Waiting for children: Linux kernel/exit.c (do_wait, wait_consider_task,
 * wait_task_zombie, wait_task_stopped, wait_task_continued, kernel_wait4,
 * kernel_waitid). A parent with eligible children but nothing to report
 * sleeps on its signal->wait_chldexit until a child changes state.
 */

import { ECHILD, EFAULT, EINVAL, ERESTARTSYS, ESRCH } from '../../abi/errno.js';
import {
  P_ALL, P_PGID, P_PID, W_CONTINUED, W_STOPCODE, __WALL, __WCLONE, __WNOTHREAD, WCONTINUED, WEXITED, WNOHANG, WNOWAIT,
  WUNTRACED, SIZEOF_RUSAGE,
} from '../../abi/process.js';
import { CLD_CONTINUED, CLD_DUMPED, CLD_EXITED, CLD_KILLED, CLD_STOPPED, SIGCHLD, SIGCONT } from '../../abi/signal.js';
import { release_task } from '../exit.js';
import type { Kernel } from '../kernel.js';
import { copy_to_user, put_user_u32 } from '../mm/uaccess.js';
import { signal_pending } from '../signal.js';
import { SIGNAL_GROUP_EXIT, SIGNAL_STOP_CONTINUED, SIGNAL_STOP_STOPPED, type Task } from '../task.js';
import { sleep_on } from '../wait.js';
import { type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import { __NR_wait4, __NR_waitid } from '../../abi/syscalls.js';

/** Linux struct wait_opts. */
interface WaitOpts {
  type: 'pid' | 'pgid' | 'all';
  id: number;
  flags: number;
}

/** What a successful wait reports (Linux struct waitid_info plus the wait4 status word). */
interface WaitResult {
  pid: number;
  uid: number;
  /** CLD_* for waitid. */
  cause: number;
  /** waitid's si_status: exit code or signal. */
  status: number;
  /** wait4's status word. */
  word: number;
  utime_ms: number;
}

/** Linux eligible_pid() + eligible_child(): __WALL takes all, __WCLONE only "clone" children. */
function eligible(wo: WaitOpts, p: Task): boolean {
  if (wo.type === 'pid' && p.pid !== wo.id) return false;
  if (wo.type === 'pgid' && p.signal.pgrp !== wo.id) return false;
  if (wo.flags & __WALL) return true;
  return (p.exit_signal !== SIGCHLD) === ((wo.flags & __WCLONE) !== 0);
}

/** Linux wait_task_zombie(): report (and unless WNOWAIT reap) a child that has ended. */
function wait_task_zombie(k: Kernel, t: Task, wo: WaitOpts, p: Task): WaitResult | null {
  if (!(wo.flags & WEXITED)) return null;
  const word = p.signal.flags & SIGNAL_GROUP_EXIT ? p.signal.group_exit_code : p.exit_code;
  const r: WaitResult = { pid: p.tgid, uid: p.cred.uid, cause: CLD_EXITED, status: (word >> 8) & 0xff, word, utime_ms: p.utime_ms };
  if (word & 0x7f) { r.cause = word & 0x80 ? CLD_DUMPED : CLD_KILLED; r.status = word & 0x7f; }
  if (!(wo.flags & WNOWAIT)) {
    // Linux wait_task_zombie(): the child's times join the parent's cutime.
    t.signal.cutime_ms += p.utime_ms + p.signal.cutime_ms;
    release_task(k, p);
  }
  return r;
}

/** Linux wait_task_stopped(): a stopped child not yet reported. */
function wait_task_stopped(wo: WaitOpts, p: Task): WaitResult | null {
  if (!(wo.flags & WUNTRACED)) return null;
  const s = p.signal;
  if (!(s.flags & SIGNAL_STOP_STOPPED) || !s.stop_code || s.stop_reported) return null;
  if (!(wo.flags & WNOWAIT)) s.stop_reported = true;
  return { pid: p.tgid, uid: p.cred.uid, cause: CLD_STOPPED, status: s.stop_code, word: W_STOPCODE(s.stop_code), utime_ms: p.utime_ms };
}

/** Linux wait_task_continued(). */
function wait_task_continued(wo: WaitOpts, p: Task): WaitResult | null {
  if (!(wo.flags & WCONTINUED)) return null;
  if (!(p.signal.flags & SIGNAL_STOP_CONTINUED)) return null;
  if (!(wo.flags & WNOWAIT)) p.signal.flags &= ~SIGNAL_STOP_CONTINUED;
  return { pid: p.tgid, uid: p.cred.uid, cause: CLD_CONTINUED, status: SIGCONT, word: W_CONTINUED, utime_ms: p.utime_ms };
}

/**
 * Linux do_wait(): a report, 0 for WNOHANG with nothing to report, -ECHILD
 * when no child is eligible, or -ERESTARTSYS after putting `t` to sleep.
 */
function do_wait(k: Kernel, t: Task, wo: WaitOpts): WaitResult | number {
  let any = false;
  const threads = wo.flags & __WNOTHREAD ? [t] : [...t.signal.threads];
  for (const th of threads) {
    for (const p of [...th.children]) {
      if (p.state === 'dead' || !eligible(wo, p)) continue;
      any = true;
      if (p.state === 'zombie') {
        // Linux delay_group_leader(): a leader whose threads still run is not reported yet.
        if (p.signal.threads.size === 0) {
          const r = wait_task_zombie(k, t, wo, p);
          if (r) return r;
        }
        continue;
      }
      const r = wait_task_stopped(wo, p) ?? wait_task_continued(wo, p);
      if (r) return r;
    }
  }
  if (!any) return -ECHILD;
  if (wo.flags & WNOHANG) return 0;
  if (!signal_pending(t)) sleep_on(t, [t.signal.wait_chldexit]);
  return -ERESTARTSYS;
}

/** struct rusage for a reaped child: its user time; the rest zero. */
function rusage(r: WaitResult | null): Uint8Array {
  const out = new Uint8Array(SIZEOF_RUSAGE);
  if (r) {
    const v = new DataView(out.buffer);
    v.setBigInt64(0, BigInt(Math.floor(r.utime_ms / 1000)), true);
    v.setBigInt64(8, BigInt(Math.floor((r.utime_ms % 1000) * 1000)), true);
  }
  return out;
}

/** Linux kernel_wait4(): pid > 0 that child, 0 the caller's group, -1 any, < -1 the group -pid. */
export function sys_wait4(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const upid = a.int(0);
  const options = a.int(2);
  if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)) return -EINVAL;
  if (upid === -2147483648) return -ESRCH; // -INT_MIN is not defined
  const wo: WaitOpts = upid === -1 ? { type: 'all', id: 0, flags: 0 }
    : upid < 0 ? { type: 'pgid', id: -upid, flags: 0 }
      : upid === 0 ? { type: 'pgid', id: t.signal.pgrp, flags: 0 } : { type: 'pid', id: upid, flags: 0 };
  wo.flags = options | WEXITED;
  const r = do_wait(k, t, wo);
  if (typeof r === 'number') return r;
  if (!a.zero(1) && !put_user_u32(t.mm!, a.ptr(1), r.word)) return -EFAULT;
  if (!a.zero(3) && !copy_to_user(t.mm!, a.ptr(3), rusage(r))) return -EFAULT;
  return r.pid;
}

/** Linux waitid(): returns 0; the siginfo says what happened (all zero for WNOHANG with nothing). */
export function sys_waitid(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const which = a.int(0);
  const upid = a.int(1);
  const options = a.int(3);
  if (options & ~(WNOHANG | WNOWAIT | WEXITED | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)) return -EINVAL;
  if (!(options & (WEXITED | WUNTRACED | WCONTINUED))) return -EINVAL;
  let wo: WaitOpts;
  switch (which) {
    case P_ALL: wo = { type: 'all', id: 0, flags: options }; break;
    case P_PID:
      if (upid <= 0) return -EINVAL;
      wo = { type: 'pid', id: upid, flags: options };
      break;
    case P_PGID:
      if (upid < 0) return -EINVAL;
      wo = { type: 'pgid', id: upid || t.signal.pgrp, flags: options };
      break;
    default: return -EINVAL; // P_PIDFD: kemu has no pidfds
  }
  const r = do_wait(k, t, wo);
  if (typeof r === 'number' && r < 0) return r;
  const got = typeof r === 'number' ? null : r;
  if (!a.zero(4) && got && !copy_to_user(t.mm!, a.ptr(4), rusage(got))) return -EFAULT;
  if (a.zero(2)) return 0;
  const info = new Uint8Array(128);
  const v = new DataView(info.buffer);
  if (got) {
    v.setInt32(0, SIGCHLD, true);
    v.setInt32(8, got.cause, true);
    v.setInt32(16, got.pid, true);
    v.setUint32(20, got.uid, true);
    v.setInt32(24, got.status, true);
  }
  // Linux writes the six fields one by one: the padding after si_code is left alone.
  const at = a.ptr(2);
  return copy_to_user(t.mm!, at, info.subarray(0, 12)) && copy_to_user(t.mm!, at + 16, info.subarray(16, 28)) ? 0 : -EFAULT;
}

/** This family's rows of the syscall table (see table.ts). */
export const WAIT_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_wait4, handler: sys_wait4, support: 'full', args: ['int', 'ptr', 'hex', 'ptr'] },
  { nr: __NR_waitid, handler: sys_waitid, support: 'partial', note: 'no P_PIDFD', args: ['int', 'int', 'ptr', 'hex', 'ptr'] },
];
