/**
 * Making and removing names: the second half of Linux fs/namei.c
 * (filename_create, may_create, may_delete, vfs_mkdir, vfs_mknod,
 * vfs_symlink, vfs_link, vfs_unlink, vfs_rmdir, vfs_rename and their
 * do_*at callers), with Linux 6.18's order of checks so each errno is the
 * one Linux gives.
 */

import {
  EBUSY, EEXIST, EINVAL, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY, EPERM, EROFS, EXDEV,
} from '../../abi/errno.js';
import {
  RENAME_EXCHANGE, RENAME_NOREPLACE, RENAME_WHITEOUT, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFMT, S_IFREG, S_IFSOCK,
  S_IRWXUGO, S_ISVTX, S_IALLUGO,
} from '../../abi/fcntl.js';
import { d_delete, d_exchange, d_instantiate, d_lookup, d_move, type Dentry } from './dcache.js';
import type { Inode } from './inode.js';
import {
  capable_fs, filename_lookup, filename_parentat, inode_permission, LAST_DOT, LAST_DOTDOT, LAST_NORM, LAST_ROOT,
  LOOKUP_FOLLOW, MAY_EXEC, MAY_WRITE, nameidata, type Cred, type FsStruct,
} from './namei.js';

/** Who is asking: the caller's fs_struct and credentials. */
export interface PathContext {
  fs: FsStruct;
  cred: Cred;
}

/** Linux may_create(): the directory is alive and writable and searchable. */
export function may_create(dir: Inode, cred: Cred): number {
  if (dir.dead) return -ENOENT;
  return inode_permission(dir, MAY_WRITE | MAY_EXEC, cred);
}

/** Linux check_sticky(): in a sticky directory only the owner of the file or of the directory may remove it. */
function check_sticky(dir: Inode, inode: Inode, cred: Cred): boolean {
  if (!(dir.i_mode & S_ISVTX)) return false;
  return cred.fsuid !== inode.i_uid && cred.fsuid !== dir.i_uid && !capable_fs(cred);
}

/**
 * Linux may_delete(): can `victim` be removed from `dir`, and is it of
 * the kind asked for (ENOTDIR for rmdir of a non-directory, EISDIR for
 * unlink of a directory, EBUSY for the root of a mount)?
 */
export function may_delete(dir: Inode, victim: Dentry | null, isdir: boolean, cred: Cred): number {
  if (!victim) return -ENOENT;
  const err = inode_permission(dir, MAY_WRITE | MAY_EXEC, cred);
  if (err) return err;
  if (check_sticky(dir, victim.d_inode, cred)) return -EPERM;
  if (isdir) {
    if (!victim.d_inode.isDir) return -ENOTDIR;
    if (!victim.d_parent) return -EBUSY; // IS_ROOT
  } else if (victim.d_inode.isDir) {
    return -EISDIR;
  }
  if (dir.dead) return -ENOENT;
  return 0;
}

/**
 * Linux filename_create(): the parent and the free name for a new object.
 * "." / ".." / "/" are EEXIST; an existing name is EEXIST; a trailing
 * slash on a name that is not to be a directory is ENOENT; a read-only
 * filesystem is EROFS, reported only after those.
 */
export function filename_create(ctx: PathContext, start: Dentry, name: string, want_dir: boolean): { parent: Dentry; last: string } | number {
  const p = filename_parentat(nameidata(ctx.fs.root, start, 0, ctx.cred), name);
  if (typeof p === 'number') return p;
  if (p.type !== LAST_NORM) return -EEXIST;
  const existing = d_lookup(p.parent, p.last);
  if (typeof existing === 'number') return existing;
  if (existing) return -EEXIST;
  if (p.trailing && !want_dir) return -ENOENT;
  if (p.parent.d_inode.i_sb.rdonly) return -EROFS;
  return { parent: p.parent, last: p.last };
}

/** Linux do_mkdirat() -> vfs_mkdir(). */
export function do_mkdirat(ctx: PathContext, start: Dentry, name: string, mode: number): number {
  const c = filename_create(ctx, start, name, true);
  if (typeof c === 'number') return c;
  const dir = c.parent.d_inode;
  const err = may_create(dir, ctx.cred);
  if (err) return err;
  const inode = dir.mkdir(c.last, mode & (S_IRWXUGO | S_ISVTX) & ~ctx.fs.umask, ctx.cred);
  if (typeof inode === 'number') return inode;
  d_instantiate(c.parent, c.last, inode);
  return 0;
}

