/**
 * Opening files: Linux fs/open.c (build_open_how, build_open_flags,
 * vfs_open -> do_dentry_open) and the open half of fs/namei.c
 * (path_openat, open_last_lookups, lookup_open, do_open, may_open,
 * do_tmpfile, do_o_path), in Linux 6.18's order of checks.
 */

import { EACCES, EEXIST, EINVAL, EISDIR, ELOOP, ENOENT, ENOTDIR, EROFS, ETXTBSY } from '../../abi/errno.js';
import {
  __O_TMPFILE, O_ACCMODE, O_APPEND, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_DSYNC, O_EXCL, O_LARGEFILE, O_NOCTTY,
  O_NOFOLLOW, O_PATH, O_TRUNC, RESOLVE_BENEATH, RESOLVE_IN_ROOT, RESOLVE_NO_MAGICLINKS, RESOLVE_NO_SYMLINKS,
  RESOLVE_NO_XDEV, S_IALLUGO, S_IFMT, S_IFREG, VALID_OPEN_FLAGS, __O_SYNC,
} from '../../abi/fcntl.js';
import { d_instantiate, d_lookup, Dentry } from './dcache.js';
import { File, FMODE_PATH, FMODE_READ, FMODE_WRITE } from './file.js';
import {
  filename_lookup, inode_permission, LAST_NORM, link_path_walk, LOOKUP_BENEATH, LOOKUP_DIRECTORY, LOOKUP_FOLLOW,
  LOOKUP_IN_ROOT, LOOKUP_NO_MAGICLINKS, LOOKUP_NO_SYMLINKS, LOOKUP_NO_XDEV, MAY_APPEND, MAY_EXEC, MAY_READ, MAY_WRITE,
  nameidata, path_init, walk_component, WALK_TRAILING, type Cred, type FsStruct, type Nameidata,
} from './namei.js';

/** Linux include/linux/fcntl.h O_PATH_FLAGS: what O_PATH may come with. */
const O_PATH_FLAGS = O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC;
/** Linux include/linux/fcntl.h VALID_RESOLVE_FLAGS (RESOLVE_CACHED is accepted and always satisfied). */
const VALID_RESOLVE_FLAGS = RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | RESOLVE_IN_ROOT | 0x20;

/** struct open_how (include/uapi/linux/openat2.h). */
export interface OpenHow {
  flags: bigint;
  mode: bigint;
  resolve: bigint;
}

/** Linux struct open_flags: the decoded request. */
export interface OpenFlags {
  open_flag: number;
  /** MAY_* the open needs on the file. */
  acc_mode: number;
  /** S_IFREG | permission bits for a file it creates. */
  mode: number;
  lookup_flags: number;
}

const WILL_CREATE = (flags: number): boolean => (flags & (O_CREAT | __O_TMPFILE)) !== 0;

/** Linux build_open_how(): open/openat quietly drop unknown flags; O_LARGEFILE is implied on 64-bit. */
export function build_open_how(flags: number, mode: number): OpenHow {
  let f = (flags & VALID_OPEN_FLAGS) | O_LARGEFILE;
  if (f & O_PATH) f &= O_PATH_FLAGS;
  return { flags: BigInt(f >>> 0), mode: BigInt(WILL_CREATE(f) ? mode & S_IALLUGO : 0), resolve: 0n };
}

/** Linux build_open_flags() (6.18): every EINVAL openat2 can give, then the request. */
export function build_open_flags(how: OpenHow): OpenFlags | number {
  if (how.flags & ~BigInt(VALID_OPEN_FLAGS | O_CLOEXEC)) return -EINVAL;
  if (how.resolve & ~BigInt(VALID_RESOLVE_FLAGS)) return -EINVAL;
  if ((how.resolve & BigInt(RESOLVE_BENEATH)) && (how.resolve & BigInt(RESOLVE_IN_ROOT))) return -EINVAL;
  let flags = Number(how.flags) & ~O_CLOEXEC;
  let mode = 0;
  if (WILL_CREATE(flags)) {
    if (how.mode & ~BigInt(S_IALLUGO)) return -EINVAL;
    mode = Number(how.mode) | S_IFREG;
  } else if (how.mode !== 0n) {
    return -EINVAL;
  }
  // Linux 6.4+: O_DIRECTORY | O_CREAT is refused (it once created regular files); this also covers O_TMPFILE | O_CREAT.
  if ((flags & (O_DIRECTORY | O_CREAT)) === (O_DIRECTORY | O_CREAT)) return -EINVAL;
  let acc_mode = [MAY_READ, MAY_WRITE, MAY_READ | MAY_WRITE, MAY_READ | MAY_WRITE][flags & O_ACCMODE]!;
  if (flags & __O_TMPFILE) {
    if (!(flags & O_DIRECTORY)) return -EINVAL;
    if (!(acc_mode & MAY_WRITE)) return -EINVAL;
  }
  if (flags & O_PATH) {
    if (flags & ~O_PATH_FLAGS & ~O_LARGEFILE) return -EINVAL;
    acc_mode = 0;
  }
  if (flags & __O_SYNC) flags |= O_DSYNC;
  if (flags & O_TRUNC) acc_mode |= MAY_WRITE;
  if (flags & O_APPEND) acc_mode |= MAY_APPEND;
  let lookup_flags = 0;
  if ((flags & O_CREAT) && (flags & O_EXCL)) flags |= O_NOFOLLOW; // O_EXCL never follows a trailing symlink
  if (flags & O_DIRECTORY) lookup_flags |= LOOKUP_DIRECTORY;
  if (!(flags & O_NOFOLLOW)) lookup_flags |= LOOKUP_FOLLOW;
  const r = Number(how.resolve);
  if (r & RESOLVE_NO_XDEV) lookup_flags |= LOOKUP_NO_XDEV;
  if (r & RESOLVE_NO_MAGICLINKS) lookup_flags |= LOOKUP_NO_MAGICLINKS;
  if (r & RESOLVE_NO_SYMLINKS) lookup_flags |= LOOKUP_NO_SYMLINKS;
  if (r & RESOLVE_BENEATH) lookup_flags |= LOOKUP_BENEATH;
  if (r & RESOLVE_IN_ROOT) lookup_flags |= LOOKUP_IN_ROOT;
  return { open_flag: flags, acc_mode, mode, lookup_flags };
}

