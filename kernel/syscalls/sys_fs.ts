/**
 * File syscalls: Linux fs/open.c (open, openat, openat2, creat, close,
 * close_range, faccessat, chdir, fchdir, chroot), fs/d_path.c (getcwd)
 * and kernel/sys.c (umask). The walk, the open and the checks live in
 * kernel/fs/; these decode arguments and call one worker each.
 */

import {
  E2BIG, EACCES, EBADF, EFAULT, EINVAL, EMFILE, ENAMETOOLONG, ENOENT, ENOTDIR, EPERM, ERANGE, EROFS,
} from '../../abi/errno.js';
import {
  AT_EACCESS, AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, CLOSE_RANGE_CLOEXEC, CLOSE_RANGE_UNSHARE, O_CLOEXEC,
  O_CREAT, O_LARGEFILE, O_TRUNC, O_WRONLY, RESOLVE_BENEATH, RESOLVE_IN_ROOT, S_IRWXUGO,
} from '../../abi/fcntl.js';
import { PAGE_SIZE, PATH_MAX } from '../../abi/limits.js';
import { d_path, is_subdir, type Dentry } from '../fs/dcache.js';
import {
  capable_fs, filename_lookup, inode_permission, latin1, latin1Bytes, LOOKUP_DIRECTORY, LOOKUP_FOLLOW, MAY_EXEC,
  nameidata, type Cred,
} from '../fs/namei.js';
import { build_open_flags, build_open_how, do_filp_open, type OpenHow } from '../fs/open.js';
import { fileDentry } from '../fs/proc_pid.js';
import type { Kernel } from '../kernel.js';
import { copy_from_user, copy_to_user, strncpy_from_user } from '../mm/uaccess.js';
import type { Task } from '../task.js';
import { type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import {
  __NR_access, __NR_chdir, __NR_chroot, __NR_close, __NR_close_range, __NR_creat, __NR_faccessat, __NR_faccessat2,
  __NR_fchdir, __NR_getcwd, __NR_open, __NR_openat, __NR_openat2, __NR_umask,
} from '../../abi/syscalls.js';

/**
 * Linux fs/namei.c getname_flags: the path string, or -errno (EFAULT,
 * ENAMETOOLONG at PATH_MAX bytes without a NUL, ENOENT for "" unless
 * allowed). A NULL pointer is "" when `allowEmpty` (Linux 6.11's
 * getname_maybe_null for AT_EMPTY_PATH).
 */
export function getname(t: Task, addr: number, allowEmpty = false): string | number {
  if (addr === 0 && allowEmpty) return '';
  const s = strncpy_from_user(t.mm!, addr, PATH_MAX - 1);
  if (s === null) return -EFAULT;
  if (s === 'toolong') return -ENAMETOOLONG;
  if (s.length === 0 && !allowEmpty) return -ENOENT;
  return latin1(s);
}

/**
 * Linux path_init() for a dirfd: where a relative `path` starts (the cwd
 * for AT_FDCWD). EBADF for a closed fd; ENOTDIR when a non-empty path
 * would start at a non-directory. With an empty path the fd's own file is
 * the answer (AT_EMPTY_PATH), whatever it is. A `scoped` lookup
 * (RESOLVE_BENEATH, RESOLVE_IN_ROOT) starts at the dirfd even for an
 * absolute path.
 */
export function dirfdStart(t: Task, dirfd: number, path: string, scoped = false): Dentry | number {
  if ((path.startsWith('/') && !scoped) || dirfd === AT_FDCWD) return t.fs.pwd;
  const f = t.files.get(dirfd);
  if (!f) return -EBADF;
  if (path.length === 0) return fileDentry(f);
  if (!f.f_dentry || !f.f_inode.isDir) return -ENOTDIR;
  return f.f_dentry;
}

/** Linux user_path_at(): resolve (dirfd, path) with the AT_* rules; LOOKUP flags may add LOOKUP_DIRECTORY. */
export function user_path_at(t: Task, dirfd: number, pathAddr: number, flags: number, lookup = 0, cred: Cred = t.cred): Dentry | number {
  const path = getname(t, pathAddr, (flags & AT_EMPTY_PATH) !== 0);
  if (typeof path === 'number') return path;
  const start = dirfdStart(t, dirfd, path);
  if (typeof start === 'number') return start;
  const nd = nameidata(t.fs.root, start, lookup | (flags & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW), cred);
  return filename_lookup(nd, path);
}

/** Linux do_sys_openat2(): check the request, take an fd number, open, install. */
export function do_sys_openat2(t: Task, dirfd: number, pathAddr: number, how: OpenHow): number {
  const op = build_open_flags(how);
  if (typeof op === 'number') return op;
  const path = getname(t, pathAddr);
  if (typeof path === 'number') return path;
  if (t.files.get_unused_fd() < 0) return -EMFILE;
  const start = dirfdStart(t, dirfd, path, (Number(how.resolve) & (RESOLVE_BENEATH | RESOLVE_IN_ROOT)) !== 0);
  if (typeof start === 'number') return start;
  const f = do_filp_open(t, start, path, op);
  if (typeof f === 'number') return f;
  return t.files.install(f, (Number(how.flags) & O_CLOEXEC) !== 0);
}

/** Linux do_sys_open(): open and openat drop unknown flags quietly. */
export function do_sys_open(t: Task, dirfd: number, pathAddr: number, flags: number, mode: number): number {
  return do_sys_openat2(t, dirfd, pathAddr, build_open_how(flags, mode));
}

export const sys_open = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult =>
  do_sys_open(t, AT_FDCWD, a.ptr(0), a.int(1), a.int(2));
export const sys_openat = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult =>
  do_sys_open(t, a.int(0), a.ptr(1), a.int(2), a.int(3));
export const sys_creat = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult =>
  do_sys_open(t, AT_FDCWD, a.ptr(0), O_CREAT | O_WRONLY | O_TRUNC, a.int(1));

/** struct open_how's size in Linux 5.6 (OPEN_HOW_SIZE_VER0). */
const OPEN_HOW_SIZE_VER0 = 24;

/**
 * Linux openat2(): copy_struct_from_user() rules for the struct (EINVAL
 * when shorter than version 0, E2BIG past a page or when unknown trailing
 * bytes are not zero), then build_open_flags' strict checks.
 */
export function sys_openat2(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const size = a.ulong(3);
  if (size < OPEN_HOW_SIZE_VER0) return -EINVAL;
  if (size > PAGE_SIZE) return -E2BIG;
  const raw = copy_from_user(t.mm!, a.ptr(2), size);
  if (!raw) return -EFAULT;
  if (raw.subarray(OPEN_HOW_SIZE_VER0).some((b) => b !== 0)) return -E2BIG;
  const v = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const how: OpenHow = { flags: v.getBigUint64(0, true) | BigInt(O_LARGEFILE), mode: v.getBigUint64(8, true), resolve: v.getBigUint64(16, true) };
  return do_sys_openat2(t, a.int(0), a.ptr(1), how);
}

export const sys_close = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => t.files.close(a.int(0));

/** Linux close_range(): EINVAL for unknown flags or fd > max_fd; UNSHARE first gives the task its own table. */
export function sys_close_range(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const first = a.uint(0);
  const last = a.uint(1);
  const flags = a.uint(2);
  if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) return -EINVAL;
  if (first > last) return -EINVAL;
  if ((flags & CLOSE_RANGE_UNSHARE) && [...k.tasks.values()].some((o) => o !== t && o.files === t.files)) {
    t.files = t.files.dup();
  }
  t.files.closeRange(first, last, (flags & CLOSE_RANGE_CLOEXEC) !== 0);
  return 0;
}

