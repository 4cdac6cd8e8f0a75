/**
 * Signal syscalls: Linux kernel/signal.c (rt_sigaction, rt_sigprocmask,
 * rt_sigpending, rt_sigsuspend, pause, sigaltstack, kill, tkill, tgkill,
 * rt_sigqueueinfo) and arch/x86/kernel/signal_64.c (rt_sigreturn).
 * Delivery happens on the way back to user space (the scheduler calls
 * do_signal), so a signal a task sends itself acts before the syscall
 * "returns", as in Linux.
 */

import { EAGAIN, EFAULT, EINVAL, EPERM, ERESTARTNOHAND, ESRCH } from '../../abi/errno.js';
import {
  SA_EXPOSE_TAGBITS, SA_NOCLDSTOP, SA_NOCLDWAIT, SA_NODEFER, SA_ONSTACK, SA_RESETHAND, SA_RESTART, SA_RESTORER, SA_SIGINFO,
  SI_KERNEL, SI_TKILL, SIG_BLOCK, SIG_SETMASK, SIG_UNBLOCK, SIGKILL, sigmask, SIGSEGV, SIGSTOP, SS_AUTODISARM,
} from '../../abi/signal.js';
import { RSP } from '../../emulator/regs.js';
import type { Kernel } from '../kernel.js';
import { copy_from_user, copy_to_user } from '../mm/uaccess.js';
import { _NSIG, dequeue_signal_mask, flush_sigqueue_mask, sig_handler_ignored, signal_pending, UNBLOCKABLE } from '../signal.js';
import { force_sig_fault, kill_info, send_signal_info } from '../signal_deliver.js';
import { do_sigaltstack, encode_siginfo, restore_rt_frame, sas_ss_flags } from '../signal_frame.js';
import type { Task } from '../task.js';
import { sleep_on } from '../wait.js';
import { NO_RETURN, type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import {
  __NR_kill, __NR_pause, __NR_rt_sigaction, __NR_rt_sigpending, __NR_rt_sigprocmask, __NR_rt_sigqueueinfo,
  __NR_rt_sigreturn, __NR_rt_sigsuspend, __NR_rt_sigtimedwait, __NR_rt_tgsigqueueinfo, __NR_sigaltstack, __NR_tgkill, __NR_tkill,
} from '../../abi/syscalls.js';
import { ktime_get_ms } from '../ktime.js';

/** Linux: the kernel's sigset_t on x86-64 is 8 bytes; any other sigsetsize is EINVAL. */
const SIGSET_SIZE = 8n;
/** Linux 5.11+ kernel/signal.c UAPI_SA_FLAGS: unknown sa_flags bits are cleared, so a program can probe for them. */
const UAPI_SA_FLAGS = BigInt(SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_ONSTACK | SA_RESTART | SA_NODEFER |
  SA_EXPOSE_TAGBITS | SA_RESTORER) | BigInt(SA_RESETHAND >>> 0);

function getSigset(t: Task, addr: number): bigint | null {
  const raw = copy_from_user(t.mm!, addr, 8);
  return raw ? new DataView(raw.buffer).getBigUint64(0, true) : null;
}

function putSigset(t: Task, addr: number, set: bigint, size = 8): boolean {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, set, true);
  return copy_to_user(t.mm!, addr, out.subarray(0, size));
}

