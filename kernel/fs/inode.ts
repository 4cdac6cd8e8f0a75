/**
 * Inodes and superblocks: what a file is, apart from where it is named and
 * who has it open.
 *
 * Linux include/linux/fs.h struct inode, struct inode_operations, struct
 * super_block. As in browser_wasi_shim, the base class answers "not
 * supported" to everything with the errno Linux's VFS gives when a
 * filesystem lacks the operation (fs/namei.c vfs_mkdir: no ->mkdir is
 * EPERM; vfs_create: no ->create is EACCES); each kind (tmpfs file,
 * directory, symlink, device, procfs entry, host file) overrides only what
 * it implements, so a new kind is safe by default.
 *
 * The VFS (namei.ts, namei_create.ts, open.ts) does every permission and
 * type check before it calls these; an inode operation only does the deed.
 */

import { EACCES, EINVAL, EISDIR, ENOTDIR, EOPNOTSUPP, EPERM } from '../../abi/errno.js';
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from '../../abi/fcntl.js';
import type { Dentry } from './dcache.js';
import type { File } from './file.js';
import type { VfsMount } from './mount.js';
import type { Cred } from './namei.js';

/** struct timespec64: inode timestamps. */
export interface Timespec {
  tv_sec: number;
  tv_nsec: number;
}

const bootHr = process.hrtime.bigint();
const bootWallNs = BigInt(Date.now()) * 1_000_000n;

/** Linux fs/inode.c current_time(): the wall clock, nanoseconds included. */
export function current_time(): Timespec {
  const ns = bootWallNs + (process.hrtime.bigint() - bootHr);
  return { tv_sec: Number(ns / 1_000_000_000n), tv_nsec: Number(ns % 1_000_000_000n) };
}

/**
 * What a filesystem instance is (Linux struct super_block plus, since kemu
 * mounts each superblock exactly once, the flags Linux keeps per mount).
 */
export interface SuperBlock {
  /** s_type->name: "tmpfs", "proc", "devtmpfs", "hostfs". */
  readonly name: string;
  /** Linux MNT_NOEXEC / SB_I_NOEXEC: exec from here gives EACCES (binfmt reads it). */
  noexec: boolean;
  /** Linux SB_RDONLY / MNT_READONLY: writes give EROFS. */
  rdonly: boolean;
  /** Linux MNT_NOSUID: set-id bits are ignored by exec. */
  nosuid: boolean;
  /** Linux MNT_NODEV: device files cannot be opened (EACCES). */
  nodev: boolean;
  /** st_dev of every inode here (an anonymous 0:N device, as tmpfs has). */
  readonly dev: number;
  /** statfs f_type (include/uapi/linux/magic.h). */
  readonly magic: number;
  /**
   * Whether a cached dentry must be checked with a fresh ->lookup on every
   * walk (Linux d_revalidate): procfs and host directories change behind
   * the dcache's back; tmpfs never does.
   */
  readonly revalidate: boolean;
  /** Options as /proc/mounts shows them after the ro/rw and nosuid/nodev/noexec words. */
  options: string;
  /** tmpfs: bytes of file data held, and the most it may hold (size=; past it writes are ENOSPC). */
  s_bytes: number;
  s_maxbytes: number;
  /** Where it is mounted (set by do_mount); absent for internal filesystems (memfd, pipes). */
  s_mount?: VfsMount;
}

/** include/uapi/linux/magic.h */
export const TMPFS_MAGIC = 0x01021994;
export const PROC_SUPER_MAGIC = 0x9fa0;

let nextDev = 0x20;

export interface SuperBlockOptions {
  noexec?: boolean; rdonly?: boolean; nosuid?: boolean; nodev?: boolean;
  magic?: number; revalidate?: boolean; options?: string;
  /** tmpfs size= in bytes (default DEFAULT_TMPFS_BYTES). */
  maxBytes?: number;
}

/**
 * The default size of a tmpfs: Linux gives half of RAM; kemu's guests get
 * 1 GiB per tmpfs, so a guest filling one gets ENOSPC, not the host's OOM.
 */
export const DEFAULT_TMPFS_BYTES = 1 << 30;

/** A new superblock on the next anonymous device number (Linux get_anon_bdev / set_anon_super). */
export function newSuperBlock(name: string, o: SuperBlockOptions = {}): SuperBlock {
  return {
    name, dev: nextDev++, magic: o.magic ?? TMPFS_MAGIC, revalidate: o.revalidate ?? false,
    noexec: o.noexec ?? false, rdonly: o.rdonly ?? false, nosuid: o.nosuid ?? false, nodev: o.nodev ?? false,
    options: o.options ?? '', s_bytes: 0, s_maxbytes: o.maxBytes ?? DEFAULT_TMPFS_BYTES,
  };
}

/** Linux include/linux/fs.h struct iattr: what notify_change asks an inode to change. */
export interface IAttr {
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  atime?: Timespec;
  mtime?: Timespec;
  ctime?: Timespec;
}

/** One directory entry as readdir reports it; `off` is the cookie that resumes after it. */
export interface DirEntry {
  name: string;
  inode: Inode;
  off: number;
}

/** What ->get_link gives: the target text, or for procfs magic links the place itself. */
export type LinkTarget = Uint8Array | { jump: Dentry } | number;

let nextIno = 2;