/**
 * Linux do_faccessat(): access() checks with the real uid and gid (the
 * capabilities of root only when the real uid is 0) unless AT_EACCESS;
 * X_OK on a regular file of a noexec mount is EACCES; W_OK on a
 * read-only filesystem is EROFS.
 */
function do_faccessat(t: Task, dirfd: number, pathAddr: number, mode: number, flags: number): number {
  if (mode & ~7) return -EINVAL;
  if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const c = t.cred;
  const cred: Cred = flags & AT_EACCESS ? c : { ...c, fsuid: c.uid, fsgid: c.gid };
  const d = user_path_at(t, dirfd, pathAddr, flags, 0, cred);
  if (typeof d === 'number') return d;
  const inode = d.d_inode;
  if ((mode & MAY_EXEC) && inode.isReg && inode.i_sb.noexec) return -EACCES;
  const res = inode_permission(inode, mode, cred);
  if (res || !(mode & 2) || !(inode.isReg || inode.isDir || inode.isLink)) return res;
  return inode.i_sb.rdonly ? -EROFS : 0;
}

export const sys_access = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult =>
  do_faccessat(t, AT_FDCWD, a.ptr(0), a.int(1), 0);
export const sys_faccessat = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult =>
  do_faccessat(t, a.int(0), a.ptr(1), a.int(2), 0);
