/**
 * Process-level syscalls a program makes while it starts and ends:
 * Linux kernel/exit.c (exit, exit_group), kernel/sys.c (getpid, uname,
 * prlimit64), kernel/fork.c (set_tid_address), arch/x86/kernel/process_64.c
 * (arch_prctl), kernel/futex (set_robust_list), kernel/rseq.c.
 */

import { EBUSY, EFAULT, EINVAL, EPERM, ESRCH } from '../../abi/errno.js';
import { ARCH_GET_FS, ARCH_GET_GS, ARCH_SET_FS, ARCH_SET_GS } from '../../abi/misc.js';
import { FS_BASE, GS_BASE } from '../../emulator/regs.js';
import { do_group_exit, do_exit } from '../exit.js';
import type { Kernel } from '../kernel.js';
import { TASK_SIZE } from '../mm/mm_struct.js';
import { copy_from_user, copy_to_user, put_user_u32, put_user_u64 } from '../mm/uaccess.js';
import type { Task } from '../task.js';
import { int, NO_RETURN, ptr, type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import { __NR_arch_prctl, __NR_exit, __NR_exit_group, __NR_getegid, __NR_geteuid, __NR_getgid, __NR_getpid, __NR_getppid, __NR_gettid, __NR_getuid, __NR_prlimit64, __NR_rseq, __NR_sched_yield, __NR_set_robust_list, __NR_set_tid_address, __NR_uname } from '../../abi/syscalls.js';

export function sys_exit(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  do_exit(k, t, { code: int(a[0]) & 0xff, signal: 0, core: false });
  return NO_RETURN;
}

export function sys_exit_group(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  do_group_exit(k, t, { code: int(a[0]) & 0xff, signal: 0, core: false });
  return NO_RETURN;
}

export const sys_getpid = (_k: Kernel, t: Task): SyscallResult => t.tgid;
export const sys_gettid = (_k: Kernel, t: Task): SyscallResult => t.pid;
export const sys_getppid = (_k: Kernel, t: Task): SyscallResult => t.parent?.tgid ?? 0;
export const sys_getuid = (_k: Kernel, t: Task): SyscallResult => t.cred.uid;
export const sys_geteuid = (_k: Kernel, t: Task): SyscallResult => t.cred.euid;
export const sys_getgid = (_k: Kernel, t: Task): SyscallResult => t.cred.gid;
export const sys_getegid = (_k: Kernel, t: Task): SyscallResult => t.cred.egid;
export const sys_sched_yield = (): SyscallResult => 0;

/** Linux kernel/fork.c set_tid_address: remember where to clear the tid at exit; return the tid. */
export function sys_set_tid_address(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  t.clear_child_tid = ptr(a[0]);
  return t.pid;
}

/** Linux kernel/futex/syscalls.c set_robust_list: the head must be sizeof(struct robust_list_head) = 24. */
export function sys_set_robust_list(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  if (a[1] !== 24n) return -EINVAL;
  t.robust_list = ptr(a[0]);
  return 0;
}

/**
 * Linux kernel/rseq.c: register a struct rseq (32 bytes, 32-byte aligned).
 * Registration writes cpu_id_start and cpu_id (0: kemu has one CPU) as the
 * kernel does on return to user space.
 */
export function sys_rseq(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const addr = ptr(a[0]);
  const len = int(a[1]);
  const flags = int(a[2]);
  const RSEQ_FLAG_UNREGISTER = 1;
  if (flags & RSEQ_FLAG_UNREGISTER) {
    if (flags & ~RSEQ_FLAG_UNREGISTER) return -EINVAL;
    if (t.rseq !== addr) return -EINVAL;
    t.rseq = 0;
    return 0;
  }
  if (flags) return -EINVAL;
  if (t.rseq) return t.rseq === addr ? -EBUSY : -EINVAL;
  if (addr < 0 || addr % 32 !== 0 || len < 32) return -EINVAL;
  if (!put_user_u32(t.mm!, addr, 0) || !put_user_u32(t.mm!, addr + 4, 0)) return -EFAULT;
  t.rseq = addr;
  return 0;
}

/** Linux arch/x86/kernel/process_64.c do_arch_prctl_64. */
export function sys_arch_prctl(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const code = int(a[0]);
  const cpu = t.cpu!;
  switch (code) {
    case ARCH_SET_FS:
    case ARCH_SET_GS:
      if (a[1] >= BigInt(TASK_SIZE)) return -EPERM;
      cpu.setReg(code === ARCH_SET_FS ? FS_BASE : GS_BASE, a[1]);
      return 0;
    case ARCH_GET_FS:
    case ARCH_GET_GS:
      return put_user_u64(t.mm!, ptr(a[1]), cpu.getReg(code === ARCH_GET_FS ? FS_BASE : GS_BASE)) ? 0 : -EFAULT;
    default:
      return -EINVAL;
  }
}

/** Linux include/uapi/asm-generic/resource.h RLIMIT_* defaults for a fresh init task. */
const RLIM_INFINITY = 0xffff_ffff_ffff_ffffn;
const RLIM_NLIMITS = 16;
const RLIMIT_STACK = 3;
const RLIMIT_NOFILE = 7;

function getRlimit(t: Task, resource: number): [bigint, bigint] {
  if (resource === RLIMIT_STACK) return [BigInt(t.rlimStack), RLIM_INFINITY];
  if (resource === RLIMIT_NOFILE) return [BigInt(t.files.nofile), 4096n];
  return [RLIM_INFINITY, RLIM_INFINITY];
}

/** Linux kernel/sys.c prlimit64 on the calling process (pid 0 or its own). */
export function sys_prlimit64(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const pid = int(a[0]);
  const resource = int(a[1]);
  const target = pid === 0 ? t : k.tasks.get(pid);
  if (!target) return -ESRCH;
  if (resource < 0 || resource >= RLIM_NLIMITS) return -EINVAL;
  const old = getRlimit(target, resource);
  const newPtr = ptr(a[2]);
  if (a[2] !== 0n) {
    const raw = copy_from_user(t.mm!, newPtr, 16);
    if (!raw) return -EFAULT;
    const v = new DataView(raw.buffer);
    const cur = v.getBigUint64(0, true);
    const max = v.getBigUint64(8, true);
    if (cur > max) return -EINVAL;
    if (resource === RLIMIT_STACK) target.rlimStack = cur >= RLIM_INFINITY ? Number.MAX_SAFE_INTEGER : Number(cur);
    if (resource === RLIMIT_NOFILE) target.files.nofile = Number(cur > 1048576n ? 1048576n : cur);
  }
  if (a[3] !== 0n) {
    const out = new Uint8Array(16);
    const v = new DataView(out.buffer);
    v.setBigUint64(0, old[0], true);
    v.setBigUint64(8, old[1], true);
    if (!copy_to_user(t.mm!, ptr(a[3]), out)) return -EFAULT;
  }
  return 0;
}

/** Linux kernel/sys.c newuname: struct new_utsname, six fields of 65 bytes. */
export function sys_uname(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const fields = ['Linux', 'kemu', k.profile.release, '#1 SMP kemu', 'x86_64', '(none)'];
  const out = new Uint8Array(65 * 6);
  fields.forEach((s, i) => out.set(Buffer.from(s, 'latin1').subarray(0, 64), i * 65));
  return copy_to_user(t.mm!, ptr(a[0]), out) ? 0 : -EFAULT;
}

/** This family's rows of the syscall table (see table.ts). */
export const PROCESS_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_sched_yield, handler: sys_sched_yield, support: 'full', args: [] },
  { nr: __NR_getpid, handler: sys_getpid, support: 'full', args: [] },
  { nr: __NR_exit, handler: sys_exit, support: 'full', args: ['int'] },
  { nr: __NR_uname, handler: sys_uname, support: 'full', args: ['ptr'] },
  { nr: __NR_getuid, handler: sys_getuid, support: 'full', args: [] },
  { nr: __NR_getgid, handler: sys_getgid, support: 'full', args: [] },
  { nr: __NR_geteuid, handler: sys_geteuid, support: 'full', args: [] },
  { nr: __NR_getegid, handler: sys_getegid, support: 'full', args: [] },
  { nr: __NR_getppid, handler: sys_getppid, support: 'full', args: [] },
  { nr: __NR_arch_prctl, handler: sys_arch_prctl, support: 'partial', note: 'FS/GS base', args: ['hex', 'ptr'] },
  { nr: __NR_gettid, handler: sys_gettid, support: 'full', args: [] },
  { nr: __NR_set_tid_address, handler: sys_set_tid_address, support: 'full', args: ['ptr'] },
  { nr: __NR_exit_group, handler: sys_exit_group, support: 'full', args: ['int'] },
  { nr: __NR_set_robust_list, handler: sys_set_robust_list, support: 'full', args: ['ptr', 'uint'] },
  { nr: __NR_prlimit64, handler: sys_prlimit64, support: 'partial', note: 'RLIMIT_STACK and RLIMIT_NOFILE are enforced; others report RLIM_INFINITY', args: ['int', 'int', 'ptr', 'ptr'] },
  { nr: __NR_rseq, handler: sys_rseq, support: 'full', args: ['ptr', 'uint', 'hex', 'hex'] },
];
