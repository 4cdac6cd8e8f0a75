/**
 * Attribute syscalls: Linux fs/open.c (chmod, fchmod, fchmodat,
 * fchmodat2, chown, fchown, lchown, fchownat, truncate, ftruncate),
 * fs/utimes.c (utime, utimes, futimesat, utimensat) and fs/sync.c (fsync,
 * fdatasync, sync, syncfs). The checks are in kernel/fs/attr.ts.
 */

import { EBADF, EFAULT, EINVAL, EOPNOTSUPP } from '../../abi/errno.js';
import { AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW } from '../../abi/fcntl.js';
import { UTIME_OMIT } from '../../abi/misc.js';
import { chmod_common, chown_common, do_truncate, nsec_valid, vfs_truncate, vfs_utimes } from '../fs/attr.js';
import type { File } from '../fs/file.js';
import type { Timespec } from '../fs/inode.js';
import type { Kernel } from '../kernel.js';
import { copy_from_user } from '../mm/uaccess.js';
import type { Task } from '../task.js';
import { user_path_at } from './sys_fs.js';
import { type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import {
  __NR_chmod, __NR_chown, __NR_fchmod, __NR_fchmodat, __NR_fchmodat2, __NR_fchown, __NR_fchownat, __NR_fdatasync,
  __NR_fsync, __NR_ftruncate, __NR_futimesat, __NR_lchown, __NR_sync, __NR_syncfs, __NR_truncate, __NR_utime,
  __NR_utimensat, __NR_utimes,
} from '../../abi/syscalls.js';

/** Linux fdget(): an open file that is not O_PATH. */
function fdget(t: Task, fd: number): File | null {
  const f = t.files.get(fd);
  return f && !f.isPath ? f : null;
}

/** Linux fchmodat2() (6.6): AT_SYMLINK_NOFOLLOW on a symlink is EOPNOTSUPP, as chmod of a link means nothing. */
function fchmodat(t: Task, dirfd: number, pathAddr: number, mode: number, flags: number): number {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const d = user_path_at(t, dirfd, pathAddr, flags);
  if (typeof d === 'number') return d;
  if (d.d_inode.isLink) return -EOPNOTSUPP;
  return chmod_common(d.d_inode, mode, t.cred);
}

function fchownat(t: Task, dirfd: number, pathAddr: number, user: number, group: number, flags: number): number {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const d = user_path_at(t, dirfd, pathAddr, flags);
  return typeof d === 'number' ? d : chown_common(d.d_inode, user, group, t.cred);
}

export const sys_chmod = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => fchmodat(t, AT_FDCWD, a.ptr(0), a.uint(1), 0);
export const sys_fchmodat = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => fchmodat(t, a.int(0), a.ptr(1), a.uint(2), 0);
export const sys_fchmodat2 = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => fchmodat(t, a.int(0), a.ptr(1), a.uint(2), a.int(3));
export function sys_fchmod(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = fdget(t, a.int(0));
  return f ? chmod_common(f.f_inode, a.uint(1), t.cred) : -EBADF;
}

export const sys_chown = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => fchownat(t, AT_FDCWD, a.ptr(0), a.uint(1), a.uint(2), 0);
export const sys_lchown = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => fchownat(t, AT_FDCWD, a.ptr(0), a.uint(1), a.uint(2), AT_SYMLINK_NOFOLLOW);
export const sys_fchownat = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => fchownat(t, a.int(0), a.ptr(1), a.uint(2), a.uint(3), a.int(4));
export function sys_fchown(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = fdget(t, a.int(0));
  return f ? chown_common(f.f_inode, a.uint(1), a.uint(2), t.cred) : -EBADF;
}

/** Linux do_sys_truncate(): a negative length is EINVAL before the walk. */
export function sys_truncate(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const len = a.long(1);
  if (len < 0) return -EINVAL;
  const d = user_path_at(t, AT_FDCWD, a.ptr(0), 0);
  return typeof d === 'number' ? d : vfs_truncate(d.d_inode, len, t.cred);
}

/** Linux do_sys_ftruncate(): EINVAL unless a regular file open for writing. */
export function sys_ftruncate(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const len = a.long(1);
  if (len < 0) return -EINVAL;
  const f = fdget(t, a.int(0));
  if (!f) return -EBADF;
  if (!f.f_inode.isReg || !f.writable) return -EINVAL;
  return do_truncate(f.f_inode, len, t.cred);
}

/** Read `n` (sec, sub) pairs of 64-bit words; `scale` turns the second word into nanoseconds. */
function readTimes(t: Task, addr: number, scale: number): [Timespec, Timespec] | number {
  const raw = copy_from_user(t.mm!, addr, 32);
  if (!raw) return -EFAULT;
  const v = new DataView(raw.buffer, raw.byteOffset, 32);
  const ts = (o: number): Timespec => ({ tv_sec: Number(v.getBigInt64(o, true)), tv_nsec: Number(v.getBigInt64(o + 8, true)) * scale });
  return [ts(0), ts(16)];
}

/**
 * Linux do_utimes(): a NULL path with a dirfd is that file (futimens,
 * flags must be 0); otherwise a walk with AT_SYMLINK_NOFOLLOW and
 * AT_EMPTY_PATH allowed.
 */
function do_utimes(t: Task, dirfd: number, pathAddr: number, times: [Timespec, Timespec] | null, flags: number): number {
  if (times && (!nsec_valid(times[0].tv_nsec) || !nsec_valid(times[1].tv_nsec))) return -EINVAL;
  if (pathAddr === 0 && dirfd !== AT_FDCWD) {
    if (flags & ~AT_EMPTY_PATH) return -EINVAL;
    const f = t.files.get(dirfd);
    if (!f || f.isPath) return -EBADF;
    return vfs_utimes(f.f_inode, times, t.cred);
  }
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const d = user_path_at(t, dirfd, pathAddr, flags);
  return typeof d === 'number' ? d : vfs_utimes(d.d_inode, times, t.cred);
}

/** Linux utimensat(): both UTIME_OMIT does nothing at all, not even the walk. */
export function sys_utimensat(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  let times: [Timespec, Timespec] | null = null;
  if (a.ptr(2) !== 0) {
    const r = readTimes(t, a.ptr(2), 1);
    if (typeof r === 'number') return r;
    if (r[0].tv_nsec === UTIME_OMIT && r[1].tv_nsec === UTIME_OMIT) return 0;
    times = r;
  }
  return do_utimes(t, a.int(0), a.ptr(1), times, a.int(3));
}

/** Linux do_futimesat(): struct timeval pairs; microseconds outside [0, 1e6) are EINVAL. */
function futimesat(t: Task, dirfd: number, pathAddr: number, tvAddr: number): number {
  let times: [Timespec, Timespec] | null = null;
  if (tvAddr !== 0) {
    const r = readTimes(t, tvAddr, 1);
    if (typeof r === 'number') return r;
    if (r.some((x) => x.tv_nsec < 0 || x.tv_nsec >= 1_000_000)) return -EINVAL;
    times = [{ tv_sec: r[0].tv_sec, tv_nsec: r[0].tv_nsec * 1000 }, { tv_sec: r[1].tv_sec, tv_nsec: r[1].tv_nsec * 1000 }];
  }
  return do_utimes(t, dirfd, pathAddr, times, 0);
}

export const sys_utimes = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => futimesat(t, AT_FDCWD, a.ptr(0), a.ptr(1));
export const sys_futimesat = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => futimesat(t, a.int(0), a.ptr(1), a.ptr(2));

/** Linux utime(): struct utimbuf { actime; modtime } in whole seconds; NULL means now. */
export function sys_utime(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  let times: [Timespec, Timespec] | null = null;
  if (a.ptr(1) !== 0) {
    const raw = copy_from_user(t.mm!, a.ptr(1), 16);
    if (!raw) return -EFAULT;
    const v = new DataView(raw.buffer, raw.byteOffset, 16);
    times = [{ tv_sec: Number(v.getBigInt64(0, true)), tv_nsec: 0 }, { tv_sec: Number(v.getBigInt64(8, true)), tv_nsec: 0 }];
  }
  return do_utimes(t, AT_FDCWD, a.ptr(0), times, 0);
}

/** Linux vfs_fsync(): nothing to flush in memory; EINVAL for files without ->fsync (devices, pipes, ttys). */
function fsync(t: Task, fd: number): number {
  const f = fdget(t, fd);
  if (!f) return -EBADF;
  return f.f_inode.isReg || f.f_inode.isDir ? 0 : -EINVAL;
}

export const sys_fsync = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => fsync(t, a.int(0));
export const sys_fdatasync = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => fsync(t, a.int(0));
export const sys_sync = (): SyscallResult => 0;
export const sys_syncfs = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => (fdget(t, a.int(0)) ? 0 : -EBADF);

/** This family's rows of the syscall table (see table.ts). */
export const ATTR_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_fsync, handler: sys_fsync, support: 'full', args: ['fd'] },
  { nr: __NR_fdatasync, handler: sys_fdatasync, support: 'full', args: ['fd'] },
  { nr: __NR_truncate, handler: sys_truncate, support: 'full', args: ['str', 'int'] },
  { nr: __NR_ftruncate, handler: sys_ftruncate, support: 'full', args: ['fd', 'int'] },
  { nr: __NR_chmod, handler: sys_chmod, support: 'full', args: ['str', 'hex'] },
  { nr: __NR_fchmod, handler: sys_fchmod, support: 'full', args: ['fd', 'hex'] },
  { nr: __NR_chown, handler: sys_chown, support: 'full', args: ['str', 'int', 'int'] },
  { nr: __NR_fchown, handler: sys_fchown, support: 'full', args: ['fd', 'int', 'int'] },
  { nr: __NR_lchown, handler: sys_lchown, support: 'full', args: ['str', 'int', 'int'] },
  { nr: __NR_utime, handler: sys_utime, support: 'full', args: ['str', 'ptr'] },
  { nr: __NR_sync, handler: sys_sync, support: 'full', args: [] },
  { nr: __NR_utimes, handler: sys_utimes, support: 'full', args: ['str', 'ptr'] },
  { nr: __NR_fchownat, handler: sys_fchownat, support: 'full', args: ['atfd', 'str', 'int', 'int', 'hex'] },
  { nr: __NR_futimesat, handler: sys_futimesat, support: 'full', args: ['atfd', 'str', 'ptr'] },
  { nr: __NR_fchmodat, handler: sys_fchmodat, support: 'full', args: ['atfd', 'str', 'hex'] },
  { nr: __NR_utimensat, handler: sys_utimensat, support: 'full', args: ['atfd', 'str', 'ptr', 'hex'] },
  { nr: __NR_syncfs, handler: sys_syncfs, support: 'full', args: ['fd'] },
  { nr: __NR_fchmodat2, handler: sys_fchmodat2, support: 'full', args: ['atfd', 'str', 'hex', 'hex'] },
];
