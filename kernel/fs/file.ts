/**
 * Open files: Linux include/linux/fs.h struct file (an open file
 * description: position, flags, the inode, where it was opened) and its
 * file_operations.
 *
 * The base class reads and writes through the inode at f_pos; special files
 * (host streams, pipes, devices) override the operations they implement.
 * An O_PATH file (FMODE_PATH) only names a place: every I/O on it is EBADF,
 * as Linux's empty_fops and fdget() make it.
 */

import { EBADF, EINVAL, ENOTTY, ESPIPE } from '../../abi/errno.js';
import { O_APPEND, S_IFDIR, S_IFMT, S_IFREG, SEEK_CUR, SEEK_END, SEEK_SET } from '../../abi/fcntl.js';
import { d_path, type Dentry } from './dcache.js';
import type { Inode } from './inode.js';
import { locks_remove_file } from './locks.js';

/** Linux include/linux/fs.h FMODE_* bits. */
export const FMODE_READ = 0x1;
export const FMODE_WRITE = 0x2;
export const FMODE_EXEC = 0x20;
export const FMODE_PATH = 0x4000;

export class File {
  f_pos = 0;
  /** Linux f_count: references from fd tables, bprm->file, mappings. */
  f_count = 1;
  /** Whether this open holds a write reference on the inode (Linux FMODE_WRITER): fput gives it back. */
  f_writer = false;

  constructor(
    readonly f_inode: Inode,
    public f_flags: number,
    public f_mode: number,
    /** The name it was opened by, used when it has no dentry (host streams, pipes). */
    private readonly f_name: string,
    /** Where it sits in the tree (null for pipes and host streams): dirfd lookups start here. */
    readonly f_dentry: Dentry | null = null,
  ) {
    f_inode.i_opencount++;
  }

  /** Linux d_path(&file->f_path): where the file is now, " (deleted)" once unlinked. */
  get f_path(): string { return this.f_dentry ? d_path(this.f_dentry) : this.f_name; }

  get readable(): boolean { return (this.f_mode & FMODE_READ) !== 0; }
  get writable(): boolean { return (this.f_mode & FMODE_WRITE) !== 0; }
  get isPath(): boolean { return (this.f_mode & FMODE_PATH) !== 0; }

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
    if (this.isPath) return -EBADF;
    return this.f_inode.readAt(dst, pos);
  }

  pwrite(src: Uint8Array, pos: number): number {
    if (!this.writable) return -EBADF;
    return this.f_inode.writeAt(src, pos);
  }

  /**
   * Linux generic_file_llseek for files; for directories the readdir
   * cookie, which only SEEK_SET and SEEK_CUR move (fs/libfs.c
   * offset_dir_llseek).
   */
  llseek(offset: number, whence: number): number {
    if (this.isPath) return -EBADF;
    const type = this.f_inode.i_mode & S_IFMT;
    if (type !== S_IFREG && type !== S_IFDIR) return -ESPIPE;
    let base: number;
    if (whence === SEEK_SET) base = 0;
    else if (whence === SEEK_CUR) base = this.f_pos;
    else if (whence === SEEK_END && type === S_IFREG) base = this.f_inode.size();
    else return -EINVAL;
    const pos = base + offset;
    if (pos < 0) return -EINVAL;
    this.f_pos = pos;
    return pos;
  }

  /** Linux vfs_ioctl: -ENOTTY unless the file kind knows the request. */
  ioctl(_request: number, _arg: number, _io: IoctlIo): number {
    return this.isPath ? -EBADF : -ENOTTY;
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

/** Drop a reference; the last one releases (Linux fput -> __fput: locks, put_write_access, ->release). */
export function fput(f: File): void {
  if (--f.f_count === 0) {
    locks_remove_file(f);
    f.f_inode.i_opencount--;
    f.f_inode.iput_if_unused();
    if (f.f_writer && f.f_inode.i_writecount > 0) f.f_inode.i_writecount--;
    f.release();
  }
}
