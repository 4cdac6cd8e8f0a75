/**
 * Open files: Linux include/linux/fs.h struct file (an open file
 * description: position, flags, the inode) and its file_operations.
 *
 * The base class reads and writes through the inode at f_pos; special files
 * (host streams, pipes, devices) override the operations they implement.
 */

import { EBADF, EINVAL, ENOTTY, ESPIPE } from '../../abi/errno.js';
import { O_APPEND, S_IFDIR, S_IFMT, S_IFREG, SEEK_CUR, SEEK_END, SEEK_SET } from '../../abi/fcntl.js';
import type { Inode } from './inode.js';
import type { Dentry } from './namei.js';

/** Linux include/linux/fs.h FMODE_* bits. */
export const FMODE_READ = 0x1;
export const FMODE_WRITE = 0x2;
export const FMODE_EXEC = 0x20;


export class File {
  f_pos = 0;
  /** Linux f_count: references from fd tables, bprm->file, mappings. */
  f_count = 1;

  constructor(
    readonly f_inode: Inode,
    public f_flags: number,
    public f_mode: number,
    /** The path it was opened by, for /proc/self/fd and readlink. */
    readonly f_path: string,
    /** Where it sits in the tree (null for pipes and anonymous files): dirfd lookups start here. */
    readonly f_dentry: Dentry | null = null,
  ) {}

  get readable(): boolean { return (this.f_mode & FMODE_READ) !== 0; }
  get writable(): boolean { return (this.f_mode & FMODE_WRITE) !== 0; }

  /** Linux vfs_read at f_pos: the count, or -errno. */
  read(dst: Uint8Array): number {
    if (!this.readable) return -EBADF;
    const n = this.f_inode.readAt(dst, this.f_pos);
    if (n > 0) this.f_pos += n;
    return n;
  }

  /** Linux vfs_write at f_pos (or at the end with O_APPEND). */
  write(src: Uint8Array): number {
    if (!this.writable) return -EBADF;
    if (this.f_flags & O_APPEND) this.f_pos = this.f_inode.size();
    const n = this.f_inode.writeAt(src, this.f_pos);
    if (n > 0) this.f_pos += n;
    return n;
  }

  /** Linux kernel_read / pread: read at `pos` without moving f_pos. */
  pread(dst: Uint8Array, pos: number): number {
    return this.f_inode.readAt(dst, pos);
  }

  pwrite(src: Uint8Array, pos: number): number {
    if (!this.writable) return -EBADF;
    return this.f_inode.writeAt(src, pos);
  }

  /** Linux generic_file_llseek. */
  llseek(offset: number, whence: number): number {
    const type = this.f_inode.i_mode & S_IFMT;
    if (type !== S_IFREG && type !== S_IFDIR) return -ESPIPE;
    let base: number;
    if (whence === SEEK_SET) base = 0;
    else if (whence === SEEK_CUR) base = this.f_pos;
    else if (whence === SEEK_END) base = this.f_inode.size();
    else return -EINVAL;
    const pos = base + offset;
    if (pos < 0) return -EINVAL;
    this.f_pos = pos;
    return pos;
  }

  /** Linux vfs_ioctl: -ENOTTY unless the file kind knows the request. */
  ioctl(_request: number, _arg: number, _io: IoctlIo): number {
    return -ENOTTY;
  }

  /** Whether the file refers to a terminal (isatty from the guest's side). */
  isTty(): boolean { return false; }

  /** Called when the last reference goes (Linux ->release). */
  release(): void {}
}

/** How an ioctl reads and writes its argument in guest memory (kept apart from file semantics). */
export interface IoctlIo {
  copyOut(addr: number, bytes: Uint8Array): boolean;
  copyIn(addr: number, len: number): Uint8Array | null;
}

/** Take a reference (Linux get_file). */
export function get_file(f: File): File {
  f.f_count++;
  return f;
}

/** Drop a reference; the last one releases (Linux fput). */
export function fput(f: File): void {
  if (--f.f_count === 0) {
    if (f.writable && f.f_inode.i_writecount > 0) f.f_inode.i_writecount--;
    f.release();
  }
}