/** Linux do_sigaction(): also drops pending signals the new action ignores (POSIX 3.3.1.3). */
export function sys_rt_sigaction(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const sig = a.int(0);
  if (a[3] !== SIGSET_SIZE) return -EINVAL;
  if (sig < 1 || sig > _NSIG) return -EINVAL;
  if (!a.zero(1) && (sig === SIGKILL || sig === SIGSTOP)) return -EINVAL;
  const cur = t.sighand.action[sig]!;
  let next = cur;
  if (!a.zero(1)) {
    const raw = copy_from_user(t.mm!, a.ptr(1), 32);
    if (!raw) return -EFAULT;
    const v = new DataView(raw.buffer);
    next = {
      handler: v.getBigUint64(0, true),
      flags: v.getBigUint64(8, true) & UAPI_SA_FLAGS,
      restorer: v.getBigUint64(16, true),
      mask: v.getBigUint64(24, true) & ~UNBLOCKABLE,
    };
  }
  const old = { ...cur };
  if (next !== cur) {
    t.sighand.action[sig] = next;
    if (sig_handler_ignored(next.handler, sig)) {
      flush_sigqueue_mask(t.signal.shared_pending, sigmask(sig));
      for (const th of t.signal.threads) flush_sigqueue_mask(th.pending, sigmask(sig));
    }
  }
  if (!a.zero(2)) {
    const out = new Uint8Array(32);
    const v = new DataView(out.buffer);
    v.setBigUint64(0, old.handler, true);
    v.setBigUint64(8, old.flags, true);
    v.setBigUint64(16, old.restorer, true);
    v.setBigUint64(24, old.mask, true);
    if (!copy_to_user(t.mm!, a.ptr(2), out)) return -EFAULT;
  }
  return 0;
}

/** Linux sigprocmask(): SIGKILL and SIGSTOP are never blocked. */
export function sys_rt_sigprocmask(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const how = a.int(0);
  if (a[3] !== SIGSET_SIZE) return -EINVAL;
  const old = t.blocked;
  if (!a.zero(1)) {
    const got = getSigset(t, a.ptr(1));
    if (got === null) return -EFAULT;
    const set = got & ~UNBLOCKABLE;
    if (how === SIG_BLOCK) t.blocked |= set;
    else if (how === SIG_UNBLOCK) t.blocked &= ~set;
    else if (how === SIG_SETMASK) t.blocked = set;
    else return -EINVAL;
  }
  if (!a.zero(2) && !putSigset(t, a.ptr(2), old)) return -EFAULT;
  return 0;
}

/** Linux do_sigpending(): blocked signals that are pending, for this thread and its process. */
export function sys_rt_sigpending(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  if (a[1] > SIGSET_SIZE) return -EINVAL;
  const set = (t.pending.signal | t.signal.shared_pending.signal) & t.blocked;
  return putSigset(t, a.ptr(0), set, Number(a[1])) ? 0 : -EFAULT;
}

/**
 * Linux sigsuspend(): wait for a signal with `mask` in force; the old mask
 * comes back once a handler's frame holds it. Always ends with EINTR.
 */
export function sys_rt_sigsuspend(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  if (a[1] !== SIGSET_SIZE) return -EINVAL;
  const mask = getSigset(t, a.ptr(0));
  if (mask === null) return -EFAULT;
  if (!t.restore_sigmask) t.saved_sigmask = t.blocked;
  t.restore_sigmask = true;
  t.blocked = mask & ~UNBLOCKABLE;
  if (!signal_pending(t)) sleep_on(t, []);
  return -ERESTARTNOHAND;
}

/** Linux sys_pause(): sleep until a signal handler runs (or the signal kills). */
export function sys_pause(_k: Kernel, t: Task): SyscallResult {
  if (!signal_pending(t)) sleep_on(t, []);
  return -ERESTARTNOHAND;
}

/** Linux rt_sigreturn(): back from a handler; a bad frame is SIGSEGV. */
export function sys_rt_sigreturn(_k: Kernel, t: Task): SyscallResult {
  if (!restore_rt_frame(t)) force_sig_fault(t, SIGSEGV, SI_KERNEL, 0n);
  return NO_RETURN;
}

/** Linux do_sigaltstack() for the syscall: the old stack is reported as it was before the change. */
export function sys_sigaltstack(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const sp = Number(t.cpu!.getReg(RSP));
  let ss = null;
  if (!a.zero(0)) {
    const raw = copy_from_user(t.mm!, a.ptr(0), 24);
    if (!raw) return -EFAULT;
    const v = new DataView(raw.buffer);
    ss = { sp: Number(v.getBigUint64(0, true)), flags: v.getInt32(8, true), size: Number(v.getBigUint64(16, true)) };
  }
  const old = { sp: t.sas_ss_sp, size: t.sas_ss_size, flags: sas_ss_flags(t, sp) | (t.sas_ss_flags & SS_AUTODISARM) };
  const r = do_sigaltstack(t, ss, sp);
  if (r < 0) return r;
  if (!a.zero(1)) {
    const out = new Uint8Array(24);
    const v = new DataView(out.buffer);
    v.setBigUint64(0, BigInt(old.sp), true);
    v.setInt32(8, old.flags, true);
    v.setBigUint64(16, BigInt(old.size), true);
    if (!copy_to_user(t.mm!, a.ptr(1), out)) return -EFAULT;
  }
  return 0;
}