export const sys_faccessat2 = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult =>
  do_faccessat(t, a.int(0), a.ptr(1), a.int(2), a.int(3));

/**
 * Linux fs/d_path.c getcwd(): ENOENT once the cwd was removed; a cwd
 * outside the root reads "(unreachable)..."; ERANGE when the buffer is too
 * small; returns the length with the NUL.
 */
export function sys_getcwd(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const pwd = t.fs.pwd;
  if (pwd.d_unhashed) return -ENOENT;
  const path = is_subdir(pwd, t.fs.root) ? d_path(pwd, t.fs.root) : '(unreachable)' + d_path(pwd);
  const bytes = latin1Bytes(path + '\0');
  if (bytes.length > a.ulong(1)) return -ERANGE;
  return copy_to_user(t.mm!, a.ptr(0), bytes) ? bytes.length : -EFAULT;
}

/** Linux chdir(): the path must be a directory the caller may search. */
export function sys_chdir(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const d = user_path_at(t, AT_FDCWD, a.ptr(0), 0, LOOKUP_DIRECTORY);
  if (typeof d === 'number') return d;
  const perm = inode_permission(d.d_inode, MAY_EXEC, t.cred);
  if (perm < 0) return perm;
  t.fs.pwd = d;
  return 0;
}

/** Linux fchdir(): works on O_PATH descriptors too (fdget_raw). */
export function sys_fchdir(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = t.files.get(a.int(0));
  if (!f) return -EBADF;
  if (!f.f_dentry || !f.f_inode.isDir) return -ENOTDIR;
  const perm = inode_permission(f.f_inode, MAY_EXEC, t.cred);
  if (perm < 0) return perm;
  t.fs.pwd = f.f_dentry;
  return 0;
}

/** Linux chroot(): a searchable directory, and CAP_SYS_CHROOT (root). */
export function sys_chroot(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const d = user_path_at(t, AT_FDCWD, a.ptr(0), 0, LOOKUP_DIRECTORY);
  if (typeof d === 'number') return d;
  const perm = inode_permission(d.d_inode, MAY_EXEC, t.cred);
  if (perm < 0) return perm;
  if (t.cred.euid !== 0 && !capable_fs(t.cred)) return -EPERM;
  t.fs.root = d;
  return 0;
}

/** Linux kernel/sys.c umask(): set the mask (permission bits only), return the old one. */
export function sys_umask(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const old = t.fs.umask;
  t.fs.umask = a.int(0) & S_IRWXUGO;
  return old;
}

/** This family's rows of the syscall table (see table.ts). */
export const FS_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_open, handler: sys_open, support: 'full', args: ['str', 'hex', 'hex'] },
  { nr: __NR_close, handler: sys_close, support: 'full', args: ['fd'] },
  { nr: __NR_access, handler: sys_access, support: 'full', args: ['str', 'int'] },
  { nr: __NR_getcwd, handler: sys_getcwd, support: 'full', args: ['ptr', 'uint'] },
  { nr: __NR_chdir, handler: sys_chdir, support: 'full', args: ['str'] },
  { nr: __NR_fchdir, handler: sys_fchdir, support: 'full', args: ['fd'] },
  { nr: __NR_creat, handler: sys_creat, support: 'full', args: ['str', 'hex'] },
  { nr: __NR_umask, handler: sys_umask, support: 'full', args: ['hex'] },
  { nr: __NR_chroot, handler: sys_chroot, support: 'full', args: ['str'] },
  { nr: __NR_openat, handler: sys_openat, support: 'full', args: ['atfd', 'str', 'hex', 'hex'] },
  { nr: __NR_faccessat, handler: sys_faccessat, support: 'full', args: ['atfd', 'str', 'int'] },
  { nr: __NR_close_range, handler: sys_close_range, support: 'full', args: ['uint', 'uint', 'hex'] },
  { nr: __NR_openat2, handler: sys_openat2, support: 'partial', note: 'RESOLVE_CACHED is always satisfied', args: ['atfd', 'str', 'ptr', 'uint'] },
  { nr: __NR_faccessat2, handler: sys_faccessat2, support: 'full', args: ['atfd', 'str', 'int', 'hex'] },
];
