/**
 * Path walk: Linux fs/namei.c (path_init, link_path_walk, walk_component,
 * step_into, pick_link, follow_dotdot, lookup_last, path_lookupat,
 * path_parentat) and the permission checks it makes (generic_permission,
 * inode_permission, may_lookup).
 *
 * The shape is Linux's: link_path_walk() resolves every component but the
 * last, checking search permission on each directory before looking in
 * it; the last component is left in nd.last for the caller (lookup, open,
 * create, unlink, rename) to treat as it must. A symlink met in the middle
 * is resolved at once; a trailing one is handed back as text and the walk
 * goes on from there, so every symlink counts against MAXSYMLINKS (40) in
 * nd.total_link_count.
 *
 * Guest paths are bytes; here they are JavaScript strings in latin1, one
 * character per byte, so every name survives the round trip exactly.
 */

import { EACCES, ELOOP, ENOENT, ENOTDIR, EROFS, EXDEV } from '../../abi/errno.js';
import { MAXSYMLINKS } from '../../abi/limits.js';
import { Dentry, d_lookup, parentAcrossMounts } from './dcache.js';
import type { Inode } from './inode.js';
import { follow_mount, real_mount } from './mount.js';

/** Linux include/linux/fs.h MAY_* masks for inode_permission. */
export const MAY_EXEC = 1;
export const MAY_WRITE = 2;
export const MAY_READ = 4;
export const MAY_APPEND = 8;

/** Linux include/linux/namei.h LOOKUP_* flags (the ones kemu's walk uses). */
export const LOOKUP_FOLLOW = 0x0001;
export const LOOKUP_DIRECTORY = 0x0002;
export const LOOKUP_EMPTY = 0x4000;
export const LOOKUP_NO_SYMLINKS = 0x010000;
export const LOOKUP_NO_MAGICLINKS = 0x020000;
export const LOOKUP_NO_XDEV = 0x040000;
export const LOOKUP_BENEATH = 0x080000;
export const LOOKUP_IN_ROOT = 0x100000;

/** nd.last_type: what the last component is (Linux LAST_NORM ...). */
export const LAST_NORM = 0;
export const LAST_ROOT = 1;
export const LAST_DOT = 2;
export const LAST_DOTDOT = 3;

/** The credentials a permission check uses (Linux struct cred, the fs-relevant part). */
export interface Cred {
  uid: number; gid: number;
  euid: number; egid: number;
  fsuid: number; fsgid: number;
  /** Supplementary groups (Linux group_info), if any. */
  groups?: number[];
}

export const ROOT_CRED: Readonly<Cred> = { uid: 0, gid: 0, euid: 0, egid: 0, fsuid: 0, fsgid: 0 };

/** Linux struct fs_struct: root, cwd, umask. */
export interface FsStruct {
  root: Dentry;
  pwd: Dentry;
  umask: number;
}

/**
 * Whether `cred` holds the filesystem capabilities (CAP_DAC_OVERRIDE,
 * CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_CHOWN, CAP_FSETID). kemu has no
 * capability sets: fsuid 0 has them all, as root's effective set does
 * after cap_task_fix_setuid (security/commoncap.c).
 */
export function capable_fs(cred: Cred): boolean { return cred.fsuid === 0; }

/** Linux kernel/groups.c in_group_p: fsgid or a supplementary group. */
export function in_group_p(cred: Cred, gid: number): boolean {
  return cred.fsgid === gid || (cred.groups?.includes(gid) ?? false);
}

/**
 * Linux fs/namei.c generic_permission(): owner bits for the owner, group
 * bits for the group, other bits for the rest; then the capabilities:
 * directories may always be read and searched (CAP_DAC_READ_SEARCH) and
 * written (CAP_DAC_OVERRIDE); files read and written, and executed when
 * at least one x bit is set.
 */
export function generic_permission(inode: Inode, mask: number, cred: Cred): number {
  let mode = inode.i_mode;
  const want = mask & 7;
  if (cred.fsuid === inode.i_uid) mode >>= 6;
  else if (in_group_p(cred, inode.i_gid)) mode >>= 3;
  if ((want & ~mode & 7) === 0) return 0;
  if (!capable_fs(cred)) return -EACCES;
  if (inode.isDir) return 0;
  if (!(want & MAY_EXEC) || (inode.i_mode & 0o111)) return 0;
  return -EACCES;
}

/**
 * Linux inode_permission(): a write to a regular file, directory or
 * symlink on a read-only filesystem is EROFS (sb_permission) before any
 * mode bit is looked at.
 */
export function inode_permission(inode: Inode, mask: number, cred: Cred): number {
  if ((mask & MAY_WRITE) && inode.i_sb.rdonly && (inode.isReg || inode.isDir || inode.isLink)) return -EROFS;
  return generic_permission(inode, mask, cred);
}