const validSig = (sig: number): boolean => sig >= 0 && sig <= _NSIG;
const exists = (x: Task | undefined): x is Task => !!x && x.state !== 'dead';

/**
 * Linux kill_something_info(): pid > 0 the process holding that pid; 0 the
 * caller's process group; -1 every process but init and the caller; < -1
 * the group -pid. Signal 0 checks only that the target exists.
 */
export function sys_kill(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const pid = a.int(0);
  const sig = a.int(1);
  let targets: Task[];
  if (pid > 0) {
    const p = k.tasks.get(pid);
    if (!exists(p)) return -ESRCH;
    targets = [p.group_leader.state === 'dead' ? p : p.group_leader];
  } else if (pid === -1) {
    targets = [...k.tasks.values()].filter((p) => exists(p) && p.isLeader && p.pid > 1 && p.signal !== t.signal);
  } else {
    if (pid === -2147483648) return -ESRCH; // Linux: -INT_MIN is not a process group
    const pgrp = pid === 0 ? t.signal.pgrp : -pid;
    targets = [...k.tasks.values()].filter((p) => exists(p) && p.isLeader && p.signal.pgrp === pgrp);
  }
  if (targets.length === 0) return -ESRCH;
  if (!validSig(sig)) return -EINVAL;
  if (sig !== 0) for (const p of targets) send_signal_info(k, sig, kill_info(sig, t), p, 'process');
  return 0;
}

/** Linux do_send_specific(): one thread, SI_TKILL. */
function do_tkill(k: Kernel, t: Task, tgid: number, tid: number, sig: number): number {
  const p = k.tasks.get(tid);
  if (!exists(p) || (tgid > 0 && p.tgid !== tgid)) return -ESRCH;
  if (!validSig(sig)) return -EINVAL;
  if (sig) send_signal_info(k, sig, kill_info(sig, t, SI_TKILL), p, 'thread');
  return 0;
}

export function sys_tgkill(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const tgid = a.int(0);
  const tid = a.int(1);
  if (tgid <= 0 || tid <= 0) return -EINVAL;
  return do_tkill(k, t, tgid, tid, a.int(2));
}

export function sys_tkill(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const tid = a.int(0);
  if (tid <= 0) return -EINVAL;
  return do_tkill(k, t, 0, tid, a.int(1));
}

/**
 * Linux do_rt_sigqueueinfo(): a signal with the caller's siginfo (its
 * si_value reaches an SA_SIGINFO handler). Pretending to be the kernel or
 * kill(2) (si_code >= 0) is EPERM for another process.
 */
function do_sigqueueinfo(k: Kernel, t: Task, p: Task | undefined, sig: number, uinfo: number, type: 'process' | 'thread'): number {
  const raw = copy_from_user(t.mm!, uinfo, 128);
  if (!raw) return -EFAULT;
  if (!exists(p)) return -ESRCH;
  const v = new DataView(raw.buffer);
  const code = v.getInt32(8, true);
  if ((code >= 0 || code === SI_TKILL) && p.signal !== t.signal) return -EPERM;
  if (!validSig(sig)) return -EINVAL;
  if (sig) {
    send_signal_info(k, sig, {
      signo: sig, errno: v.getInt32(4, true), code, pid: v.getInt32(16, true), uid: v.getUint32(20, true),
      value: v.getBigUint64(24, true),
    }, p, type);
  }
  return 0;
}

export const sys_rt_sigqueueinfo = (k: Kernel, t: Task, a: SyscallArgs): SyscallResult =>
  do_sigqueueinfo(k, t, k.tasks.get(a.int(0))?.group_leader, a.int(1), a.ptr(2), 'process');