/** Linux do_mknodat(): regular files, FIFOs, sockets, and (with CAP_MKNOD) devices. */
export function do_mknodat(ctx: PathContext, start: Dentry, name: string, mode: number, dev: number): number {
  const type = mode & S_IFMT;
  if (type === S_IFDIR) return -EPERM; // may_mknod
  if (![0, S_IFREG, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK].includes(type)) return -EINVAL;
  const c = filename_create(ctx, start, name, false);
  if (typeof c === 'number') return c;
  const dir = c.parent.d_inode;
  const err = may_create(dir, ctx.cred);
  if (err) return err;
  if ((type === S_IFCHR || type === S_IFBLK) && !capable_fs(ctx.cred)) return -EPERM;
  const perm = (mode & S_IALLUGO) & ~ctx.fs.umask;
  const inode = type === 0 || type === S_IFREG
    ? dir.create(c.last, S_IFREG | perm, ctx.cred)
    : dir.mknod(c.last, type | perm, dev, ctx.cred);
  if (typeof inode === 'number') return inode;
  d_instantiate(c.parent, c.last, inode);
  return 0;
}

/** Linux do_symlinkat() -> vfs_symlink(). */
export function do_symlinkat(ctx: PathContext, target: Uint8Array, start: Dentry, name: string): number {
  const c = filename_create(ctx, start, name, false);
  if (typeof c === 'number') return c;
  const dir = c.parent.d_inode;
  const err = may_create(dir, ctx.cred);
  if (err) return err;
  const inode = dir.symlink(c.last, target, ctx.cred);
  if (typeof inode === 'number') return inode;
  d_instantiate(c.parent, c.last, inode);
  return 0;
}

/**
 * Linux do_linkat() -> vfs_link(): a second name for an existing
 * non-directory on the same mount. `old` is already resolved (the caller
 * applied AT_SYMLINK_FOLLOW / AT_EMPTY_PATH).
 */
export function do_linkat(ctx: PathContext, old: Dentry, newStart: Dentry, newName: string): number {
  const c = filename_create(ctx, newStart, newName, false);
  if (typeof c === 'number') return c;
  const inode = old.d_inode;
  const dir = c.parent.d_inode;
  if (inode.i_sb !== dir.i_sb) return -EXDEV; // old_path.mnt != new_path.mnt
  const err = may_create(dir, ctx.cred);
  if (err) return err;
  if (inode.isDir) return -EPERM;
  if (inode.i_nlink === 0 && !inode.linkable) return -ENOENT; // no new name for an unlinked file
  const r = dir.link(c.last, inode);
  if (r < 0) return r;
  inode.linkable = false;
  d_instantiate(c.parent, c.last, inode);
  return 0;
}

/** Resolve the source of linkat: AT_SYMLINK_FOLLOW follows a trailing symlink; "" is the dirfd itself. */
export function link_source(ctx: PathContext, start: Dentry, name: string, follow: boolean): Dentry | number {
  return filename_lookup(nameidata(ctx.fs.root, start, follow ? LOOKUP_FOLLOW : 0, ctx.cred), name);
}

/** Linux do_unlinkat() -> vfs_unlink(). */
export function do_unlinkat(ctx: PathContext, start: Dentry, name: string): number {
  const p = filename_parentat(nameidata(ctx.fs.root, start, 0, ctx.cred), name);
  if (typeof p === 'number') return p;
  if (p.type !== LAST_NORM) return -EISDIR;
  if (p.parent.d_inode.i_sb.rdonly) return -EROFS;
  const victim = d_lookup(p.parent, p.last);
  if (typeof victim === 'number') return victim;
  if (p.trailing || !victim) return !victim ? -ENOENT : victim.d_inode.isDir ? -EISDIR : -ENOTDIR;
  const dir = p.parent.d_inode;
  const err = may_delete(dir, victim, false, ctx.cred);
  if (err) return err;
  if (victim.d_mounted) return -EBUSY;
  const r = dir.unlink(p.last);
  if (r < 0) return r;
  d_delete(victim);
  return 0;
}

/** Linux do_rmdir() -> vfs_rmdir(). */
export function do_rmdir(ctx: PathContext, start: Dentry, name: string): number {
  const p = filename_parentat(nameidata(ctx.fs.root, start, 0, ctx.cred), name);
  if (typeof p === 'number') return p;
  if (p.type === LAST_DOTDOT) return -ENOTEMPTY;
  if (p.type === LAST_DOT) return -EINVAL;
  if (p.type === LAST_ROOT) return -EBUSY;
  if (p.parent.d_inode.i_sb.rdonly) return -EROFS;
  const victim = d_lookup(p.parent, p.last);
  if (typeof victim === 'number') return victim;
  if (!victim) return -ENOENT;
  const dir = p.parent.d_inode;
  const err = may_delete(dir, victim, true, ctx.cred);
  if (err) return err;
  if (victim.d_mounted || victim === ctx.fs.root) return -EBUSY;
  const r = dir.rmdir(p.last);
  if (r < 0) return r;
  d_delete(victim);
  return 0;
}

