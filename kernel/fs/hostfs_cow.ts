/**
 * The copy-on-write half of hostfs (`kemu run --root HOST`): what Linux
 * overlayfs does with a read-only lower layer (the host directory) and a
 * tmpfs upper layer, kept per directory (fs/overlayfs/: ovl_lookup,
 * ovl_iterate, ovl_create_object, ovl_do_remove with whiteouts).
 *
 * Each host directory keeps an upper map of names the guest made or
 * replaced and a set of whiteouts for names it removed; the merged view
 * is upper, then the host's names that are neither. New files,
 * directories and symlinks are tmpfs inodes on the hostfs superblock; a
 * host file is copied up when first written (hostfs.ts HostFile.copy_up).
 * Nothing here writes to the host.
 */

import { S_IFMT, S_IFREG } from '../../abi/fcntl.js';
import type { HostDir } from './hostfs.js';
import type { Inode } from './inode.js';
import type { Cred } from './namei.js';
import {
  inode_init_owner, simple_link, simple_rename, simple_rmdir, simple_unlink, TmpfsDir, TmpfsFile, TmpfsSpecial,
  TmpfsSymlink,
} from './tmpfs.js';
import { EEXIST, ENOENT } from '../../abi/errno.js';

/** Linux ovl_lookup(): a whiteout hides the host's name; an upper name wins. */
function lookup(d: HostDir, name: string): Inode | null | number {
  if (d.whiteouts.has(name)) return null;
  return d.upper.get(name) ?? d.hostLookup(name);
}

/** Linux ovl_iterate(): the host's names without the whited-out and replaced ones, then the upper names. */
function entries(d: HostDir): Array<[string, Inode]> | number {
  const names = d.hostNames();
  if (typeof names === 'number') return names;
  const out: Array<[string, Inode]> = [];
  for (const n of names) {
    if (d.whiteouts.has(n) || d.upper.has(n)) continue;
    const i = d.hostLookup(n);
    if (i && typeof i !== 'number') out.push([n, i]);
  }
  for (const [n, i] of d.upper) out.push([n, i]);
  return out;
}

/** The raw insertion (MemDir.attach): the name now lives in the upper map. */
function attach(d: HostDir, name: string, child: Inode): number {
  const had = lookup(d, name);
  if (had && typeof had !== 'number') return -EEXIST;
  d.upper.set(name, child);
  d.whiteouts.delete(name);
  if (child.isDir) d.i_nlink++;
  d.dirty = true;
  return 0;
}

/** The raw removal (MemDir.detach): gone from upper, and a whiteout if the host has the name. */
function detach(d: HostDir, name: string): Inode | number {
  const had = lookup(d, name);
  if (!had || typeof had === 'number') return typeof had === 'number' ? had : -ENOENT;
  d.upper.delete(name);
  const onHost = d.hostLookup(name);
  if (onHost && typeof onHost !== 'number') d.whiteouts.add(name);
  if (had.isDir) d.i_nlink--;
  d.dirty = true;
  return had;
}

function add(d: HostDir, name: string, inode: Inode, cred: Cred): Inode | number {
  inode_init_owner(inode, d, cred);
  const r = simple_link(d, name, inode);
  return r < 0 ? r : inode;
}

/** The directory operations of a cow HostDir (hostfs.ts calls these in 'cow' mode). */
export const cowDir = {
  lookup,
  entries,
  attach,
  detach,
  create: (d: HostDir, name: string, mode: number, cred: Cred): Inode | number => add(d, name, new TmpfsFile(d.i_sb, mode), cred),
  mkdir(d: HostDir, name: string, mode: number, cred: Cred): Inode | number {
    const dir = inode_init_owner(new TmpfsDir(d.i_sb, mode), d, cred);
    const r = attach(d, name, dir);
    return r < 0 ? r : dir;
  },
  symlink: (d: HostDir, name: string, target: Uint8Array, cred: Cred): Inode | number =>
    add(d, name, new TmpfsSymlink(d.i_sb, target), cred),
  mknod(d: HostDir, name: string, mode: number, rdev: number, cred: Cred): Inode | number {
    const type = mode & S_IFMT;
    return add(d, name, type === S_IFREG || type === 0 ? new TmpfsFile(d.i_sb, mode) : new TmpfsSpecial(d.i_sb, mode, rdev), cred);
  },
  link: (d: HostDir, name: string, child: Inode): number => simple_link(d, name, child),
  unlink: (d: HostDir, name: string): number => simple_unlink(d, name),
  rmdir: (d: HostDir, name: string): number => simple_rmdir(d, name),
  rename: (d: HostDir, oldName: string, newDir: Inode, newName: string, flags: number): number =>
    simple_rename(d, oldName, newDir, newName, flags),
};
