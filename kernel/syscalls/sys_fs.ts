/**
 * File syscalls: Linux fs/open.c (openat, close, faccessat, chdir),
 * fs/stat.c (newfstatat, fstat, readlinkat), fs/d_path.c (getcwd).
 */

import {
  EBADF, EEXIST, EFAULT, EINVAL, EISDIR, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR, ERANGE, ETXTBSY,
} from '../../abi/errno.js';
import {
  AT_EACCESS, AT_EMPTY_PATH, AT_FDCWD, AT_NO_AUTOMOUNT, AT_SYMLINK_NOFOLLOW, O_ACCMODE, O_CLOEXEC, O_CREAT, O_DIRECTORY,
  O_EXCL, O_NOFOLLOW, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY,
} from '../../abi/fcntl.js';
import { PATH_MAX } from '../../abi/limits.js';
import { STAT, SIZEOF_STAT } from '../../abi/stat.js';
import { File, FMODE_READ, FMODE_WRITE } from '../fs/file.js';
import type { Inode } from '../fs/inode.js';
import {
  Dentry, inode_permission, latin1, latin1Bytes, MAY_EXEC, MAY_READ, MAY_WRITE, path_lookupat, path_parentat,
} from '../fs/namei.js';
import { TmpfsFile } from '../fs/tmpfs.js';
import type { Kernel } from '../kernel.js';
import { copy_to_user, strncpy_from_user } from '../mm/uaccess.js';
import type { Task } from '../task.js';
import { int, ptr, ulong, type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import { __NR_access, __NR_chdir, __NR_close, __NR_faccessat, __NR_faccessat2, __NR_fstat, __NR_getcwd, __NR_lstat, __NR_newfstatat, __NR_open, __NR_openat, __NR_readlink, __NR_readlinkat, __NR_stat } from '../../abi/syscalls.js';

/** Linux fs/namei.c getname_flags: the path string, or -errno (EFAULT, ENAMETOOLONG, ENOENT for ""). */
export function getname(t: Task, addr: number, allowEmpty = false): string | number {
  const s = strncpy_from_user(t.mm!, addr, PATH_MAX - 1);
  if (s === null) return -EFAULT;
  if (s === 'toolong') return -ENAMETOOLONG;
  if (s.length === 0 && !allowEmpty) return -ENOENT;
  return latin1(s);
}

/** The dentry a dirfd names as a starting point (AT_FDCWD: the cwd). */
export function dirfdStart(t: Task, dirfd: number, path: string): Dentry | number {
  if (path.startsWith('/') || dirfd === AT_FDCWD) return t.fs.pwd;
  const f = t.files.get(dirfd);
  if (!f) return -EBADF;
  if (!f.f_dentry) return -ENOTDIR;
  if (path.length > 0 && !f.f_inode.isDir) return -ENOTDIR;
  return f.f_dentry;
}

/** Resolve (dirfd, path) to a dentry with Linux's AT_* rules. */
export function user_path_at(t: Task, dirfd: number, pathAddr: number, flags: number): Dentry | number {
  const path = getname(t, pathAddr, (flags & AT_EMPTY_PATH) !== 0);
  if (typeof path === 'number') return path;
  const start = dirfdStart(t, dirfd, path);
  if (typeof start === 'number') return start;
  if (path.length === 0) return start;
  return path_lookupat(t.fs, start, path, { follow: !(flags & AT_SYMLINK_NOFOLLOW), cred: t.cred });
}

/** Linux fs/open.c do_sys_open for tmpfs-backed files. */
export function do_sys_open(t: Task, dirfd: number, pathAddr: number, flags: number, mode: number): number {
  const path = getname(t, pathAddr);
  if (typeof path === 'number') return path;
  const start = dirfdStart(t, dirfd, path);
  if (typeof start === 'number') return start;
  let d = path_lookupat(t.fs, start, path, { follow: !(flags & O_NOFOLLOW), cred: t.cred });
  if (d === -ENOENT && (flags & O_CREAT)) d = createFile(t, start, path, mode);
  else if (typeof d !== 'number' && (flags & O_CREAT) && (flags & O_EXCL)) return -EEXIST;
  if (typeof d === 'number') return d;
  const inode = d.d_inode;
  if (inode.isLink) return -ELOOP; // O_NOFOLLOW on a symlink
  if ((flags & O_DIRECTORY) && !inode.isDir) return -ENOTDIR;
  const acc = flags & O_ACCMODE;
  if (inode.isDir && acc !== O_RDONLY) return -EISDIR;
  const mask = (acc === O_RDONLY ? MAY_READ : acc === O_WRONLY ? MAY_WRITE : MAY_READ | MAY_WRITE);
  const perm = inode_permission(inode, mask, t.cred);
  if (perm < 0) return perm;
  const fmode = (acc === O_WRONLY ? 0 : FMODE_READ) | (acc === O_WRONLY || acc === O_RDWR ? FMODE_WRITE : 0);
  if (fmode & FMODE_WRITE) {
    if (inode.i_writecount < 0) return -ETXTBSY; // being executed (deny_write_access)
    inode.i_writecount++;
  }
  if ((flags & O_TRUNC) && (fmode & FMODE_WRITE) && inode.isReg) inode.truncate(0);
  const file = new File(inode, flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC), fmode, d.path(), d);
  return t.files.install(file, (flags & O_CLOEXEC) !== 0);
}