export function sys_rt_tgsigqueueinfo(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const tgid = a.int(0);
  const tid = a.int(1);
  if (tgid <= 0 || tid <= 0) return -EINVAL;
  const p = k.tasks.get(tid);
  return do_sigqueueinfo(k, t, p && p.tgid === tgid ? p : undefined, a.int(2), a.ptr(3), 'thread');
}

/**
 * Linux do_sigtimedwait(): take a signal of `set` (blocked or not) with
 * its siginfo, sleeping until one comes or the timeout passes (EAGAIN); a
 * signal outside the set that runs a handler ends it with EINTR.
 */
export function sys_rt_sigtimedwait(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  if (a[3] !== SIGSET_SIZE) return -EINVAL;
  const got = getSigset(t, a.ptr(0));
  if (got === null) return -EFAULT;
  const these = got & ~UNBLOCKABLE;
  const rb = t.restart_block!;
  if (rb.deadline === undefined) {
    rb.deadline = Infinity;
    if (!a.zero(2)) {
      const raw = copy_from_user(t.mm!, a.ptr(2), 16);
      if (!raw) return -EFAULT;
      const v = new DataView(raw.buffer);
      const sec = v.getBigInt64(0, true);
      const nsec = v.getBigInt64(8, true);
      if (sec < 0n || nsec < 0n || nsec >= 1_000_000_000n) return -EINVAL;
      rb.deadline = ktime_get_ms() + Number(sec) * 1000 + Number(nsec) / 1e6;
    }
  }
  t.sigwait_set = 0n;
  const info = dequeue_signal_mask(t, these);
  if (info) {
    if (!a.zero(1) && !copy_to_user(t.mm!, a.ptr(1), encode_siginfo(info))) return -EFAULT;
    return info.signo;
  }
  if (ktime_get_ms() >= rb.deadline) return -EAGAIN;
  t.sigwait_set = these;
  rb.cleanup = () => { t.sigwait_set = 0n; };
  if (!signal_pending(t)) sleep_on(t, [], Number.isFinite(rb.deadline) ? { deadline: rb.deadline } : {});
  return -ERESTARTNOHAND;
}

/** This family's rows of the syscall table (see table.ts). */
export const SIGNAL_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_rt_sigaction, handler: sys_rt_sigaction, support: 'full', args: ['int', 'ptr', 'ptr', 'uint'] },
  { nr: __NR_rt_sigprocmask, handler: sys_rt_sigprocmask, support: 'full', args: ['int', 'ptr', 'ptr', 'uint'] },
  { nr: __NR_rt_sigreturn, handler: sys_rt_sigreturn, support: 'full', args: [] },
  { nr: __NR_pause, handler: sys_pause, support: 'full', args: [] },
  { nr: __NR_kill, handler: sys_kill, support: 'full', args: ['int', 'int'] },
  { nr: __NR_rt_sigpending, handler: sys_rt_sigpending, support: 'full', args: ['ptr', 'uint'] },
  { nr: __NR_rt_sigqueueinfo, handler: sys_rt_sigqueueinfo, support: 'full', args: ['int', 'int', 'ptr'] },
  { nr: __NR_rt_sigsuspend, handler: sys_rt_sigsuspend, support: 'full', args: ['ptr', 'uint'] },
  { nr: __NR_sigaltstack, handler: sys_sigaltstack, support: 'full', args: ['ptr', 'ptr'] },
  { nr: __NR_rt_sigtimedwait, handler: sys_rt_sigtimedwait, support: 'full', args: ['ptr', 'ptr', 'ptr', 'uint'] },
  { nr: __NR_tkill, handler: sys_tkill, support: 'full', args: ['int', 'int'] },
  { nr: __NR_tgkill, handler: sys_tgkill, support: 'full', args: ['int', 'int', 'int'] },
  { nr: __NR_rt_tgsigqueueinfo, handler: sys_rt_tgsigqueueinfo, support: 'full', args: ['int', 'int', 'int', 'ptr'] },
];