/** Who is opening: the caller's fs_struct and credentials. */
export interface OpenContext {
  fs: FsStruct;
  cred: Cred;
}

/**
 * Linux do_filp_open() -> path_openat(): open `name` from `start` (the cwd
 * or a dirfd). Returns the new File (the caller installs it) or -errno.
 */
export function do_filp_open(ctx: OpenContext, start: Dentry, name: string, op: OpenFlags): File | number {
  const scoped = op.lookup_flags & (LOOKUP_BENEATH | LOOKUP_IN_ROOT);
  const nd = nameidata(scoped ? start : ctx.fs.root, start, op.lookup_flags, ctx.cred);
  if (op.open_flag & __O_TMPFILE) return do_tmpfile(nd, name, op, ctx);
  if (op.open_flag & O_PATH) return do_o_path(nd, name, op);
  let err = path_init(nd, name);
  if (err) return err;
  let s = name;
  let created = false;
  for (;;) {
    err = link_path_walk(nd, s);
    if (err) return err;
    const r = open_last_lookups(nd, op, ctx);
    if (typeof r === 'string') { s = r; continue; }
    if (typeof r === 'number') return r;
    created = r.created;
    break;
  }
  return do_open(nd, op, created);
}

/**
 * Linux open_last_lookups() + lookup_open(): find or create the last
 * component. Returns a symlink body to keep walking, {created}, or -errno.
 */
function open_last_lookups(nd: Nameidata, op: OpenFlags, ctx: OpenContext): string | { created: boolean } | number {
  const flags = op.open_flag;
  if (nd.last_type !== LAST_NORM) {
    const r = walk_component(nd, nd.last, nd.last_type, WALK_TRAILING);
    return typeof r === 'number' ? r : { created: false };
  }
  if (!(flags & O_CREAT)) {
    if (nd.trailing) nd.flags |= LOOKUP_FOLLOW | LOOKUP_DIRECTORY;
  } else if (nd.trailing) {
    return -EISDIR; // "newfile/" with O_CREAT
  }
  const dir = nd.path;
  if (dir.d_inode.dead) return -ENOENT;
  const got_write = !(flags & (O_CREAT | O_TRUNC | O_ACCMODE)) || !dir.d_inode.i_sb.rdonly;
  const dentry = d_lookup(dir, nd.last);
  if (typeof dentry === 'number') return dentry;
  if (!dentry) {
    if (!(flags & O_CREAT)) return -ENOENT;
    // Linux may_o_create(): a read-only fs is EROFS, else write+search on the directory.
    if (!got_write) return -EROFS;
    const perm = inode_permission(dir.d_inode, MAY_WRITE | MAY_EXEC, nd.cred);
    if (perm) return perm;
    const mode = op.mode & ~ctx.fs.umask; // vfs_prepare_mode(): the umask applies
    const inode = dir.d_inode.create(nd.last, mode, nd.cred);
    if (typeof inode === 'number') return inode;
    nd.path = d_instantiate(dir, nd.last, inode);
    return { created: true };
  }
  const r = walk_component(nd, nd.last, LAST_NORM, WALK_TRAILING);
  return typeof r === 'string' || typeof r === 'number' ? r : { created: false };
}