function createFile(t: Task, start: Dentry, path: string, mode: number): Dentry | number {
  const p = path_parentat(t.fs, start, path, { follow: true, cred: t.cred });
  if (typeof p === 'number') return p;
  if (p.trailingSlash) return -EISDIR;
  const perm = inode_permission(p.parent.d_inode, MAY_WRITE | MAY_EXEC, t.cred);
  if (perm < 0) return perm;
  const inode = new TmpfsFile(p.parent.d_inode.i_sb, mode & ~t.fs.umask);
  inode.i_uid = t.cred.fsuid;
  inode.i_gid = t.cred.fsgid;
  const r = p.parent.d_inode.link(p.last, inode);
  return r < 0 ? r : new Dentry(p.last, p.parent, inode);
}

export const sys_open = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult =>
  do_sys_open(t, AT_FDCWD, ptr(a[0]), int(a[1]), int(a[2]));
export const sys_openat = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult =>
  do_sys_open(t, int(a[0]), ptr(a[1]), int(a[2]), int(a[3]));
export const sys_close = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => t.files.close(int(a[0]));

/** Fill a struct stat (Linux fs/stat.c cp_new_stat). */
export function encodeStat(inode: Inode): Uint8Array {
  const out = new Uint8Array(SIZEOF_STAT);
  const v = new DataView(out.buffer);
  const sec = (ms: number): bigint => BigInt(Math.floor(ms / 1000));
  const nsec = (ms: number): number => Math.round((ms % 1000) * 1e6);
  v.setBigUint64(STAT.st_dev, BigInt(inode.i_sb.dev), true);
  v.setBigUint64(STAT.st_ino, BigInt(inode.i_ino), true);
  v.setBigUint64(STAT.st_nlink, BigInt(inode.i_nlink), true);
  v.setUint32(STAT.st_mode, inode.i_mode, true);
  v.setUint32(STAT.st_uid, inode.i_uid, true);
  v.setUint32(STAT.st_gid, inode.i_gid, true);
  v.setBigUint64(STAT.st_rdev, BigInt(inode.i_rdev), true);
  v.setBigInt64(STAT.st_size, BigInt(inode.size()), true);
  v.setBigInt64(STAT.st_blksize, 4096n, true);
  v.setBigInt64(STAT.st_blocks, BigInt(Math.ceil(inode.size() / 4096) * 8), true);
  for (const [s, n, ms] of [
    [STAT.st_atime, STAT.st_atime_nsec, inode.i_atime],
    [STAT.st_mtime, STAT.st_mtime_nsec, inode.i_mtime],
    [STAT.st_ctime, STAT.st_ctime_nsec, inode.i_ctime],
  ] as const) {
    v.setBigInt64(s, sec(ms), true);
    v.setBigInt64(n, BigInt(nsec(ms)), true);
  }
  return out;
}

function statTo(t: Task, d: Dentry | number, buf: number): number {
  if (typeof d === 'number') return d;
  return copy_to_user(t.mm!, buf, encodeStat(d.d_inode)) ? 0 : -EFAULT;
}

export function sys_newfstatat(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const flags = int(a[3]);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT)) return -EINVAL;
  const dirfd = int(a[0]);
  // fstat through AT_EMPTY_PATH works on any open file, with or without a dentry.
  const path = getname(t, ptr(a[1]), (flags & AT_EMPTY_PATH) !== 0);
  if (path === '' && dirfd !== AT_FDCWD) {
    const f = t.files.get(dirfd);
    return f ? (copy_to_user(t.mm!, ptr(a[2]), encodeStat(f.f_inode)) ? 0 : -EFAULT) : -EBADF;
  }
  return statTo(t, user_path_at(t, dirfd, ptr(a[1]), flags), ptr(a[2]));
}

export function sys_fstat(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = t.files.get(int(a[0]));
  if (!f) return -EBADF;
  return copy_to_user(t.mm!, ptr(a[1]), encodeStat(f.f_inode)) ? 0 : -EFAULT;
}

export const sys_stat = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult =>
  statTo(t, user_path_at(t, AT_FDCWD, ptr(a[0]), 0), ptr(a[1]));
