/**
 * Extended attribute syscalls: Linux fs/xattr.c (setxattr, getxattr,
 * listxattr, removexattr, each with l* (no follow) and f* (fd) forms).
 * The checks are in kernel/fs/xattr.ts.
 */

import { E2BIG, EBADF, EFAULT, EINVAL, ERANGE } from '../../abi/errno.js';
import { AT_FDCWD, AT_SYMLINK_NOFOLLOW } from '../../abi/fcntl.js';
import { XATTR_NAME_MAX, XATTR_SIZE_MAX } from '../../abi/limits.js';
import type { Inode } from '../fs/inode.js';
import { latin1 } from '../fs/namei.js';
import { vfs_getxattr, vfs_listxattr, vfs_removexattr, vfs_setxattr, XATTR_CREATE, XATTR_REPLACE } from '../fs/xattr.js';
import type { Kernel } from '../kernel.js';
import { copy_from_user, copy_to_user, strncpy_from_user } from '../mm/uaccess.js';
import type { Task } from '../task.js';
import { user_path_at } from './sys_fs.js';
import { type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import {
  __NR_fgetxattr, __NR_flistxattr, __NR_fremovexattr, __NR_fsetxattr, __NR_getxattr, __NR_lgetxattr, __NR_listxattr,
  __NR_llistxattr, __NR_lremovexattr, __NR_lsetxattr, __NR_removexattr, __NR_setxattr,
} from '../../abi/syscalls.js';

/** How the target is named: a path (followed or not) or a descriptor. */
type Target = { path: number; follow: boolean } | { fd: number };

function target(t: Task, w: Target): Inode | number {
  if ('fd' in w) {
    const f = t.files.get(w.fd);
    return f && !f.isPath ? f.f_inode : -EBADF;
  }
  const d = user_path_at(t, AT_FDCWD, w.path, w.follow ? 0 : AT_SYMLINK_NOFOLLOW);
  return typeof d === 'number' ? d : d.d_inode;
}

/** Linux import_xattr_name(): 1 to XATTR_NAME_MAX bytes, else ERANGE. */
function xattrName(t: Task, addr: number): string | number {
  const s = strncpy_from_user(t.mm!, addr, XATTR_NAME_MAX);
  if (s === null) return -EFAULT;
  if (s === 'toolong' || s.length === 0) return -ERANGE;
  return latin1(s);
}

/** Linux path_setxattr(): flags, name and value are checked before the walk. */
function setxattr(t: Task, w: Target, a: SyscallArgs): number {
  const flags = a.int(4);
  if (flags & ~(XATTR_CREATE | XATTR_REPLACE)) return -EINVAL;
  const name = xattrName(t, a.ptr(1));
  if (typeof name === 'number') return name;
  const size = a.ulong(3);
  if (size > XATTR_SIZE_MAX) return -E2BIG;
  const value = size ? copy_from_user(t.mm!, a.ptr(2), size) : new Uint8Array(0);
  if (!value) return -EFAULT;
  const inode = target(t, w);
  return typeof inode === 'number' ? inode : vfs_setxattr(inode, name, value, flags, t.cred);
}

/** Linux getxattr(): size 0 asks for the length; a smaller buffer is ERANGE. */
function getxattr(t: Task, w: Target, a: SyscallArgs): number {
  const name = xattrName(t, a.ptr(1));
  if (typeof name === 'number') return name;
  const inode = target(t, w);
  if (typeof inode === 'number') return inode;
  const v = vfs_getxattr(inode, name, t.cred);
  if (typeof v === 'number') return v;
  const size = Math.min(a.ulong(3), XATTR_SIZE_MAX);
  if (size === 0) return v.length;
  if (v.length > size) return -ERANGE;
  return copy_to_user(t.mm!, a.ptr(2), v) ? v.length : -EFAULT;
}

function listxattr(t: Task, w: Target, a: SyscallArgs): number {
  const inode = target(t, w);
  if (typeof inode === 'number') return inode;
  const list = vfs_listxattr(inode, t.cred);
  if (typeof list === 'number') return list;
  const size = a.ulong(2);
  if (size === 0) return list.length;
  if (list.length > size) return -ERANGE;
  return copy_to_user(t.mm!, a.ptr(1), list) ? list.length : -EFAULT;
}

function removexattr(t: Task, w: Target, a: SyscallArgs): number {
  const name = xattrName(t, a.ptr(1));
  if (typeof name === 'number') return name;
  const inode = target(t, w);
  return typeof inode === 'number' ? inode : vfs_removexattr(inode, name, t.cred);
}

type Op = (t: Task, w: Target, a: SyscallArgs) => number;
const byPath = (op: Op, follow: boolean) => (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => op(t, { path: a.ptr(0), follow }, a);
const byFd = (op: Op) => (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => op(t, { fd: a.int(0) }, a);

/** This family's rows of the syscall table (see table.ts). */
export const XATTR_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_setxattr, handler: byPath(setxattr, true), support: 'partial', note: 'tmpfs only; no POSIX ACLs', args: ['str', 'str', 'ptr', 'uint', 'hex'] },
  { nr: __NR_lsetxattr, handler: byPath(setxattr, false), support: 'partial', note: 'as setxattr', args: ['str', 'str', 'ptr', 'uint', 'hex'] },
  { nr: __NR_fsetxattr, handler: byFd(setxattr), support: 'partial', note: 'as setxattr', args: ['fd', 'str', 'ptr', 'uint', 'hex'] },
  { nr: __NR_getxattr, handler: byPath(getxattr, true), support: 'partial', note: 'as setxattr', args: ['str', 'str', 'ptr', 'uint'] },
  { nr: __NR_lgetxattr, handler: byPath(getxattr, false), support: 'partial', note: 'as setxattr', args: ['str', 'str', 'ptr', 'uint'] },
  { nr: __NR_fgetxattr, handler: byFd(getxattr), support: 'partial', note: 'as setxattr', args: ['fd', 'str', 'ptr', 'uint'] },
  { nr: __NR_listxattr, handler: byPath(listxattr, true), support: 'partial', note: 'as setxattr', args: ['str', 'ptr', 'uint'] },
  { nr: __NR_llistxattr, handler: byPath(listxattr, false), support: 'partial', note: 'as setxattr', args: ['str', 'ptr', 'uint'] },
  { nr: __NR_flistxattr, handler: byFd(listxattr), support: 'partial', note: 'as setxattr', args: ['fd', 'ptr', 'uint'] },
  { nr: __NR_removexattr, handler: byPath(removexattr, true), support: 'partial', note: 'as setxattr', args: ['str', 'str'] },
  { nr: __NR_lremovexattr, handler: byPath(removexattr, false), support: 'partial', note: 'as setxattr', args: ['str', 'str'] },
  { nr: __NR_fremovexattr, handler: byFd(removexattr), support: 'partial', note: 'as setxattr', args: ['fd', 'str'] },
];
