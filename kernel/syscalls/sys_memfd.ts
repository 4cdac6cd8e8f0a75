/**
 * memfd_create(2): Linux mm/memfd.c. The name is at most
 * MFD_NAME_MAX_LEN bytes (EINVAL past it, EFAULT for a bad pointer); the
 * worker is kernel/fs/memfd.ts.
 */

import { EFAULT, EINVAL, EMFILE } from '../../abi/errno.js';
import { MFD_CLOEXEC } from '../../abi/misc.js';
import { memfd_check_flags, memfd_create, MFD_NAME_MAX_LEN } from '../fs/memfd.js';
import { latin1 } from '../fs/namei.js';
import type { Kernel } from '../kernel.js';
import { strncpy_from_user } from '../mm/uaccess.js';
import type { Task } from '../task.js';
import { type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import { __NR_memfd_create } from '../../abi/syscalls.js';

export function sys_memfd_create(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const flags = a.uint(1);
  const err = memfd_check_flags(flags, k.profile);
  if (err) return err;
  const name = strncpy_from_user(t.mm!, a.ptr(0), MFD_NAME_MAX_LEN);
  if (name === null) return -EFAULT;
  if (name === 'toolong') return -EINVAL;
  if (t.files.get_unused_fd() < 0) return -EMFILE;
  const f = memfd_create(latin1(name), flags, t.cred, k.profile);
  if (typeof f === 'number') return f;
  return t.files.install(f, (flags & MFD_CLOEXEC) !== 0);
}

/** This family's rows of the syscall table (see table.ts). */
export const MEMFD_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_memfd_create, handler: sys_memfd_create, support: 'partial', note: 'no MFD_HUGETLB', args: ['str', 'hex'] },
];