/** Linux struct nameidata: the state of one walk. */
export interface Nameidata {
  /** Where the walk is now (Linux nd->path; the mount is the dentry's superblock's). */
  path: Dentry;
  /** The process's root, or the dirfd for RESOLVE_BENEATH / RESOLVE_IN_ROOT. */
  root: Dentry;
  flags: number;
  cred: Cred;
  /** Symlinks followed so far, against MAXSYMLINKS. */
  total_link_count: number;
  /** The last component, once link_path_walk() is done. */
  last: string;
  last_type: number;
  /** Whether slashes followed the last component ("dir/"). */
  trailing: boolean;
}

export function nameidata(root: Dentry, start: Dentry, flags: number, cred: Cred): Nameidata {
  return { path: start, root, flags, cred, total_link_count: 0, last: '', last_type: LAST_ROOT, trailing: false };
}

/** Linux may_lookup: search permission on the directory being walked. */
function may_lookup(nd: Nameidata): number {
  return inode_permission(nd.path.d_inode, MAY_EXEC, nd.cred);
}

/** Linux nd_jump_root: an absolute path or symlink restarts at the root. */
function nd_jump_root(nd: Nameidata): number {
  if (nd.flags & LOOKUP_BENEATH) return -EXDEV;
  if ((nd.flags & LOOKUP_NO_XDEV) && real_mount(nd.path) !== real_mount(nd.root)) return -EXDEV;
  nd.path = nd.root;
  return 0;
}

/**
 * Linux follow_dotdot() then step_into(): ".." stays at the root, climbs
 * out of a mount's root to the mountpoint's parent, else takes the
 * parent; a mount on where it lands is crossed, as on any step.
 */
function follow_dotdot(nd: Nameidata): number {
  let d = nd.path;
  for (;;) {
    if (d === nd.root) {
      if (nd.flags & LOOKUP_BENEATH) return -EXDEV;
      nd.path = follow_mount(nd.path);
      return 0;
    }
    if (d.d_parent) break;
    const up = parentAcrossMounts(d);
    if (!up) { nd.path = follow_mount(nd.path); return 0; } // the namespace root: ".." is itself
    if (nd.flags & LOOKUP_NO_XDEV) return -EXDEV;
    d = up;
  }
  nd.path = follow_mount(d.d_parent!);
  return 0;
}

/** Walk flags (Linux WALK_TRAILING / WALK_MORE / WALK_NOFOLLOW). */
export const WALK_TRAILING = 1;
export const WALK_MORE = 2;

/**
 * Linux step_into(): cross any mount on `dentry`, then either move there
 * or, for a symlink that must be followed, return its body (pick_link).
 */
function step_into(nd: Nameidata, flags: number, dentry: Dentry): string | null | number {
  const d = follow_mount(dentry);
  if (d !== dentry && (nd.flags & LOOKUP_NO_XDEV)) return -EXDEV;
  if (!d.d_inode.isLink || ((flags & WALK_TRAILING) && !(nd.flags & LOOKUP_FOLLOW))) {
    nd.path = d;
    return null;
  }
  return pick_link(nd, d);
}

/**
 * Linux pick_link(): count the link (ELOOP past MAXSYMLINKS), then read
 * it. An absolute body restarts at the root; a magic link (procfs
 * fd/N, exe, cwd) jumps straight to what it names. Returns the rest of
 * the body to walk, or null when nothing is left.
 */
function pick_link(nd: Nameidata, link: Dentry): string | null | number {
  if (nd.total_link_count++ >= MAXSYMLINKS) return -ELOOP; // fs/namei.c reserve_stack
  if (nd.flags & LOOKUP_NO_SYMLINKS) return -ELOOP;
  const target = link.d_inode.get_link();
  if (typeof target === 'number') return target;
  if (!(target instanceof Uint8Array)) {
    // nd_jump_link(): magic links are refused when asked, and never followed by scoped lookups.
    if (nd.flags & LOOKUP_NO_MAGICLINKS) return -ELOOP;
    if (nd.flags & (LOOKUP_BENEATH | LOOKUP_IN_ROOT)) return -EXDEV;
    if ((nd.flags & LOOKUP_NO_XDEV) && real_mount(target.jump) !== real_mount(nd.path)) return -EXDEV;
    nd.path = target.jump;
    return null;
  }
  let body = latin1(target);
  if (body.startsWith('/')) {
    const err = nd_jump_root(nd);
    if (err) return err;
    body = body.replace(/^\/+/, '');
  }
  return body.length > 0 ? body : null;
}

