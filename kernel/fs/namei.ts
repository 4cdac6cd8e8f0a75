/**
 * Path walk: Linux fs/namei.c (link_path_walk, walk_component,
 * trailing_symlink, may_lookup) and fs/dcache.c's dentries, reduced to what a
 * single-namespace kernel needs.
 *
 * Guest paths are bytes; here they are JavaScript strings in latin1, one
 * character per byte, so every name survives the round trip exactly.
 */

import { EACCES, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR } from '../../abi/errno.js';
import { MAXSYMLINKS, NAME_MAX } from '../../abi/limits.js';
import type { Inode } from './inode.js';


/** Linux include/linux/fs.h MAY_* masks for inode_permission. */
export const MAY_EXEC = 1;
export const MAY_WRITE = 2;
export const MAY_READ = 4;

/** A name in the tree: Linux struct dentry (name, parent, inode). */
export class Dentry {
  constructor(
    readonly d_name: string,
    readonly d_parent: Dentry | null,
    readonly d_inode: Inode,
  ) {}

  /** The absolute path of this dentry (Linux d_path). */
  path(): string {
    const parts: string[] = [];
    for (let d: Dentry | null = this; d?.d_parent; d = d.d_parent) parts.push(d.d_name);
    return '/' + parts.reverse().join('/');
  }
}

/** The credentials a permission check uses (Linux struct cred, the fs-relevant part). */
export interface Cred {
  uid: number; gid: number;
  euid: number; egid: number;
  fsuid: number; fsgid: number;
}

export const ROOT_CRED: Readonly<Cred> = { uid: 0, gid: 0, euid: 0, egid: 0, fsuid: 0, fsgid: 0 };

/** Linux struct fs_struct: root, cwd, umask. */
export interface FsStruct {
  root: Dentry;
  pwd: Dentry;
  umask: number;
}

/**
 * Linux fs/namei.c generic_permission(): owner, group, other bits; root may
 * read and write anything, and execute anything with at least one x bit
 * (directories are always searchable by root).
 */
export function inode_permission(inode: Inode, mask: number, cred: Cred): number {
  const mode = inode.i_mode;
  if (cred.fsuid === 0) {
    if (!(mask & MAY_EXEC) || inode.isDir || (mode & 0o111)) return 0;
    return -EACCES;
  }
  let bits = mode & 0o7;
  if (cred.fsuid === inode.i_uid) bits = (mode >> 6) & 0o7;
  else if (cred.fsgid === inode.i_gid) bits = (mode >> 3) & 0o7;
  return (mask & ~bits & 0o7) === 0 ? 0 : -EACCES;
}

export interface WalkOptions {
  /** Follow a symlink in the last component (false for lstat, O_NOFOLLOW, AT_SYMLINK_NOFOLLOW). */
  follow: boolean;
  cred: Cred;
}

interface WalkState {
  links: number;
}

/**
 * Resolve `path` from `start` (the cwd or a dirfd's dentry; ignored for an
 * absolute path). Returns the dentry or -errno. An empty path is the
 * caller's business (ENOENT unless AT_EMPTY_PATH), checked before this.
 */
export function path_lookupat(fs: FsStruct, start: Dentry, path: string, opts: WalkOptions): Dentry | number {
  return walk(fs, path.startsWith('/') ? fs.root : start, path, opts, opts.follow, { links: 0 });
}

/**
 * Resolve everything but the last component (Linux filename_parentat), for
 * create, unlink, mkdir, rename. Returns the parent and the last name.
 */
export function path_parentat(fs: FsStruct, start: Dentry, path: string, opts: WalkOptions):
  { parent: Dentry; last: string; trailingSlash: boolean } | number {
  const trimmed = path.replace(/\/+$/, '');
  const trailingSlash = trimmed.length !== path.length;
  const cut = trimmed.lastIndexOf('/');
  const last = cut < 0 ? trimmed : trimmed.slice(cut + 1);
  const dirPart = cut < 0 ? '.' : trimmed.slice(0, cut) || '/';
  if (last.length > NAME_MAX) return -ENAMETOOLONG;
  const parent = path_lookupat(fs, start, dirPart, { ...opts, follow: true });
  if (typeof parent === 'number') return parent;
  if (!parent.d_inode.isDir) return -ENOTDIR;
  return { parent, last: last || '.', trailingSlash };
}

function walk(fs: FsStruct, from: Dentry, path: string, opts: WalkOptions, followLast: boolean, st: WalkState): Dentry | number {
  let cur = from;
  const names = path.split('/').filter((n) => n.length > 0);
  const trailingSlash = path.endsWith('/') && names.length > 0;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const isLast = i === names.length - 1;
    if (name.length > NAME_MAX) return -ENAMETOOLONG;
    if (!cur.d_inode.isDir) return -ENOTDIR;
    const perm = inode_permission(cur.d_inode, MAY_EXEC, opts.cred);
    if (perm < 0) return perm;
    const next = step(fs, cur, name);
    if (typeof next === 'number') return next;
    if (next.d_inode.isLink && (!isLast || followLast || trailingSlash)) {
      if (++st.links > MAXSYMLINKS) return -ELOOP;
      const target = latin1(next.d_inode.readlink() as Uint8Array);
      const resolved = walk(fs, target.startsWith('/') ? fs.root : cur, target, opts, true, st);
      if (typeof resolved === 'number') return resolved;
      cur = resolved;
    } else {
      cur = next;
    }
  }
  if (trailingSlash && !cur.d_inode.isDir) return -ENOTDIR;
  return cur;
}

function step(fs: FsStruct, cur: Dentry, name: string): Dentry | number {
  if (name === '.') return cur;
  if (name === '..') return cur === fs.root || !cur.d_parent ? cur : cur.d_parent;
  const child = cur.d_inode.lookup(name);
  if (typeof child === 'number') return child;
  if (!child) return -ENOENT;
  return new Dentry(name, cur, child);
}

export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

export function latin1Bytes(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'));
}
