/**
 * The stat family: Linux fs/stat.c (stat, lstat, fstat, newfstatat,
 * statx, readlink, readlinkat) and fs/statfs.c (statfs, fstatfs).
 */

import { EBADF, EFAULT, EINVAL, ENOENT } from '../../abi/errno.js';
import { AT_EMPTY_PATH, AT_FDCWD, AT_NO_AUTOMOUNT, AT_STATX_SYNC_TYPE, AT_SYMLINK_NOFOLLOW } from '../../abi/fcntl.js';
import { STATX__RESERVED } from '../../abi/stat.js';
import type { Dentry } from '../fs/dcache.js';
import { filename_lookup, nameidata } from '../fs/namei.js';
import { fileDentry } from '../fs/proc_pid.js';
import { cp_new_stat, cp_statfs, cp_statx } from '../fs/stat.js';
import type { Kernel } from '../kernel.js';
import { copy_to_user } from '../mm/uaccess.js';
import type { Task } from '../task.js';
import { dirfdStart, getname, user_path_at } from './sys_fs.js';
import { type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import {
  __NR_fstat, __NR_fstatfs, __NR_lstat, __NR_newfstatat, __NR_readlink, __NR_readlinkat, __NR_stat, __NR_statfs,
  __NR_statx,
} from '../../abi/syscalls.js';

function put(t: Task, addr: number, bytes: Uint8Array): number {
  return copy_to_user(t.mm!, addr, bytes) ? 0 : -EFAULT;
}

/**
 * Linux vfs_fstatat(): an empty path with AT_EMPTY_PATH is the dirfd's own
 * file (the cwd for AT_FDCWD), whatever kind it is; otherwise a walk.
 */
function statTarget(t: Task, dirfd: number, pathAddr: number, flags: number): Dentry | number {
  const path = getname(t, pathAddr, (flags & AT_EMPTY_PATH) !== 0);
  if (typeof path === 'number') return path;
  if (path === '' && dirfd !== AT_FDCWD) {
    const f = t.files.get(dirfd);
    return f ? fileDentry(f) : -EBADF;
  }
  const start = dirfdStart(t, dirfd, path);
  if (typeof start === 'number') return start;
  if (path === '') return start;
  return filename_lookup(nameidata(t.fs.root, start, flags & AT_SYMLINK_NOFOLLOW ? 0 : 1, t.cred), path);
}

export function sys_newfstatat(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const flags = a.int(3);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT)) return -EINVAL;
  const d = statTarget(t, a.int(0), a.ptr(1), flags);
  return typeof d === 'number' ? d : put(t, a.ptr(2), cp_new_stat(d.d_inode));
}

/** Linux fstat: any open file, O_PATH ones included. */
export function sys_fstat(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = t.files.get(a.int(0));
  if (!f) return -EBADF;
  return put(t, a.ptr(1), cp_new_stat(f.f_inode));
}

export function sys_stat(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const d = user_path_at(t, AT_FDCWD, a.ptr(0), 0);
  return typeof d === 'number' ? d : put(t, a.ptr(1), cp_new_stat(d.d_inode));
}

export function sys_lstat(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const d = user_path_at(t, AT_FDCWD, a.ptr(0), AT_SYMLINK_NOFOLLOW);
  return typeof d === 'number' ? d : put(t, a.ptr(1), cp_new_stat(d.d_inode));
}

/**
 * Linux statx(): EINVAL for unknown flags, both sync types at once, or
 * the reserved mask bit; the rest is newfstatat's lookup. A NULL path is
 * allowed with AT_EMPTY_PATH (6.11+).
 */
export function sys_statx(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const flags = a.int(2);
  const mask = a.uint(3);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)) return -EINVAL;
  if ((flags & AT_STATX_SYNC_TYPE) === AT_STATX_SYNC_TYPE) return -EINVAL;
  if (mask & STATX__RESERVED) return -EINVAL;
  const d = statTarget(t, a.int(0), a.ptr(1), flags);
  return typeof d === 'number' ? d : put(t, a.ptr(4), cp_statx(d.d_inode, d));
}

/**
 * Linux do_readlinkat(): EINVAL for bufsiz <= 0 or a non-symlink (ENOENT
 * when the path was empty); the result is not NUL-terminated and is cut to
 * bufsiz. An empty path is allowed: the dirfd itself (an O_PATH symlink).
 */
function do_readlinkat(t: Task, dirfd: number, pathAddr: number, buf: number, bufsiz: number): number {
  if (bufsiz <= 0) return -EINVAL;
  const path = getname(t, pathAddr, true);
  if (typeof path === 'number') return path;
  const d = statTarget(t, dirfd, pathAddr, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
  if (typeof d === 'number') return d;
  const target = d.d_inode.readlink();
  if (typeof target === 'number') return path === '' ? -ENOENT : target;
  const n = Math.min(target.length, bufsiz);
  return copy_to_user(t.mm!, buf, target.subarray(0, n)) ? n : -EFAULT;
}

export const sys_readlink = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult =>
  do_readlinkat(t, AT_FDCWD, a.ptr(0), a.ptr(1), a.int(2));
export const sys_readlinkat = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult =>
  do_readlinkat(t, a.int(0), a.ptr(1), a.ptr(2), a.int(3));

export function sys_statfs(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const d = user_path_at(t, AT_FDCWD, a.ptr(0), 0);
  return typeof d === 'number' ? d : put(t, a.ptr(1), cp_statfs(d.d_inode));
}

export function sys_fstatfs(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = t.files.get(a.int(0));
  if (!f) return -EBADF;
  return put(t, a.ptr(1), cp_statfs(f.f_inode));
}

/** This family's rows of the syscall table (see table.ts). */
export const STAT_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_stat, handler: sys_stat, support: 'full', args: ['str', 'ptr'] },
  { nr: __NR_fstat, handler: sys_fstat, support: 'full', args: ['fd', 'ptr'] },
  { nr: __NR_lstat, handler: sys_lstat, support: 'full', args: ['str', 'ptr'] },
  { nr: __NR_readlink, handler: sys_readlink, support: 'full', args: ['str', 'obuf', 'uint'] },
  { nr: __NR_statfs, handler: sys_statfs, support: 'partial', note: 'block and inode counts are fixed', args: ['str', 'ptr'] },
  { nr: __NR_fstatfs, handler: sys_fstatfs, support: 'partial', note: 'block and inode counts are fixed', args: ['fd', 'ptr'] },
  { nr: __NR_newfstatat, handler: sys_newfstatat, support: 'full', args: ['atfd', 'str', 'ptr', 'hex'] },
  { nr: __NR_readlinkat, handler: sys_readlinkat, support: 'full', args: ['atfd', 'str', 'obuf', 'uint'] },
  { nr: __NR_statx, handler: sys_statx, support: 'full', args: ['atfd', 'str', 'hex', 'hex', 'ptr'] },
];
