/**
 * The exec syscalls: Linux fs/exec.c SYSCALL_DEFINE3(execve) and
 * SYSCALL_DEFINE5(execveat). They live with binfmt/ and are put into the
 * kernel's table by the composition root (cli/boot.ts).
 */

import { EFAULT } from '../abi/errno.js';
import { AT_EMPTY_PATH } from '../abi/fcntl.js';
import { __NR_execve, __NR_execveat } from '../abi/syscalls.js';
import type { Kernel } from '../kernel/kernel.js';
import { getname } from '../kernel/syscalls/sys_fs.js';
import { ptr, type SyscallArgs, type SyscallEntry, type SyscallResult } from '../kernel/syscalls/types.js';
import type { Task } from '../kernel/task.js';
import type { ArgSource } from './exec_args.js';
import { do_execve, do_execveat } from './exec.js';

/** A guest argv/envp pointer: NULL counts as no strings (Linux 4.18 count()). */
function userArgs(t: Task, addr: bigint): ArgSource {
  return addr === 0n ? null : { kind: 'user', mm: t.mm!, addr: ptr(addr) };
}

export function sys_execve(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  return do_execve(k, t, getname(t, a.ptr(0)), userArgs(t, a[1]), userArgs(t, a[2]));
}

export function sys_execveat(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const flags = a.int(4);
  // Linux fs/exec.c getname_uflags(): a NULL filename faults even with
  // AT_EMPTY_PATH (only the stat family later learnt to take NULL there).
  const name = a.zero(1) ? -EFAULT : getname(t, a.ptr(1), (flags & AT_EMPTY_PATH) !== 0);
  return do_execveat(k, t, a.int(0), name, userArgs(t, a[2]), userArgs(t, a[3]), flags);
}

export const EXEC_SYSCALLS: readonly SyscallEntry[] = [
  { nr: __NR_execve, name: 'execve', handler: sys_execve, support: 'full', args: ['str', 'argv', 'ptr'] },
  { nr: __NR_execveat, name: 'execveat', handler: sys_execveat, support: 'full', args: ['atfd', 'str', 'argv', 'ptr', 'hex'] },
];