export abstract class Inode {
  i_ino: number = nextIno++;
  i_mode: number;
  i_uid = 0;
  i_gid = 0;
  i_nlink = 1;
  i_rdev = 0;
  i_atime: Timespec;
  i_mtime: Timespec;
  i_ctime: Timespec;
  /** statx btime (tmpfs keeps its creation time). */
  i_crtime: Timespec;
  /** Linux i_writecount: > 0 while open for writing; < 0 while being executed (deny_write_access). */
  i_writecount = 0;
  /** Linux I_LINKABLE: an O_TMPFILE inode opened without O_EXCL may be given a name by linkat. */
  linkable = false;
  /** Linux S_DEAD: a removed directory; nothing can be created in it. */
  dead = false;
  /** Open files on this inode (Linux i_count's share held by struct file): with no name and none open, it is evicted. */
  i_opencount = 0;

  constructor(mode: number, readonly i_sb: SuperBlock) {
    this.i_mode = mode;
    const now = current_time();
    this.i_atime = now;
    this.i_mtime = now;
    this.i_ctime = now;
    this.i_crtime = now;
  }

  get isDir(): boolean { return (this.i_mode & S_IFMT) === S_IFDIR; }
  get isReg(): boolean { return (this.i_mode & S_IFMT) === S_IFREG; }
  get isLink(): boolean { return (this.i_mode & S_IFMT) === S_IFLNK; }

  /** i_size as stat reports it. */
  size(): number { return 0; }
  /** Linux evict(): the last name is gone and nobody has it open; give back what it holds. */
  evict(): void {}

  /** Linux iput() after an unlink: evict when nothing holds the inode any more. */
  iput_if_unused(): void {
    if (this.i_nlink === 0 && this.i_opencount === 0) this.evict();
  }

  /** st_blocks in 512-byte units. */
  blocks(): number { return Math.ceil(this.size() / 4096) * 8; }
  /** Bring attributes up to date before stat (host files change behind kemu's back). */
  refresh(): void {}

  // ---- directory operations (struct inode_operations) ----

  /** ->lookup: the inode named `name` here, null when there is none, or -errno. */
  lookup(_name: string): Inode | null | number { return -ENOTDIR; }
  /** Entries for readdir, in order, without "." and "..". */
  entries(): Array<[string, Inode]> | number { return -ENOTDIR; }
  /** Entries with resume cookies; "." and ".." take cookies 1 and 2, so entries start at 3. */
  iterate(): DirEntry[] | number {
    const e = this.entries();
    if (typeof e === 'number') return e;
    return e.map(([name, inode], i) => ({ name, inode, off: i + 3 }));
  }
  /** ->create: a new regular file `name` with `mode` (type bits included). */
  create(_name: string, _mode: number, _cred: Cred): Inode | number { return -EACCES; }
  /** ->mkdir. */
  mkdir(_name: string, _mode: number, _cred: Cred): Inode | number { return -EPERM; }
  /** ->symlink. */
  symlink(_name: string, _target: Uint8Array, _cred: Cred): Inode | number { return -EPERM; }
  /** ->mknod for FIFOs, sockets and devices. */
  mknod(_name: string, _mode: number, _rdev: number, _cred: Cred): Inode | number { return -EPERM; }
  /** ->link: give `child` the extra name `name` here (also how boot code fills a tree). */
  link(_name: string, _child: Inode): number { return -EPERM; }
  /** ->unlink: remove the name of a non-directory. */
  unlink(_name: string): number { return -EPERM; }
  /** ->rmdir: remove an empty directory (ENOTEMPTY otherwise). */
  rmdir(_name: string): number { return -EPERM; }
  /** ->rename within this filesystem; `flags` are RENAME_NOREPLACE / RENAME_EXCHANGE. */
  rename(_old: string, _newDir: Inode, _new: string, _flags: number): number { return -EPERM; }
  /** ->tmpfile: an inode with no name (O_TMPFILE, memfd). */
  tmpfile(_mode: number, _cred: Cred): Inode | number { return -EOPNOTSUPP; }

  /**
   * Extended attributes (Linux simple_xattrs, as tmpfs keeps them): the
   * name -> value map, or null when this filesystem has none (EOPNOTSUPP).
   */
  xattrs(): Map<string, Uint8Array> | null { return null; }

  /** ->get_link: what a symlink points at (readlink gives the same bytes for ordinary links). */
  get_link(): LinkTarget { return this.readlink(); }
  /** The bytes readlink(2) returns. */
  readlink(): Uint8Array | number { return -EINVAL; }

  /**
   * ->setattr after the VFS checked permissions (Linux simple_setattr):
   * a size change truncates; everything else is copied.
   */
  setattr(a: IAttr): number {
    if (a.size !== undefined) {
      const r = this.truncate(a.size);
      if (r < 0) return r;
    }
    if (a.mode !== undefined) this.i_mode = a.mode;
    if (a.uid !== undefined) this.i_uid = a.uid;
    if (a.gid !== undefined) this.i_gid = a.gid;
    if (a.atime) this.i_atime = a.atime;
    if (a.mtime) this.i_mtime = a.mtime;
    if (a.ctime) this.i_ctime = a.ctime;
    return 0;
  }

  // ---- file operations (struct file_operations, at a position) ----

  /**
   * ->open: the open file for this inode. Devices return their own File
   * kind (Linux chrdev_open replacing f_op); -errno refuses the open.
   */
  open(_f: File): File | number { return _f; }
  /** Read at `pos` into `dst`; returns the count or -errno. */
  readAt(_dst: Uint8Array, _pos: number): number { return this.isDir ? -EISDIR : -EINVAL; }
  /** Write `src` at `pos`; returns the count or -errno. */
  writeAt(_src: Uint8Array, _pos: number): number { return this.isDir ? -EISDIR : -EINVAL; }
  truncate(_len: number): number { return this.isDir ? -EISDIR : -EINVAL; }
  /** ->fallocate (mode FALLOC_FL_*): reserve or punch a range. */
  fallocate(_mode: number, _off: number, _len: number): number { return -EOPNOTSUPP; }
}
