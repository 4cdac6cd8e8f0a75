/**
 * The dentry cache: names in the tree. Linux fs/dcache.c, fs/d_path.c.
 *
 * A dentry ties a name to an inode under a parent dentry. Each directory
 * dentry caches the children that walks have looked up, so the same name
 * gives the same dentry object every time: that identity is what lets a
 * mount sit on a dentry (d_mounted), a cwd survive a rename of its parent
 * (d_move), and /proc/self/fd/N print " (deleted)" after an unlink
 * (d_delete). Negative dentries are not cached.
 *
 * Filesystems whose directories change behind the VFS's back (procfs,
 * host directories) set sb.revalidate: a cached child is then checked
 * with a fresh ->lookup each time (Linux ->d_revalidate) and replaced when
 * the name now means another inode.
 */

import { ENAMETOOLONG } from '../../abi/errno.js';
import { NAME_MAX } from '../../abi/limits.js';
import type { Inode } from './inode.js';
import type { VfsMount } from './mount.js';

export class Dentry {
  /** Children looked up so far (Linux d_subdirs, hashed by name). */
  private d_children: Map<string, Dentry> | null = null;
  /** The mount on top of this dentry, if any (Linux DCACHE_MOUNTED + lookup_mnt). */
  d_mounted: VfsMount | null = null;
  /** Unlinked (Linux d_unhashed after d_delete): d_path appends " (deleted)". */
  d_unhashed = false;
  /** The whole path shown for an inode outside every mount (Linux ->d_dname: "/memfd:x (deleted)", "pipe:[N]"). */
  d_dname: string | null = null;

  constructor(
    public d_name: string,
    /** null at the root of a filesystem (Linux IS_ROOT: d_parent == self). */
    public d_parent: Dentry | null,
    readonly d_inode: Inode,
  ) {}

  /** The absolute path of this dentry from the root of the mount tree (Linux d_path). */
  path(): string { return d_path(this); }

  /** Linux __d_lookup: the cached child, or undefined. */
  cached(name: string): Dentry | undefined { return this.d_children?.get(name); }

  /** Linux d_add: cache `child` under its name. */
  d_add(child: Dentry): Dentry {
    (this.d_children ??= new Map()).set(child.d_name, child);
    return child;
  }

  /** Linux __d_drop: forget a cached child (it stays valid for those who hold it). */
  d_drop(name: string): void { this.d_children?.delete(name); }
}

/**
 * Linux lookup_dcache + lookup_slow: the child dentry `name` of `dir`, from
 * the cache or from the filesystem's ->lookup; null when there is none.
 * A name longer than NAME_MAX is ENAMETOOLONG, as every Linux ->lookup
 * says (mm/shmem.c simple_lookup, fs/ext4/namei.c ext4_lookup).
 */
export function d_lookup(dir: Dentry, name: string): Dentry | null | number {
  const cached = dir.cached(name);
  if (cached && !dir.d_inode.i_sb.revalidate) return cached;
  if (name.length > NAME_MAX) return -ENAMETOOLONG;
  const inode = dir.d_inode.lookup(name);
  if (typeof inode === 'number') return inode;
  if (!inode) {
    if (cached && !cached.d_mounted) dir.d_drop(name);
    return cached?.d_mounted ? cached : null;
  }
  if (cached && (cached.d_inode === inode || cached.d_mounted)) return cached;
  return dir.d_add(new Dentry(name, dir, inode));
}

/** Linux d_instantiate + d_add after a create: the new child's dentry. */
export function d_instantiate(dir: Dentry, name: string, inode: Inode): Dentry {
  return dir.d_add(new Dentry(name, dir, inode));
}

/** Linux d_delete after unlink/rmdir: the name is gone; holders keep an unhashed dentry. */
export function d_delete(victim: Dentry): void {
  victim.d_parent?.d_drop(victim.d_name);
  victim.d_unhashed = true;
}

/** Linux d_move after rename: the dentry now lives at `newParent/newName`; a replaced target is deleted. */
export function d_move(d: Dentry, newParent: Dentry, newName: string): void {
  const target = newParent.cached(newName);
  if (target && target !== d) d_delete(target);
  d.d_parent?.d_drop(d.d_name);
  d.d_name = newName;
  d.d_parent = newParent;
  newParent.d_add(d);
}

/** Linux d_exchange for RENAME_EXCHANGE: the two dentries swap names and parents. */
export function d_exchange(a: Dentry, b: Dentry): void {
  const [pa, na, pb, nb] = [a.d_parent!, a.d_name, b.d_parent!, b.d_name];
  pa.d_drop(na);
  pb.d_drop(nb);
  a.d_name = nb; a.d_parent = pb;
  b.d_name = na; b.d_parent = pa;
  pb.d_add(a);
  pa.d_add(b);
}

/** Whether `d` is `ancestor` or below it, across mounts (Linux is_subdir / path_is_under). */
export function is_subdir(d: Dentry, ancestor: Dentry): boolean {
  for (let cur: Dentry | null = d; cur; cur = parentAcrossMounts(cur)) if (cur === ancestor) return true;
  return false;
}

/** The dentry above `d`: its parent, or at a filesystem root the mountpoint it is mounted on. */
export function parentAcrossMounts(d: Dentry): Dentry | null {
  if (d.d_parent) return d.d_parent;
  const mnt = d.d_inode.i_sb.s_mount;
  return mnt && mnt.mnt_root === d && mnt.mnt_parent !== mnt ? mnt.mnt_mountpoint : null;
}

/**
 * Linux fs/d_path.c d_path(): the path from the root of the mount tree
 * (or `root`, a process's root), crossing mount points upward; " (deleted)"
 * after an unlinked name; a dentry outside every mount shows its d_dname
 * (memfd's "/memfd:NAME (deleted)").
 */
export function d_path(d: Dentry, root: Dentry | null = null): string {
  const parts: string[] = [];
  let cur: Dentry = d;
  for (;;) {
    if (cur === root) break;
    if (!cur.d_parent) {
      if (cur.d_dname !== null) return cur.d_dname; // outside every mount: its made-up name
      const mnt = cur.d_inode.i_sb.s_mount;
      if (mnt && mnt.mnt_root === cur && mnt.mnt_parent !== mnt) { cur = mnt.mnt_mountpoint!; continue; }
      break;
    }
    parts.push(cur.d_name);
    cur = cur.d_parent;
  }
  const p = '/' + parts.reverse().join('/');
  return d.d_unhashed ? p + ' (deleted)' : p;
}

/** Whether this dentry is the root of the filesystem mounted on it (statx STATX_ATTR_MOUNT_ROOT). */
export function isMountRoot(d: Dentry): boolean {
  return !d.d_parent && d.d_inode.i_sb.s_mount?.mnt_root === d;
}
