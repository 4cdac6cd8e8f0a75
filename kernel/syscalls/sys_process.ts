/**
 * Process-level syscalls a program makes while it starts and ends:
 * Linux kernel/exit.c (exit, exit_group), kernel/sys.c (getpid, uname,
 * prlimit64), kernel/fork.c (set_tid_address), arch/x86/kernel/process_64.c
 * (arch_prctl), kernel/futex (set_robust_list), kernel/rseq.c.
 */

import { EACCES, EBUSY, EFAULT, EINVAL, EPERM, ESRCH } from '../../abi/errno.js';
import { RLIM_NLIMITS, RLIMIT_NOFILE } from '../../abi/process.js';
import { ARCH_GET_FS, ARCH_GET_GS, ARCH_SET_FS, ARCH_SET_GS } from '../../abi/misc.js';
import { FS_BASE, GS_BASE } from '../../emulator/regs.js';
import { do_group_exit, do_exit } from '../exit.js';
import type { Kernel } from '../kernel.js';
import { TASK_SIZE } from '../mm/mm_struct.js';
import { copy_from_user, copy_to_user, put_user_u32, put_user_u64 } from '../mm/uaccess.js';
import type { Task } from '../task.js';
import { NO_RETURN, type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import { __NR_get_robust_list, __NR_getpgid, __NR_getpgrp, __NR_getrlimit, __NR_getsid, __NR_setpgid, __NR_setrlimit, __NR_setsid } from '../../abi/syscalls.js';
import { __NR_arch_prctl, __NR_exit, __NR_exit_group, __NR_getegid, __NR_geteuid, __NR_getgid, __NR_getpid, __NR_getppid, __NR_gettid, __NR_getuid, __NR_prlimit64, __NR_rseq, __NR_sched_yield, __NR_set_robust_list, __NR_set_tid_address, __NR_uname } from '../../abi/syscalls.js';

/** Linux sys_exit: this thread ends; the status word is (code & 0xff) << 8. */
export function sys_exit(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  do_exit(k, t, (a.int(0) & 0xff) << 8);
  return NO_RETURN;
}

/** Linux sys_exit_group: every thread of the process ends. */
export function sys_exit_group(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  do_group_exit(k, t, (a.int(0) & 0xff) << 8);
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
  t.clear_child_tid = a.ptr(0);
  return t.pid;
}

/** Linux kernel/futex/syscalls.c set_robust_list: the head must be sizeof(struct robust_list_head) = 24. */
export function sys_set_robust_list(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  if (a[1] !== 24n) return -EINVAL;
  t.robust_list = a.ptr(0);
  return 0;
}

/** Linux get_robust_list: another task's list head (pid 0: the caller) and its size, 24. */
export function sys_get_robust_list(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const pid = a.int(0);
  const p = pid ? k.tasks.get(pid) : t;
  if (!p || p.state === 'dead') return -ESRCH;
  if (!put_user_u64(t.mm!, a.ptr(2), 24n)) return -EFAULT;
  return put_user_u64(t.mm!, a.ptr(1), BigInt(p.robust_list)) ? 0 : -EFAULT;
}

/**
 * Linux kernel/rseq.c: register a struct rseq (32 bytes, 32-byte aligned).
 * Registration writes cpu_id_start and cpu_id (0: kemu has one CPU) as the
 * kernel does on return to user space.
 */
export function sys_rseq(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const addr = a.ptr(0);
  const len = a.int(1);
  const flags = a.int(2);
  const RSEQ_FLAG_UNREGISTER = 1;
  if (flags & RSEQ_FLAG_UNREGISTER) {
    if (flags & ~RSEQ_FLAG_UNREGISTER) return -EINVAL;
    if (t.rseq !== addr || !t.rseq) return -EINVAL; // Linux: nothing registered is EINVAL too
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
  const code = a.int(0);
  const cpu = t.cpu!;
  switch (code) {
    case ARCH_SET_FS:
    case ARCH_SET_GS:
      if (a[1] >= BigInt(TASK_SIZE)) return -EPERM;
      cpu.setReg(code === ARCH_SET_FS ? FS_BASE : GS_BASE, a[1]);
      return 0;
    case ARCH_GET_FS:
    case ARCH_GET_GS:
      return put_user_u64(t.mm!, a.ptr(1), cpu.getReg(code === ARCH_GET_FS ? FS_BASE : GS_BASE)) ? 0 : -EFAULT;
    default:
      return -EINVAL;
  }
}

/** Linux fs/file.c sysctl_nr_open: the ceiling of RLIMIT_NOFILE's hard limit. */
const NR_OPEN = 1024 * 1024;

/**
 * Linux kernel/sys.c prlimit64 + do_prlimit: the new limit is read first
 * (EFAULT), then the task found (ESRCH), then checked (EINVAL for an
 * unknown resource or cur > max, EPERM for RLIMIT_NOFILE above nr_open).
 * Limits belong to the process (signal->rlim); RLIMIT_NOFILE is what the
 * fd table enforces, RLIMIT_STACK what exec uses, RLIMIT_CORE whether a
 * crash reports a core dump.
 */
export function sys_prlimit64(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const pid = a.int(0);
  const resource = a.int(1) >>> 0;
  let next: [bigint, bigint] | null = null;
  if (!a.zero(2)) {
    const raw = copy_from_user(t.mm!, a.ptr(2), 16);
    if (!raw) return -EFAULT;
    const v = new DataView(raw.buffer);
    next = [v.getBigUint64(0, true), v.getBigUint64(8, true)];
  }
  const target = pid === 0 ? t : k.tasks.get(pid);
  if (!target || target.state === 'dead') return -ESRCH;
  return do_prlimit(target, resource, next, !a.zero(3) ? (old) => putRlimit(t, a.ptr(3), old) : null);
}

function putRlimit(t: Task, addr: number, r: [bigint, bigint]): boolean {
  const out = new Uint8Array(16);
  const v = new DataView(out.buffer);
  v.setBigUint64(0, r[0], true);
  v.setBigUint64(8, r[1], true);
  return copy_to_user(t.mm!, addr, out);
}

function do_prlimit(target: Task, resource: number, next: [bigint, bigint] | null, putOld: ((old: [bigint, bigint]) => boolean) | null): number {
  if (resource >= RLIM_NLIMITS) return -EINVAL;
  const rlim = target.signal.rlim;
  const old: [bigint, bigint] = [rlim[resource]![0], rlim[resource]![1]];
  if (next) {
    if (next[0] > next[1]) return -EINVAL;
    if (resource === RLIMIT_NOFILE && next[1] > BigInt(NR_OPEN)) return -EPERM;
    rlim[resource] = next;
    if (resource === RLIMIT_NOFILE) target.files.nofile = Number(next[0] > BigInt(NR_OPEN) ? BigInt(NR_OPEN) : next[0]);
  }
  if (putOld && !putOld(old)) return -EFAULT;
  return 0;
}

/** Linux getrlimit/setrlimit: the old interface, over the same limits. */
export const sys_getrlimit = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult =>
  do_prlimit(t, a.int(0) >>> 0, null, (old) => putRlimit(t, a.ptr(1), old));

export function sys_setrlimit(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const raw = copy_from_user(t.mm!, a.ptr(1), 16);
  if (!raw) return -EFAULT;
  const v = new DataView(raw.buffer);
  return do_prlimit(t, a.int(0) >>> 0, [v.getBigUint64(0, true), v.getBigUint64(8, true)], null);
}

/**
 * Linux kernel/sys.c setpgid: pid 0 is the caller, pgid 0 is pid. The
 * target must be the caller or its child (ESRCH), a process leader
 * (EINVAL), in the caller's session (EPERM), not yet exec'd if a child
 * (EACCES), not a session leader (EPERM); a pgid other than its own pid
 * must name a group in the same session (EPERM).
 */
export function sys_setpgid(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const leader = t.group_leader;
  let pid = a.int(0);
  let pgid = a.int(1);
  if (!pid) pid = leader.pid;
  if (!pgid) pgid = pid;
  if (pgid < 0) return -EINVAL;
  const p = k.tasks.get(pid);
  if (!p || !p.alive) return -ESRCH;
  if (!p.isLeader) return -EINVAL;
  if (p.parent && p.parent.signal === t.signal) {
    if (p.signal.session !== leader.signal.session) return -EPERM;
    if (p.signal.did_exec) return -EACCES;
  } else if (p !== leader) return -ESRCH;
  if (p.signal.leader) return -EPERM;
  if (pgid !== pid) {
    const ok = [...k.tasks.values()].some((g) => g.alive && g.signal.pgrp === pgid && g.signal.session === leader.signal.session);
    if (!ok) return -EPERM;
  }
  p.signal.pgrp = pgid;
  return 0;
}

function lookup(k: Kernel, t: Task, pid: number): Task | null {
  if (!pid) return t;
  const p = k.tasks.get(pid);
  return p && p.state !== 'dead' ? p : null;
}

export function sys_getpgid(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const p = lookup(k, t, a.int(0));
  return p ? p.signal.pgrp : -ESRCH;
}

export const sys_getpgrp = (_k: Kernel, t: Task): SyscallResult => t.signal.pgrp;

export function sys_getsid(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const p = lookup(k, t, a.int(0));
  return p ? p.signal.session : -ESRCH;
}

/** Linux ksys_setsid: EPERM for a session leader or when a process group already has the caller's pid. */
export function sys_setsid(k: Kernel, t: Task): SyscallResult {
  const leader = t.group_leader;
  const sid = leader.pid;
  if (leader.signal.leader) return -EPERM;
  if ([...k.tasks.values()].some((p) => p.alive && p.signal.pgrp === sid)) return -EPERM;
  leader.signal.leader = true;
  leader.signal.session = sid;
  leader.signal.pgrp = sid;
  return sid;
}

/** Linux kernel/sys.c newuname: struct new_utsname, six fields of 65 bytes. */
export function sys_uname(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const fields = ['Linux', 'kemu', k.profile.release, '#1 SMP kemu', 'x86_64', '(none)'];
  const out = new Uint8Array(65 * 6);
  fields.forEach((s, i) => out.set(Buffer.from(s, 'latin1').subarray(0, 64), i * 65));
  return copy_to_user(t.mm!, a.ptr(0), out) ? 0 : -EFAULT;
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
  { nr: __NR_get_robust_list, handler: sys_get_robust_list, support: 'full', args: ['int', 'ptr', 'ptr'] },
  { nr: __NR_prlimit64, handler: sys_prlimit64, support: 'partial', note: 'kept per process; RLIMIT_NOFILE, RLIMIT_STACK and RLIMIT_CORE take effect', args: ['int', 'int', 'ptr', 'ptr'] },
  { nr: __NR_rseq, handler: sys_rseq, support: 'full', args: ['ptr', 'uint', 'hex', 'hex'] },
  { nr: __NR_getrlimit, handler: sys_getrlimit, support: 'full', args: ['int', 'ptr'] },
  { nr: __NR_setrlimit, handler: sys_setrlimit, support: 'full', args: ['int', 'ptr'] },
  { nr: __NR_setpgid, handler: sys_setpgid, support: 'full', args: ['int', 'int'] },
  { nr: __NR_getpgrp, handler: sys_getpgrp, support: 'full', args: [] },
  { nr: __NR_setsid, handler: sys_setsid, support: 'full', args: [] },
  { nr: __NR_getpgid, handler: sys_getpgid, support: 'full', args: ['int'] },
  { nr: __NR_getsid, handler: sys_getsid, support: 'full', args: ['int'] },
];