/** Linux do_open(): the checks on what was found, then vfs_open and O_TRUNC. */
function do_open(nd: Nameidata, op: OpenFlags, created: boolean): File | number {
  const flags = op.open_flag;
  const d = nd.path;
  if (flags & O_CREAT) {
    if ((flags & O_EXCL) && !created) return -EEXIST;
    if (d.d_inode.isDir) return -EISDIR;
  }
  if ((nd.flags & LOOKUP_DIRECTORY) && !d.d_inode.isDir) return -ENOTDIR;
  let acc_mode = op.acc_mode;
  let truncate = false;
  if (created) {
    acc_mode = 0; // just made: no write permission check, nothing to truncate
  } else if (d.d_inode.isReg && (flags & O_TRUNC)) {
    if (d.d_inode.i_sb.rdonly) return -EROFS;
    truncate = true;
  }
  const err = may_open(d, acc_mode, flags, nd.cred);
  if (err) return err;
  const f = vfs_open(d, flags);
  if (typeof f === 'number') return f;
  if (truncate) {
    if (d.d_inode.i_writecount < 0) { release_open(f); return -ETXTBSY; } // handle_truncate: get_write_access
    const r = d.d_inode.truncate(0);
    if (r < 0) { release_open(f); return r; }
  }
  return f;
}

/**
 * Linux may_open(): symlinks ELOOP, directories refuse writes (EISDIR),
 * devices need a mount without nodev, exec needs a mount without noexec;
 * then the permission bits.
 */
export function may_open(d: Dentry, acc_mode: number, _flags: number, cred: Cred): number {
  const inode = d.d_inode;
  switch (inode.i_mode & S_IFMT) {
    case 0o120000: return -ELOOP;
    case 0o040000:
      if (acc_mode & MAY_WRITE) return -EISDIR;
      if (acc_mode & MAY_EXEC) return -EACCES;
      break;
    case 0o060000: case 0o020000:
      if (inode.i_sb.nodev) return -EACCES;
      if (acc_mode & MAY_EXEC) return -EACCES;
      break;
    case 0o010000: case 0o140000:
      if (acc_mode & MAY_EXEC) return -EACCES;
      break;
    case 0o100000:
      if ((acc_mode & MAY_EXEC) && inode.i_sb.noexec) return -EACCES;
      break;
  }
  return inode_permission(inode, acc_mode & (MAY_READ | MAY_WRITE | MAY_EXEC), cred);
}

const special_file = (mode: number): boolean => {
  const t = mode & S_IFMT;
  return t === 0o020000 || t === 0o060000 || t === 0o010000 || t === 0o140000;
};

/**
 * Linux vfs_open() -> do_dentry_open(): the open file. Writers of a
 * non-special file take a write reference (ETXTBSY while it is being
 * executed; EROFS on a read-only fs); the inode's ->open may hand back
 * its own kind of file (devices).
 */
export function vfs_open(d: Dentry, flags: number): File | number {
  const inode = d.d_inode;
  const kept = flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC);
  if (flags & O_PATH) return new File(inode, kept, FMODE_PATH, '', d);
  const fmode = [FMODE_READ, FMODE_WRITE, FMODE_READ | FMODE_WRITE, 0][flags & O_ACCMODE]!; // Linux OPEN_FMODE
  const f = new File(inode, kept, fmode, '', d);
  if ((fmode & FMODE_WRITE) && !special_file(inode.i_mode)) {
    if (inode.i_writecount < 0) return -ETXTBSY; // get_write_access: it is being executed
    if (inode.i_sb.rdonly) return -EROFS; // __mnt_want_write
    inode.i_writecount++;
    f.f_writer = true;
  }
  const opened = inode.open(f);
  if (typeof opened === 'number') { release_open(f); return opened; }
  if (opened !== f) { opened.f_writer = f.f_writer; f.f_writer = false; }
  return opened;
}

function release_open(f: File): void {
  if (f.f_writer && f.f_inode.i_writecount > 0) f.f_inode.i_writecount--;
  f.f_writer = false;
}

/** Linux do_o_path(): a file that only names a place; no permission on it is needed. */
function do_o_path(nd: Nameidata, name: string, _op: OpenFlags): File | number {
  const d = filename_lookup(nd, name);
  if (typeof d === 'number') return d;
  return vfs_open(d, _op.open_flag);
}

/**
 * Linux do_tmpfile() -> vfs_tmpfile(): an unnamed regular file in the
 * directory `name` names; linkat() may name it later unless O_EXCL. Its
 * dentry reads "/dir/#INO (deleted)", as Linux's d_tmpfile makes it.
 */
function do_tmpfile(nd: Nameidata, name: string, op: OpenFlags, ctx: OpenContext): File | number {
  nd.flags |= LOOKUP_DIRECTORY;
  const dir = filename_lookup(nd, name);
  if (typeof dir === 'number') return dir;
  if (dir.d_inode.i_sb.rdonly) return -EROFS;
  const perm = inode_permission(dir.d_inode, MAY_WRITE | MAY_EXEC, nd.cred);
  if (perm) return perm;
  const inode = dir.d_inode.tmpfile(op.mode & ~ctx.fs.umask, nd.cred);
  if (typeof inode === 'number') return inode;
  const d = new Dentry(`#${inode.i_ino}`, dir, inode);
  d.d_unhashed = true;
  const err = may_open(d, 0, op.open_flag, nd.cred);
  if (err) return err;
  if (!(op.open_flag & O_EXCL)) inode.linkable = true;
  return vfs_open(d, op.open_flag & ~O_CREAT);
}
