/**
 * Changing attributes: Linux fs/attr.c (setattr_prepare, may_setattr,
 * notify_change) and the callers in fs/open.c (chmod_common,
 * chown_common, vfs_truncate, do_sys_ftruncate) and fs/utimes.c
 * (vfs_utimes). Each checks in Linux's order: a read-only filesystem
 * first (mnt_want_write: EROFS), then ownership (EPERM) or write
 * permission (EACCES).
 */

import { EINVAL, EISDIR, EPERM, EROFS, ETXTBSY } from '../../abi/errno.js';
import { S_IALLUGO, S_ISGID, S_ISUID, S_IXGRP } from '../../abi/fcntl.js';
import { UTIME_NOW, UTIME_OMIT } from '../../abi/misc.js';
import { current_time, type IAttr, type Inode, type Timespec } from './inode.js';
import { capable_fs, in_group_p, inode_permission, MAY_WRITE, type Cred } from './namei.js';

/** Linux inode_owner_or_capable(): the owner, or CAP_FOWNER. */
export function inode_owner_or_capable(inode: Inode, cred: Cred): boolean {
  return cred.fsuid === inode.i_uid || capable_fs(cred);
}

/** Linux notify_change(): apply `a` and stamp ctime (the caller checked permissions). */
function notify_change(inode: Inode, a: IAttr): number {
  return inode.setattr({ ...a, ctime: a.ctime ?? current_time() });
}

/**
 * Linux chmod_common() + setattr_prepare(): only the owner (or CAP_FOWNER)
 * may chmod; the setgid bit is dropped when the caller is neither in the
 * file's group nor CAP_FSETID.
 */
export function chmod_common(inode: Inode, mode: number, cred: Cred): number {
  if (inode.i_sb.rdonly) return -EROFS;
  if (!inode_owner_or_capable(inode, cred)) return -EPERM;
  let m = (mode & S_IALLUGO) | (inode.i_mode & ~S_IALLUGO);
  if (!in_group_p(cred, inode.i_gid) && !capable_fs(cred)) m &= ~S_ISGID;
  return notify_change(inode, { mode: m });
}

/**
 * Linux chown_common() + setattr_prepare() chown_ok/chgrp_ok: changing the
 * owner needs CAP_CHOWN (or "changing" it to itself); the owner may change
 * the group to one of its own. A non-directory loses S_ISUID, and S_ISGID
 * when group-executable (ATTR_KILL_SUID / ATTR_KILL_SGID), root or not.
 * -1 (0xffffffff) leaves an id alone.
 */
export function chown_common(inode: Inode, user: number, group: number, cred: Cred): number {
  if (inode.i_sb.rdonly) return -EROFS;
  const a: IAttr = {};
  if (user !== 0xffffffff) {
    if (!((cred.fsuid === inode.i_uid && user === inode.i_uid) || capable_fs(cred))) return -EPERM;
    a.uid = user;
  }
  if (group !== 0xffffffff) {
    const ok = (cred.fsuid === inode.i_uid && (in_group_p(cred, group) || group === inode.i_gid)) || capable_fs(cred);
    if (!ok) return -EPERM;
    a.gid = group;
  }
  if (!inode.isDir) {
    let m = inode.i_mode & ~S_ISUID;
    if ((m & (S_ISGID | S_IXGRP)) === (S_ISGID | S_IXGRP)) m &= ~S_ISGID;
    if (m !== inode.i_mode) a.mode = m;
  }
  return notify_change(inode, a);
}

/** Linux do_truncate(): the new size, with suid/sgid dropped as a write by a non-root caller would. */
export function do_truncate(inode: Inode, length: number, cred: Cred): number {
  if (length < 0) return -EINVAL;
  const a: IAttr = { size: length, mtime: current_time() };
  if (!capable_fs(cred) && (inode.i_mode & (S_ISUID | S_ISGID))) {
    let m = inode.i_mode & ~S_ISUID;
    if (m & S_IXGRP) m &= ~S_ISGID;
    a.mode = m;
  }
  return notify_change(inode, a);
}

/**
 * Linux vfs_truncate() for truncate(2): EISDIR for a directory, EINVAL
 * for anything else that is not a regular file, EROFS, EACCES without
 * write permission, ETXTBSY while it is being executed.
 */
export function vfs_truncate(inode: Inode, length: number, cred: Cred): number {
  if (inode.isDir) return -EISDIR;
  if (!inode.isReg) return -EINVAL;
  if (inode.i_sb.rdonly) return -EROFS;
  const err = inode_permission(inode, MAY_WRITE, cred);
  if (err) return err;
  if (inode.i_writecount < 0) return -ETXTBSY;
  return do_truncate(inode, length, cred);
}


/** Linux fs/utimes.c nsec_valid(). */
export function nsec_valid(nsec: number): boolean {
  return nsec === UTIME_OMIT || nsec === UTIME_NOW || (nsec >= 0 && nsec <= 999_999_999);
}

/**
 * Linux vfs_utimes(): `times` null (or both UTIME_NOW) sets both to now,
 * which the owner or anyone who may write may do (ATTR_TOUCH); explicit
 * times need the owner or CAP_FOWNER (ATTR_TIMES_SET). UTIME_OMIT leaves one alone.
 */
export function vfs_utimes(inode: Inode, times: [Timespec, Timespec] | null, cred: Cred): number {
  if (inode.i_sb.rdonly) return -EROFS;
  if (times && times[0].tv_nsec === UTIME_NOW && times[1].tv_nsec === UTIME_NOW) times = null;
  const now = current_time();
  const a: IAttr = { ctime: now };
  if (!times) {
    if (!inode_owner_or_capable(inode, cred)) {
      const err = inode_permission(inode, MAY_WRITE, cred);
      if (err) return err;
    }
    a.atime = now;
    a.mtime = now;
  } else {
    if (!inode_owner_or_capable(inode, cred)) return -EPERM;
    const pick = (t: Timespec): Timespec | undefined => (t.tv_nsec === UTIME_OMIT ? undefined : t.tv_nsec === UTIME_NOW ? now : t);
    const at = pick(times[0]);
    const mt = pick(times[1]);
    if (at) a.atime = at;
    if (mt) a.mtime = mt;
  }
  return notify_change(inode, a);
}