/**
 * Linux lock_rename()'s "trap": the child of one parent that is an
 * ancestor of (or is) the other parent, or null when neither parent is
 * above the other.
 */
function rename_trap(newParent: Dentry, oldParent: Dentry): { trap: Dentry | null; oldAboveNew: boolean } {
  if (newParent === oldParent) return { trap: null, oldAboveNew: false };
  for (let p: Dentry = newParent; p.d_parent; p = p.d_parent) if (p.d_parent === oldParent) return { trap: p, oldAboveNew: true };
  for (let q: Dentry = oldParent; q.d_parent; q = q.d_parent) if (q.d_parent === newParent) return { trap: q, oldAboveNew: false };
  return { trap: null, oldAboveNew: false };
}

/** Linux do_renameat2() -> vfs_rename(). */
export function do_renameat2(ctx: PathContext, oldStart: Dentry, oldName: string, newStart: Dentry, newName: string, flags: number): number {
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) return -EINVAL;
  if ((flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)) && (flags & RENAME_EXCHANGE)) return -EINVAL;
  const o = filename_parentat(nameidata(ctx.fs.root, oldStart, 0, ctx.cred), oldName);
  if (typeof o === 'number') return o;
  const n = filename_parentat(nameidata(ctx.fs.root, newStart, 0, ctx.cred), newName);
  if (typeof n === 'number') return n;
  if (o.parent.d_inode.i_sb !== n.parent.d_inode.i_sb) return -EXDEV;
  if (o.type !== LAST_NORM) return -EBUSY;
  if (n.type !== LAST_NORM) return flags & RENAME_NOREPLACE ? -EEXIST : -EBUSY;
  if (o.parent.d_inode.i_sb.rdonly) return -EROFS;
  const { trap, oldAboveNew } = rename_trap(n.parent, o.parent);
  const oldD = d_lookup(o.parent, o.last);
  if (typeof oldD === 'number') return oldD;
  if (!oldD) return -ENOENT;
  const newD = d_lookup(n.parent, n.last);
  if (typeof newD === 'number') return newD;
  if ((flags & RENAME_NOREPLACE) && newD) return -EEXIST;
  if (flags & RENAME_EXCHANGE) {
    if (!newD) return -ENOENT;
    if (!newD.d_inode.isDir && n.trailing) return -ENOTDIR;
  }
  if (!oldD.d_inode.isDir) {
    if (o.trailing) return -ENOTDIR;
    if (!(flags & RENAME_EXCHANGE) && n.trailing) return -ENOTDIR;
  }
  if (trap && oldAboveNew && oldD === trap) return -EINVAL; // source is an ancestor of the target
  if (trap && !oldAboveNew && newD === trap) return flags & RENAME_EXCHANGE ? -EINVAL : -ENOTEMPTY;
  return vfs_rename(ctx, o.parent, o.last, oldD, n.parent, n.last, newD, flags);
}

function vfs_rename(ctx: PathContext, oldP: Dentry, oldLast: string, oldD: Dentry, newP: Dentry, newLast: string,
  newD: Dentry | null, flags: number): number {
  const source = oldD.d_inode;
  const target = newD?.d_inode ?? null;
  if (source === target) return 0; // two names of one inode: nothing to do
  const is_dir = source.isDir;
  const new_is_dir = target?.isDir ?? false;
  let err = may_delete(oldP.d_inode, oldD, is_dir, ctx.cred);
  if (err) return err;
  if (!newD) err = may_create(newP.d_inode, ctx.cred);
  else err = may_delete(newP.d_inode, newD, flags & RENAME_EXCHANGE ? new_is_dir : is_dir, ctx.cred);
  if (err) return err;
  if (newP !== oldP) {
    // Moving a directory rewrites its "..": it must be writable too.
    if (is_dir && (err = inode_permission(source, MAY_WRITE, ctx.cred))) return err;
    if ((flags & RENAME_EXCHANGE) && new_is_dir && (err = inode_permission(target!, MAY_WRITE, ctx.cred))) return err;
  }
  if (oldD.d_mounted || newD?.d_mounted) return -EBUSY;
  if ((flags & RENAME_WHITEOUT) && !capable_fs(ctx.cred)) return -EPERM;
  const r = oldP.d_inode.rename(oldLast, newP.d_inode, newLast, flags & ~RENAME_WHITEOUT);
  if (r < 0) return r;
  if (flags & RENAME_EXCHANGE) d_exchange(oldD, newD!);
  else d_move(oldD, newP, newLast);
  if (flags & RENAME_WHITEOUT) oldP.d_inode.mknod(oldLast, S_IFCHR, 0, ctx.cred); // a whiteout: char device 0:0
  return 0;
}
