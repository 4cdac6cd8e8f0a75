/**
 * tmpfs: files that live in memory only.
 *
 * Linux mm/shmem.c. One class per inode kind: a regular file holds its bytes
 * in a growable buffer, a directory maps names to inodes, a symlink holds its
 * target. An unlinked file lives while someone holds it (an open file, a
 * mapping), as in Linux; JavaScript's GC frees it after that.
 */

import { EEXIST, ENOENT, EFBIG, ENOTEMPTY } from '../../abi/errno.js';
import { S_IFDIR, S_IFLNK, S_IFREG } from '../../abi/fcntl.js';
import { Inode, type SuperBlock } from './inode.js';

let nextDev = 0x20;

export function newSuperBlock(name: string, opts: { noexec?: boolean } = {}): SuperBlock {
  return { name, noexec: opts.noexec ?? false, dev: nextDev++ };
}

/** Linux include/linux/fs.h MAX_LFS_FILESIZE is far larger; this bounds host memory per file. */
const TMPFS_MAX_FILE = 1 << 30;

export class TmpfsFile extends Inode {
  private data = new Uint8Array(0);
  private len = 0;

  constructor(sb: SuperBlock, mode = 0o644) {
    super(S_IFREG | (mode & 0o7777), sb);
    this.i_nlink = 0; // a new inode has no name until link() gives it one
  }

  override size(): number { return this.len; }

  /** The file's bytes (a view valid until the next write). */
  contents(): Uint8Array { return this.data.subarray(0, this.len); }

  override readAt(dst: Uint8Array, pos: number): number {
    if (pos >= this.len) return 0;
    const n = Math.min(dst.length, this.len - pos);
    dst.set(this.data.subarray(pos, pos + n));
    return n;
  }

  override writeAt(src: Uint8Array, pos: number): number {
    const end = pos + src.length;
    if (end > TMPFS_MAX_FILE) return -EFBIG;
    this.reserve(end);
    this.data.set(src, pos);
    if (end > this.len) this.len = end;
    this.i_mtime = this.i_ctime = Date.now();
    return src.length;
  }

  override truncate(len: number): number {
    if (len > TMPFS_MAX_FILE) return -EFBIG;
    this.reserve(len);
    if (len < this.len) this.data.fill(0, len, this.len);
    this.len = len;
    return 0;
  }

  private reserve(n: number): void {
    if (n <= this.data.length) return;
    const grown = new Uint8Array(Math.max(n, this.data.length * 2, 4096));
    grown.set(this.data.subarray(0, this.len));
    this.data = grown;
  }
}

export class TmpfsDir extends Inode {
  private readonly children = new Map<string, Inode>();

  constructor(sb: SuperBlock, mode = 0o755) {
    super(S_IFDIR | (mode & 0o7777), sb);
    this.i_nlink = 2;
  }

  override size(): number { return 4096; }
  override lookup(name: string): Inode | null { return this.children.get(name) ?? null; }
  override entries(): Array<[string, Inode]> { return [...this.children]; }

  override link(name: string, child: Inode): number {
    if (this.children.has(name)) return -EEXIST;
    this.children.set(name, child);
    if (child.isDir) this.i_nlink++;
    else child.i_nlink++;
    return 0;
  }

  override unlink(name: string): number {
    const child = this.children.get(name);
    if (!child) return -ENOENT;
    if (child instanceof TmpfsDir && child.children.size > 0) return -ENOTEMPTY;
    this.children.delete(name);
    if (child.isDir) this.i_nlink--;
    child.i_nlink = Math.max(0, child.i_nlink - 1);
    return 0;
  }

}

export class TmpfsSymlink extends Inode {
  constructor(sb: SuperBlock, private readonly target: Uint8Array) {
    super(S_IFLNK | 0o777, sb);
    this.i_nlink = 0;
  }
  override size(): number { return this.target.length; }
  override readlink(): Uint8Array { return this.target; }
}