export const sys_lstat = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult =>
  statTo(t, user_path_at(t, AT_FDCWD, ptr(a[0]), AT_SYMLINK_NOFOLLOW), ptr(a[1]));

/** Linux fs/stat.c do_readlinkat: EINVAL if not a symlink or bufsiz <= 0; the result is not NUL-terminated. */
function do_readlinkat(t: Task, dirfd: number, pathAddr: number, buf: number, bufsiz: number): number {
  if (bufsiz <= 0) return -EINVAL;
  const d = user_path_at(t, dirfd, pathAddr, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
  if (typeof d === 'number') return d;
  const target = d.d_inode.readlink();
  if (typeof target === 'number') return target;
  const n = Math.min(target.length, bufsiz);
  return copy_to_user(t.mm!, buf, target.subarray(0, n)) ? n : -EFAULT;
}

export const sys_readlink = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult =>
  do_readlinkat(t, AT_FDCWD, ptr(a[0]), ptr(a[1]), int(a[2]));
export const sys_readlinkat = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult =>
  do_readlinkat(t, int(a[0]), ptr(a[1]), ptr(a[2]), int(a[3]));

/** Linux fs/open.c do_faccessat (root passes read/write; exec needs an x bit). */
function do_faccessat(t: Task, dirfd: number, pathAddr: number, mode: number, flags: number): number {
  if (mode & ~7) return -EINVAL;
  if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const d = user_path_at(t, dirfd, pathAddr, flags);
  if (typeof d === 'number') return d;
  if (mode === 0) return 0;
  const mask = (mode & 4 ? MAY_READ : 0) | (mode & 2 ? MAY_WRITE : 0) | (mode & 1 ? MAY_EXEC : 0);
  return inode_permission(d.d_inode, mask, t.cred);
}

export const sys_access = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult =>
  do_faccessat(t, AT_FDCWD, ptr(a[0]), int(a[1]), 0);
export const sys_faccessat = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult =>
  do_faccessat(t, int(a[0]), ptr(a[1]), int(a[2]), 0);
export const sys_faccessat2 = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult =>
  do_faccessat(t, int(a[0]), ptr(a[1]), int(a[2]), int(a[3]));

/** Linux fs/d_path.c getcwd: ERANGE when the buffer is too small; returns the length with the NUL. */
export function sys_getcwd(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const path = latin1Bytes(t.fs.pwd.path() + '\0');
  if (path.length > ulong(a[1])) return -ERANGE;
  return copy_to_user(t.mm!, ptr(a[0]), path) ? path.length : -EFAULT;
}

export function sys_chdir(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const d = user_path_at(t, AT_FDCWD, ptr(a[0]), 0);
  if (typeof d === 'number') return d;
  if (!d.d_inode.isDir) return -ENOTDIR;
  const perm = inode_permission(d.d_inode, MAY_EXEC, t.cred);
  if (perm < 0) return perm;
  t.fs.pwd = d;
  return 0;
}

/** This family's rows of the syscall table (see table.ts). */
export const FS_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_open, handler: sys_open, support: 'partial', note: 'tmpfs files', args: ['str', 'hex', 'hex'] },
  { nr: __NR_close, handler: sys_close, support: 'full', args: ['fd'] },
  { nr: __NR_stat, handler: sys_stat, support: 'full', args: ['str', 'ptr'] },
  { nr: __NR_fstat, handler: sys_fstat, support: 'full', args: ['fd', 'ptr'] },
  { nr: __NR_lstat, handler: sys_lstat, support: 'full', args: ['str', 'ptr'] },
  { nr: __NR_access, handler: sys_access, support: 'full', args: ['str', 'int'] },
  { nr: __NR_readlink, handler: sys_readlink, support: 'full', args: ['str', 'obuf', 'uint'] },
  { nr: __NR_getcwd, handler: sys_getcwd, support: 'full', args: ['ptr', 'uint'] },
  { nr: __NR_chdir, handler: sys_chdir, support: 'full', args: ['str'] },
  { nr: __NR_openat, handler: sys_openat, support: 'partial', note: 'tmpfs files', args: ['atfd', 'str', 'hex', 'hex'] },
  { nr: __NR_newfstatat, handler: sys_newfstatat, support: 'full', args: ['atfd', 'str', 'ptr', 'hex'] },
  { nr: __NR_readlinkat, handler: sys_readlinkat, support: 'full', args: ['atfd', 'str', 'obuf', 'uint'] },
  { nr: __NR_faccessat, handler: sys_faccessat, support: 'full', args: ['atfd', 'str', 'int'] },
  { nr: __NR_faccessat2, handler: sys_faccessat2, support: 'full', args: ['atfd', 'str', 'int', 'hex'] },
];
