/**
 * Inodes: what a file is, apart from who has it open.
 *
 * Linux include/linux/fs.h struct inode. As in browser_wasi_shim, the base
 * class answers "not supported" to everything; each kind (tmpfs regular
 * file, directory, symlink, device, pipe) overrides only what it implements,
 * so a new kind is safe by default.
 */

import { EINVAL, ENOTDIR, EISDIR, EPERM } from '../../abi/errno.js';
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from '../../abi/fcntl.js';


let nextIno = 2;

/** Flags of the filesystem an inode lives on (Linux sb->s_iflags / mount flags). */
export interface SuperBlock {
  readonly name: string;
  /** Linux MNT_NOEXEC / SB_I_NOEXEC: exec from here gives EACCES. */
  noexec: boolean;
  readonly dev: number;
}

export abstract class Inode {
  readonly i_ino = nextIno++;
  i_mode: number;
  i_uid = 0;
  i_gid = 0;
  i_nlink = 1;
  i_rdev = 0;
  i_atime = Date.now();
  i_mtime = this.i_atime;
  i_ctime = this.i_atime;
  /** Linux i_writecount: > 0 while open for writing; < 0 while being executed (deny_write_access). */
  i_writecount = 0;

  constructor(mode: number, readonly i_sb: SuperBlock) {
    this.i_mode = mode;
  }

  get isDir(): boolean { return (this.i_mode & S_IFMT) === S_IFDIR; }
  get isReg(): boolean { return (this.i_mode & S_IFMT) === S_IFREG; }
  get isLink(): boolean { return (this.i_mode & S_IFMT) === S_IFLNK; }

  /** Size in bytes as stat reports it. */
  size(): number { return 0; }

  /** Directory lookup of one name. */
  lookup(_name: string): Inode | null | number { return -ENOTDIR; }
  /** Directory entries in order, for getdents64. */
  entries(): Array<[string, Inode]> | number { return -ENOTDIR; }
  /** Add `child` under `name` (link / create). */
  link(_name: string, _child: Inode): number { return -ENOTDIR; }
  unlink(_name: string): number { return -ENOTDIR; }

  /** Symlink target. */
  readlink(): Uint8Array | number { return -EINVAL; }

  /** Read at `pos` into `dst`; returns the count or -errno. */
  readAt(_dst: Uint8Array, _pos: number): number { return this.isDir ? -EISDIR : -EINVAL; }
  /** Write `src` at `pos`; returns the count or -errno. */
  writeAt(_src: Uint8Array, _pos: number): number { return this.isDir ? -EISDIR : -EINVAL; }
  truncate(_len: number): number { return this.isDir ? -EISDIR : -EPERM; }
}