/** Linux walk_component(): step over one component; returns a symlink body to follow, null, or -errno. */
export function walk_component(nd: Nameidata, name: string, type: number, flags: number): string | null | number {
  if (type === LAST_DOTDOT) return follow_dotdot(nd) || null;
  if (type !== LAST_NORM) return null;
  const child = d_lookup(nd.path, name);
  if (typeof child === 'number') return child;
  if (!child) return -ENOENT;
  return step_into(nd, flags, child);
}

function componentType(name: string): number {
  return name === '.' ? LAST_DOT : name === '..' ? LAST_DOTDOT : LAST_NORM;
}

/**
 * Linux link_path_walk(): resolve all but the last component of `name`
 * from nd.path, leaving the last in nd.last / nd.last_type / nd.trailing.
 */
export function link_path_walk(nd: Nameidata, name: string): number {
  let s = name.replace(/^\/+/, '');
  nd.last = '';
  nd.last_type = LAST_ROOT;
  nd.trailing = false;
  while (s.length > 0) {
    const err = may_lookup(nd);
    if (err) return err;
    const cut = s.indexOf('/');
    const comp = cut < 0 ? s : s.slice(0, cut);
    const rest = cut < 0 ? '' : s.slice(cut).replace(/^\/+/, '');
    if (rest.length === 0) {
      nd.last = comp;
      nd.last_type = componentType(comp);
      nd.trailing = cut >= 0;
      return 0;
    }
    let link = walk_component(nd, comp, componentType(comp), WALK_MORE);
    // A symlink in the middle of the path: walk its body now; its last component is always followed.
    while (typeof link === 'string') {
      const e = link_path_walk(nd, link);
      if (e) return e;
      link = walk_component(nd, nd.last, nd.last_type, 0);
    }
    if (typeof link === 'number' && link < 0) return link;
    if (!nd.path.d_inode.isDir) return -ENOTDIR;
    s = rest;
  }
  return 0;
}

/** Linux lookup_last(): a trailing slash means "follow, and it must be a directory". */
export function lookup_last(nd: Nameidata): string | null | number {
  if (nd.last_type === LAST_NORM && nd.trailing) nd.flags |= LOOKUP_FOLLOW | LOOKUP_DIRECTORY;
  return walk_component(nd, nd.last, nd.last_type, WALK_TRAILING);
}

/**
 * Linux path_init(): where a walk starts. An absolute name starts at the
 * root (nd_jump_root, which RESOLVE_BENEATH refuses); a relative one at
 * `start` (the cwd or a dirfd), which must be a directory unless the name
 * is empty (AT_EMPTY_PATH).
 */
export function path_init(nd: Nameidata, name: string): number {
  if (name.startsWith('/') && !(nd.flags & LOOKUP_IN_ROOT)) {
    if (nd.flags & LOOKUP_BENEATH) return -EXDEV;
    nd.path = nd.root;
    return 0;
  }
  if (name.length > 0 && !nd.path.d_inode.isDir) return -ENOTDIR;
  return 0;
}

/** Linux path_lookupat(): the dentry `name` names, or -errno. */
export function filename_lookup(nd: Nameidata, name: string): Dentry | number {
  let err = path_init(nd, name);
  if (err) return err;
  let s: string | null = name;
  for (;;) {
    err = link_path_walk(nd, s);
    if (err) return err;
    const r = lookup_last(nd);
    if (r === null) break;
    if (typeof r === 'number') return r;
    s = r;
  }
  if ((nd.flags & LOOKUP_DIRECTORY) && !nd.path.d_inode.isDir) return -ENOTDIR;
  return nd.path;
}

/** The parent and last component of a path (Linux filename_parentat). */
export interface ParentPath {
  parent: Dentry;
  last: string;
  type: number;
  /** Slashes after the last component. */
  trailing: boolean;
}

/** Linux path_parentat(): walk to the directory that holds the last component. */
export function filename_parentat(nd: Nameidata, name: string): ParentPath | number {
  let err = path_init(nd, name);
  if (err) return err;
  err = link_path_walk(nd, name);
  if (err) return err;
  return { parent: nd.path, last: nd.last, type: nd.last_type, trailing: nd.trailing };
}

export interface WalkOptions {
  /** Follow a symlink in the last component (false for lstat, O_NOFOLLOW, AT_SYMLINK_NOFOLLOW). */
  follow: boolean;
  cred: Cred;
}

/**
 * Resolve `path` for a task: from `start` (its cwd or a dirfd's dentry),
 * or from fs.root when absolute. Returns the dentry or -errno. An empty
 * path is the caller's business (ENOENT unless AT_EMPTY_PATH).
 */
export function path_lookupat(fs: FsStruct, start: Dentry, path: string, opts: WalkOptions): Dentry | number {
  return filename_lookup(nameidata(fs.root, start, opts.follow ? LOOKUP_FOLLOW : 0, opts.cred), path);
}

export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

export function latin1Bytes(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'));
}

export { Dentry };
