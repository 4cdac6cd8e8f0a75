/**
 * Extended attributes: Linux fs/xattr.c (setxattr, getxattr, listxattr,
 * removexattr, xattr_permission) over a filesystem's simple_xattrs
 * (tmpfs keeps "user.", "trusted." and "security." names in memory;
 * procfs and host directories have none: EOPNOTSUPP).
 */

import { E2BIG, EEXIST, EINVAL, ENODATA, EOPNOTSUPP, EPERM, ERANGE, EROFS } from '../../abi/errno.js';
import { S_ISVTX } from '../../abi/fcntl.js';
import { XATTR_LIST_MAX, XATTR_NAME_MAX, XATTR_SIZE_MAX } from '../../abi/limits.js';
import { inode_owner_or_capable } from './attr.js';
import { current_time, type Inode } from './inode.js';
import { capable_fs, inode_permission, MAY_READ, MAY_WRITE, type Cred } from './namei.js';

/** include/uapi/linux/xattr.h */
export const XATTR_CREATE = 0x1;
export const XATTR_REPLACE = 0x2;

const NAMESPACES = ['user.', 'trusted.', 'security.'];

/**
 * Linux xattr_permission(): "security." is the security module's business;
 * "trusted." needs CAP_SYS_ADMIN (reads of it just find nothing); "user."
 * exists only on regular files and directories, and a sticky directory's
 * only for its owner; then ordinary read or write permission.
 */
function xattr_permission(inode: Inode, name: string, mask: number, cred: Cred): number {
  if (name.startsWith('security.')) return 0;
  if (name.startsWith('trusted.')) return capable_fs(cred) ? 0 : mask & MAY_WRITE ? -EPERM : -ENODATA;
  if (name.startsWith('user.')) {
    if (!inode.isReg && !inode.isDir) return mask & MAY_WRITE ? -EPERM : -ENODATA;
    if (inode.isDir && (inode.i_mode & S_ISVTX) && (mask & MAY_WRITE) && !inode_owner_or_capable(inode, cred)) return -EPERM;
  }
  return inode_permission(inode, mask, cred);
}

/** The checks on a name every call makes: 1 to XATTR_NAME_MAX bytes (ERANGE). */
export function xattr_name_ok(name: string): number {
  return name.length === 0 || name.length > XATTR_NAME_MAX ? -ERANGE : 0;
}

/** The store for `name`, or EOPNOTSUPP for a filesystem or namespace without one. */
function store(inode: Inode, name: string): Map<string, Uint8Array> | number {
  const xa = inode.xattrs();
  if (!xa || !NAMESPACES.some((p) => name.startsWith(p) && name.length > p.length)) return -EOPNOTSUPP;
  return xa;
}

/** Linux vfs_setxattr(): XATTR_CREATE fails on an existing name (EEXIST), XATTR_REPLACE on a missing one (ENODATA). */
export function vfs_setxattr(inode: Inode, name: string, value: Uint8Array, flags: number, cred: Cred): number {
  if (flags & ~(XATTR_CREATE | XATTR_REPLACE)) return -EINVAL;
  if (value.length > XATTR_SIZE_MAX) return -E2BIG;
  if (inode.i_sb.rdonly) return -EROFS;
  const perm = xattr_permission(inode, name, MAY_WRITE, cred);
  if (perm) return perm;
  const xa = store(inode, name);
  if (typeof xa === 'number') return xa;
  if ((flags & XATTR_CREATE) && xa.has(name)) return -EEXIST;
  if ((flags & XATTR_REPLACE) && !xa.has(name)) return -ENODATA;
  xa.set(name, value.slice());
  inode.i_ctime = current_time();
  return 0;
}

/** Linux vfs_getxattr(): the value, or ENODATA; the caller applies the size rules. */
export function vfs_getxattr(inode: Inode, name: string, cred: Cred): Uint8Array | number {
  const perm = xattr_permission(inode, name, MAY_READ, cred);
  if (perm) return perm;
  const xa = store(inode, name);
  if (typeof xa === 'number') return xa;
  return xa.get(name) ?? -ENODATA;
}

/** Linux vfs_listxattr() over simple_xattr_list(): NUL-terminated names; "trusted." only for CAP_SYS_ADMIN. */
export function vfs_listxattr(inode: Inode, cred: Cred): Uint8Array | number {
  const xa = inode.xattrs();
  if (!xa) return new Uint8Array(0);
  const names = [...xa.keys()].filter((n) => !n.startsWith('trusted.') || capable_fs(cred));
  const bytes = Buffer.from(names.map((n) => n + '\0').join(''), 'latin1');
  return bytes.length > XATTR_LIST_MAX ? -E2BIG : new Uint8Array(bytes);
}

/** Linux vfs_removexattr(). */
export function vfs_removexattr(inode: Inode, name: string, cred: Cred): number {
  if (inode.i_sb.rdonly) return -EROFS;
  const perm = xattr_permission(inode, name, MAY_WRITE, cred);
  if (perm) return perm;
  const xa = store(inode, name);
  if (typeof xa === 'number') return xa;
  if (!xa.delete(name)) return -ENODATA;
  inode.i_ctime = current_time();
  return 0;
}
