/**
 * Names in directories: Linux fs/namei.c (mkdir, mknod, rmdir, unlink,
 * rename, link, symlink and their *at forms) and fs/readdir.c (getdents,
 * getdents64). The workers are kernel/fs/namei_create.ts and readdir.ts.
 */

import { EBADF, EFAULT, EINVAL, ENOENT } from '../../abi/errno.js';
import { AT_EMPTY_PATH, AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_FOLLOW } from '../../abi/fcntl.js';
import type { Dentry } from '../fs/dcache.js';
import { capable_fs, latin1Bytes } from '../fs/namei.js';
import {
  do_linkat, do_mkdirat, do_mknodat, do_renameat2, do_rmdir, do_symlinkat, do_unlinkat, link_source,
} from '../fs/namei_create.js';
import { iterate_dir, type DirentLayout } from '../fs/readdir.js';
import type { Kernel } from '../kernel.js';
import { copy_to_user, user_range_writable } from '../mm/uaccess.js';
import type { Task } from '../task.js';
import { dirfdStart, getname } from './sys_fs.js';
import { type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import {
  __NR_getdents, __NR_getdents64, __NR_link, __NR_linkat, __NR_mkdir, __NR_mkdirat, __NR_mknod, __NR_mknodat,
  __NR_rename, __NR_renameat, __NR_renameat2, __NR_rmdir, __NR_symlink, __NR_symlinkat, __NR_unlink, __NR_unlinkat,
} from '../../abi/syscalls.js';

/** A (dirfd, path) pair read from the guest: the start dentry and the name, or -errno. */
function at(t: Task, dirfd: number, pathAddr: number, allowEmpty = false): { start: Dentry; name: string } | number {
  const name = getname(t, pathAddr, allowEmpty);
  if (typeof name === 'number') return name;
  const start = dirfdStart(t, dirfd, name);
  if (typeof start === 'number') return start;
  return { start, name };
}

function mkdirat(t: Task, dirfd: number, pathAddr: number, mode: number): number {
  const p = at(t, dirfd, pathAddr);
  return typeof p === 'number' ? p : do_mkdirat(t, p.start, p.name, mode);
}

function mknodat(t: Task, dirfd: number, pathAddr: number, mode: number, dev: number): number {
  const p = at(t, dirfd, pathAddr);
  return typeof p === 'number' ? p : do_mknodat(t, p.start, p.name, mode, dev);
}

function unlinkat(t: Task, dirfd: number, pathAddr: number, flags: number): number {
  if (flags & ~AT_REMOVEDIR) return -EINVAL;
  const p = at(t, dirfd, pathAddr);
  if (typeof p === 'number') return p;
  return flags & AT_REMOVEDIR ? do_rmdir(t, p.start, p.name) : do_unlinkat(t, p.start, p.name);
}

function renameat2(t: Task, olddfd: number, oldAddr: number, newdfd: number, newAddr: number, flags: number): number {
  const o = at(t, olddfd, oldAddr);
  if (typeof o === 'number') return o;
  const n = at(t, newdfd, newAddr);
  if (typeof n === 'number') return n;
  return do_renameat2(t, o.start, o.name, n.start, n.name, flags);
}

/**
 * Linux do_linkat(): EINVAL for unknown flags; AT_EMPTY_PATH (link the
 * dirfd's own file, such as an O_TMPFILE) needs CAP_DAC_READ_SEARCH, else
 * ENOENT; the source's trailing symlink is followed only with
 * AT_SYMLINK_FOLLOW.
 */
function linkat(t: Task, olddfd: number, oldAddr: number, newdfd: number, newAddr: number, flags: number): number {
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  if ((flags & AT_EMPTY_PATH) && !capable_fs(t.cred)) return -ENOENT;
  const o = at(t, olddfd, oldAddr, (flags & AT_EMPTY_PATH) !== 0);
  if (typeof o === 'number') return o;
  const old = link_source(t, o.start, o.name, (flags & AT_SYMLINK_FOLLOW) !== 0);
  if (typeof old === 'number') return old;
  const n = at(t, newdfd, newAddr);
  if (typeof n === 'number') return n;
  return do_linkat(t, old, n.start, n.name);
}

function symlinkat(t: Task, targetAddr: number, newdfd: number, newAddr: number): number {
  const target = getname(t, targetAddr);
  if (typeof target === 'number') return target;
  const n = at(t, newdfd, newAddr);
  return typeof n === 'number' ? n : do_symlinkat(t, latin1Bytes(target), n.start, n.name);
}

/** Linux getdents64 / getdents: EBADF for an O_PATH or closed fd, EFAULT for a buffer the guest cannot write. */
function getdents(t: Task, fd: number, buf: number, count: number, layout: DirentLayout): number {
  const f = t.files.get(fd);
  if (!f || f.isPath) return -EBADF;
  if (count > 0 && !user_range_writable(t.mm!, buf, Math.min(count, 4096))) return -EFAULT;
  const bytes = iterate_dir(f, count, layout);
  if (typeof bytes === 'number') return bytes;
  return copy_to_user(t.mm!, buf, bytes) ? bytes.length : -EFAULT;
}

export const sys_mkdir = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => mkdirat(t, AT_FDCWD, a.ptr(0), a.int(1));
export const sys_mkdirat = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => mkdirat(t, a.int(0), a.ptr(1), a.int(2));
export const sys_mknod = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => mknodat(t, AT_FDCWD, a.ptr(0), a.int(1), a.uint(2));
export const sys_mknodat = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => mknodat(t, a.int(0), a.ptr(1), a.int(2), a.uint(3));
export const sys_rmdir = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => unlinkat(t, AT_FDCWD, a.ptr(0), AT_REMOVEDIR);
export const sys_unlink = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => unlinkat(t, AT_FDCWD, a.ptr(0), 0);
export const sys_unlinkat = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => unlinkat(t, a.int(0), a.ptr(1), a.int(2));
export const sys_rename = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => renameat2(t, AT_FDCWD, a.ptr(0), AT_FDCWD, a.ptr(1), 0);
export const sys_renameat = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => renameat2(t, a.int(0), a.ptr(1), a.int(2), a.ptr(3), 0);
export const sys_renameat2 = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => renameat2(t, a.int(0), a.ptr(1), a.int(2), a.ptr(3), a.uint(4));
export const sys_link = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => linkat(t, AT_FDCWD, a.ptr(0), AT_FDCWD, a.ptr(1), 0);
export const sys_linkat = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => linkat(t, a.int(0), a.ptr(1), a.int(2), a.ptr(3), a.int(4));
export const sys_symlink = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => symlinkat(t, a.ptr(0), AT_FDCWD, a.ptr(1));
export const sys_symlinkat = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => symlinkat(t, a.ptr(0), a.int(1), a.ptr(2));
export const sys_getdents = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => getdents(t, a.int(0), a.ptr(1), a.uint(2), 'linux_dirent');
export const sys_getdents64 = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult => getdents(t, a.int(0), a.ptr(1), a.uint(2), 'linux_dirent64');

/** This family's rows of the syscall table (see table.ts). */
export const DIR_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_getdents, handler: sys_getdents, support: 'full', args: ['fd', 'ptr', 'uint'] },
  { nr: __NR_rename, handler: sys_rename, support: 'full', args: ['str', 'str'] },
  { nr: __NR_mkdir, handler: sys_mkdir, support: 'full', args: ['str', 'hex'] },
  { nr: __NR_rmdir, handler: sys_rmdir, support: 'full', args: ['str'] },
  { nr: __NR_link, handler: sys_link, support: 'full', args: ['str', 'str'] },
  { nr: __NR_unlink, handler: sys_unlink, support: 'full', args: ['str'] },
  { nr: __NR_symlink, handler: sys_symlink, support: 'full', args: ['str', 'str'] },
  { nr: __NR_mknod, handler: sys_mknod, support: 'partial', note: 'FIFOs open only once pipes register fifo_open', args: ['str', 'hex', 'hex'] },
  { nr: __NR_getdents64, handler: sys_getdents64, support: 'full', args: ['fd', 'ptr', 'uint'] },
  { nr: __NR_mkdirat, handler: sys_mkdirat, support: 'full', args: ['atfd', 'str', 'hex'] },
  { nr: __NR_mknodat, handler: sys_mknodat, support: 'partial', note: 'as mknod', args: ['atfd', 'str', 'hex', 'hex'] },
  { nr: __NR_unlinkat, handler: sys_unlinkat, support: 'full', args: ['atfd', 'str', 'hex'] },
  { nr: __NR_renameat, handler: sys_renameat, support: 'full', args: ['atfd', 'str', 'atfd', 'str'] },
  { nr: __NR_linkat, handler: sys_linkat, support: 'full', args: ['atfd', 'str', 'atfd', 'str', 'hex'] },
  { nr: __NR_symlinkat, handler: sys_symlinkat, support: 'full', args: ['str', 'atfd', 'str'] },
  { nr: __NR_renameat2, handler: sys_renameat2, support: 'full', args: ['atfd', 'str', 'atfd', 'str', 'hex'] },
];
