/**
 * Process creation syscalls: Linux kernel/fork.c (fork, vfork, clone,
 * clone3). Each decodes its arguments into a KernelCloneArgs and calls
 * kernel_clone (fork.ts).
 */

import { E2BIG, EFAULT, EINVAL } from '../../abi/errno.js';
import { PAGE_SIZE } from '../../abi/limits.js';
import {
  CLONE_ARGS, CLONE_ARGS_SIZE_VER0, CLONE_CLEAR_SIGHAND, CLONE_DETACHED, CLONE_INTO_CGROUP, CLONE_NEWTIME, CLONE_PARENT,
  CLONE_SIGHAND, CLONE_THREAD, CLONE_VFORK, CLONE_VM, CSIGNAL,
} from '../../abi/process.js';
import { SIGCHLD } from '../../abi/signal.js';
import { do_fork, kernel_clone } from '../fork.js';
import type { Kernel } from '../kernel.js';
import { copy_from_user } from '../mm/uaccess.js';
import { _NSIG } from '../signal.js';
import type { Task } from '../task.js';
import { ptr, type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import { __NR_clone, __NR_clone3, __NR_fork, __NR_vfork } from '../../abi/syscalls.js';

export const sys_fork = (k: Kernel, t: Task): SyscallResult => do_fork(k, t);

/** Linux sys_vfork: CLONE_VFORK | CLONE_VM, SIGCHLD; the parent sleeps until the child execs or exits. */
export const sys_vfork = (k: Kernel, t: Task): SyscallResult =>
  kernel_clone(k, t, { flags: BigInt(CLONE_VFORK | CLONE_VM), exit_signal: SIGCHLD, stack: 0, tls: 0n, parent_tid: 0, child_tid: 0 });

/** Linux sys_clone (x86-64 order): flags, newsp, parent_tidptr, child_tidptr, tls. */
export function sys_clone(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const low = a.uint(0);
  return kernel_clone(k, t, {
    flags: BigInt(low & ~CSIGNAL),
    exit_signal: low & CSIGNAL,
    stack: a.ulong(1),
    parent_tid: a.ptr(2),
    child_tid: a.ptr(3),
    tls: a[4],
  });
}

/** Linux clone3: struct clone_args, copied with copy_struct_from_user's rules, then clone3_args_valid(). */
export function sys_clone3(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const usize = a.ulong(1);
  if (usize > PAGE_SIZE) return -E2BIG;
  if (usize < CLONE_ARGS_SIZE_VER0) return -EINVAL;
  const raw = copy_from_user(t.mm!, a.ptr(0), usize);
  if (!raw) return -EFAULT;
  const known = 88; // CLONE_ARGS_SIZE_VER2
  if (usize > known && raw.subarray(known).some((b) => b !== 0)) return -E2BIG;
  const v = new DataView(new Uint8Array([...raw.subarray(0, Math.min(usize, known)), ...new Uint8Array(Math.max(0, known - usize))]).buffer);
  const u64 = (off: number): bigint => v.getBigUint64(off, true);
  const flags = u64(CLONE_ARGS.flags);
  const exit_signal = u64(CLONE_ARGS.exit_signal);
  const stack = u64(CLONE_ARGS.stack);
  const stack_size = u64(CLONE_ARGS.stack_size);
  const set_tid = u64(CLONE_ARGS.set_tid);
  const set_tid_size = u64(CLONE_ARGS.set_tid_size);
  if (set_tid_size > 32n) return -EINVAL; // MAX_PID_NS_LEVEL
  if ((!set_tid && set_tid_size) || (set_tid && !set_tid_size)) return -EINVAL;
  if ((exit_signal & ~BigInt(CSIGNAL)) || exit_signal > BigInt(_NSIG)) return -EINVAL;
  if (flags & CLONE_INTO_CGROUP) return -EINVAL; // kemu has no cgroups
  if (set_tid) { k.log('clone3: set_tid is not implemented; returned -EINVAL'); return -EINVAL; }
  // clone3_args_valid()
  if (flags & ~(0xffff_ffffn | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP)) return -EINVAL;
  if (flags & BigInt(CLONE_DETACHED | (CSIGNAL & ~CLONE_NEWTIME))) return -EINVAL;
  if ((flags & CLONE_CLEAR_SIGHAND) && (flags & BigInt(CLONE_SIGHAND))) return -EINVAL;
  if ((flags & BigInt(CLONE_THREAD | CLONE_PARENT)) && exit_signal) return -EINVAL;
  if ((!stack && stack_size) || (stack && !stack_size)) return -EINVAL;
  return kernel_clone(k, t, {
    flags,
    exit_signal: Number(exit_signal),
    stack: stack ? Number(stack + stack_size) : 0, // x86: the stack grows down from its top
    parent_tid: ptr(u64(CLONE_ARGS.parent_tid)),
    child_tid: ptr(u64(CLONE_ARGS.child_tid)),
    tls: u64(CLONE_ARGS.tls),
  });
}

/** This family's rows of the syscall table (see table.ts). */
export const FORK_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_clone, handler: sys_clone, support: 'partial', note: 'no namespaces, no CLONE_PIDFD', args: ['hex', 'ptr', 'ptr', 'ptr', 'hex'] },
  { nr: __NR_fork, handler: sys_fork, support: 'full', args: [] },
  { nr: __NR_vfork, handler: sys_vfork, support: 'full', args: [] },
  { nr: __NR_clone3, handler: sys_clone3, support: 'partial', note: 'no namespaces, set_tid, pidfd or cgroup', args: ['ptr', 'uint'] },
];
