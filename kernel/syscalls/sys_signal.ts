/**
 * Signal syscalls: Linux kernel/signal.c (rt_sigaction, rt_sigprocmask,
 * kill, tkill, tgkill). Delivery happens on the way back to user space
 * (kernel.runSlice -> handle_pending_signals), so a signal a task sends
 * itself acts before the syscall "returns", as in Linux.
 */

import { EFAULT, EINVAL, ESRCH } from '../../abi/errno.js';
import { SIG_BLOCK, SIG_SETMASK, SIG_UNBLOCK, SIGKILL, SIGSTOP } from '../../abi/signal.js';
import type { Kernel } from '../kernel.js';
import { copy_from_user, copy_to_user } from '../mm/uaccess.js';
import { _NSIG, UNBLOCKABLE } from '../signal.js';
import { send_signal } from '../signal_deliver.js';
import type { Task } from '../task.js';
import { int, ptr, type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import { __NR_kill, __NR_rt_sigaction, __NR_rt_sigprocmask, __NR_tgkill, __NR_tkill } from '../../abi/syscalls.js';

/** Linux: the kernel's sigset_t on x86-64 is 8 bytes; any other sigsetsize is EINVAL. */
const SIGSET_SIZE = 8n;

export function sys_rt_sigaction(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const sig = int(a[0]);
  if (a[3] !== SIGSET_SIZE) return -EINVAL;
  if (sig < 1 || sig > _NSIG) return -EINVAL;
  const act = ptr(a[1]);
  const oact = ptr(a[2]);
  if (a[1] !== 0n && (sig === SIGKILL || sig === SIGSTOP)) return -EINVAL;
  const cur = t.sighand.action[sig]!;
  let next = cur;
  if (a[1] !== 0n) {
    const raw = copy_from_user(t.mm!, act, 32);
    if (!raw) return -EFAULT;
    const v = new DataView(raw.buffer);
    next = {
      handler: v.getBigUint64(0, true),
      flags: v.getBigUint64(8, true),
      restorer: v.getBigUint64(16, true),
      mask: v.getBigUint64(24, true) & ~UNBLOCKABLE,
    };
  }
  if (a[2] !== 0n) {
    const out = new Uint8Array(32);
    const v = new DataView(out.buffer);
    v.setBigUint64(0, cur.handler, true);
    v.setBigUint64(8, cur.flags, true);
    v.setBigUint64(16, cur.restorer, true);
    v.setBigUint64(24, cur.mask, true);
    if (!copy_to_user(t.mm!, oact, out)) return -EFAULT;
  }
  t.sighand.action[sig] = next;
  return 0;
}

export function sys_rt_sigprocmask(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const how = int(a[0]);
  if (a[3] !== SIGSET_SIZE) return -EINVAL;
  const old = t.blocked;
  if (a[1] !== 0n) {
    const raw = copy_from_user(t.mm!, ptr(a[1]), 8);
    if (!raw) return -EFAULT;
    const set = new DataView(raw.buffer).getBigUint64(0, true) & ~UNBLOCKABLE;
    if (how === SIG_BLOCK) t.blocked |= set;
    else if (how === SIG_UNBLOCK) t.blocked &= ~set;
    else if (how === SIG_SETMASK) t.blocked = set;
    else return -EINVAL;
  }
  if (a[2] !== 0n) {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, old, true);
    if (!copy_to_user(t.mm!, ptr(a[2]), out)) return -EFAULT;
  }
  return 0;
}

function validSig(sig: number): boolean {
  return sig >= 0 && sig <= _NSIG;
}

/** Linux kill_something_info: pid > 0 one process; 0 the caller's group; -1 everyone but init; < -1 a group. */
export function sys_kill(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const pid = int(a[0]);
  const sig = int(a[1]);
  if (!validSig(sig)) return -EINVAL;
  const targets = [...k.tasks.values()].filter((x) =>
    x.state !== 'dead' && x.state !== 'zombie' &&
    (pid > 0 ? x.tgid === pid && x.pid === x.tgid : pid === -1 ? x.pid !== 1 : true));
  if (targets.length === 0) return -ESRCH;
  if (sig !== 0) for (const x of targets) send_signal(x, sig);
  void t;
  return 0;
}

export function sys_tgkill(k: Kernel, _t: Task, a: SyscallArgs): SyscallResult {
  const tgid = int(a[0]);
  const tid = int(a[1]);
  const sig = int(a[2]);
  if (tgid <= 0 || tid <= 0 || !validSig(sig)) return -EINVAL;
  const x = k.tasks.get(tid);
  if (!x || x.tgid !== tgid || x.state === 'zombie' || x.state === 'dead') return -ESRCH;
  if (sig) send_signal(x, sig);
  return 0;
}

export function sys_tkill(k: Kernel, _t: Task, a: SyscallArgs): SyscallResult {
  const tid = int(a[0]);
  const sig = int(a[1]);
  if (tid <= 0 || !validSig(sig)) return -EINVAL;
  const x = k.tasks.get(tid);
  if (!x || x.state === 'zombie' || x.state === 'dead') return -ESRCH;
  if (sig) send_signal(x, sig);
  return 0;
}

/** This family's rows of the syscall table (see table.ts). */
export const SIGNAL_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_rt_sigaction, handler: sys_rt_sigaction, support: 'partial', note: 'handlers are recorded; running them arrives with signal frames', args: ['int', 'ptr', 'ptr', 'uint'] },
  { nr: __NR_rt_sigprocmask, handler: sys_rt_sigprocmask, support: 'full', args: ['int', 'ptr', 'ptr', 'uint'] },
  { nr: __NR_kill, handler: sys_kill, support: 'full', args: ['int', 'int'] },
  { nr: __NR_tkill, handler: sys_tkill, support: 'full', args: ['int', 'int'] },
  { nr: __NR_tgkill, handler: sys_tgkill, support: 'full', args: ['int', 'int', 'int'] },
];
