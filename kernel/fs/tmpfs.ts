/**
 * tmpfs: files that live in memory only. Linux mm/shmem.c, with the
 * directory helpers of fs/libfs.c (simple_link, simple_unlink,
 * simple_rmdir, simple_rename, simple_offset_* for readdir cookies).
 *
 * One class per inode kind: a regular file holds its bytes in a growable
 * buffer (sparse past what was written), a directory maps names to inodes,
 * a symlink holds its target, a special inode (device, FIFO, socket) holds
 * its type and device number and is opened through devfs's driver table.
 * An unlinked file lives while someone holds it (an open file, a mapping),
 * as in Linux; JavaScript's GC frees it after that.
 */

import { EEXIST, EFBIG, ENOENT, ENOSPC, ENOTEMPTY, ENXIO, EOPNOTSUPP, EPERM, EXDEV } from '../../abi/errno.js';
import { F_SEAL_EXEC, F_SEAL_FUTURE_WRITE, F_SEAL_GROW, F_SEAL_SHRINK, F_SEAL_WRITE, RENAME_EXCHANGE, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from '../../abi/fcntl.js';
import type { File } from './file.js';
import { current_time, Inode, newSuperBlock, type DirEntry, type IAttr, type SuperBlock } from './inode.js';
import type { Cred } from './namei.js';

export { newSuperBlock };

/** Host memory one tmpfs file may hold; past it a write fails as a full tmpfs does (ENOSPC). */
const TMPFS_MAX_FILE = 1 << 30;
/** Linux include/linux/fs.h MAX_LFS_FILESIZE, within what a JS number holds exactly. */
const MAX_LFS_FILESIZE = Number.MAX_SAFE_INTEGER;
/** Linux mm/shmem.c BOGO_DIRENT_SIZE: a tmpfs directory's i_size grows by 20 per entry. */
const BOGO_DIRENT_SIZE = 20;

/** Linux inode_init_owner(): new inodes belong to the creator's fsuid and fsgid, or a setgid directory's group. */
export function inode_init_owner(inode: Inode, dir: Inode, cred: Cred): Inode {
  inode.i_uid = cred.fsuid;
  // A setgid directory hands its group down, and its setgid bit to subdirectories.
  if (dir.i_mode & 0o2000) {
    inode.i_gid = dir.i_gid;
    if (inode.isDir) inode.i_mode |= 0o2000;
  } else {
    inode.i_gid = cred.fsgid;
  }
  return inode;
}

export class TmpfsFile extends Inode {
  private xa: Map<string, Uint8Array> | null = null;
  override xattrs(): Map<string, Uint8Array> { return (this.xa ??= new Map()); }

  private data: Uint8Array = new Uint8Array(0);
  private len = 0;
  /** memfd seals (F_SEAL_*); F_SEAL_SEAL from the start unless MFD_ALLOW_SEALING (mm/memfd.c). */
  seals = 0x0001;

  constructor(sb: SuperBlock, mode = 0o644) {
    super(S_IFREG | (mode & 0o7777), sb);
    this.i_nlink = 0; // a new inode has no name until link() gives it one
  }

  override size(): number { return this.len; }
  override blocks(): number { return Math.ceil(Math.min(this.len, this.data.length) / 4096) * 8; }

  /** The file's bytes (a copy when the file is sparse past what was written). */
  contents(): Uint8Array {
    if (this.len <= this.data.length) return this.data.subarray(0, this.len);
    const out = new Uint8Array(this.len);
    out.set(this.data);
    return out;
  }

  override readAt(dst: Uint8Array, pos: number): number {
    if (pos >= this.len) return 0;
    const n = Math.min(dst.length, this.len - pos);
    const have = Math.max(0, Math.min(n, this.data.length - pos));
    if (have > 0) dst.set(this.data.subarray(pos, pos + have));
    if (have < n) dst.fill(0, Math.max(have, 0), n); // a hole reads as zeros
    return n;
  }

  override writeAt(src: Uint8Array, pos: number): number {
    if (this.seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) return -EPERM;
    const end = pos + src.length;
    if ((this.seals & F_SEAL_GROW) && end > this.len) return -EPERM;
    if (end > MAX_LFS_FILESIZE) return -EFBIG;
    if (end > TMPFS_MAX_FILE) return -ENOSPC;
    if (!this.reserve(end)) return -ENOSPC;
    this.data.set(src, pos);
    if (end > this.len) this.len = end;
    this.i_mtime = this.i_ctime = current_time();
    return src.length;
  }

  override truncate(len: number): number {
    if (len > MAX_LFS_FILESIZE) return -EFBIG;
    if ((this.seals & F_SEAL_SHRINK) && len < this.len) return -EPERM;
    if ((this.seals & F_SEAL_GROW) && len > this.len) return -EPERM;
    if (len < this.data.length) this.data.fill(0, len, Math.min(this.len, this.data.length));
    this.len = len;
    this.i_mtime = this.i_ctime = current_time();
    return 0;
  }

  /** Linux mm/shmem.c shmem_setattr(): with F_SEAL_EXEC the x bits cannot change (EPERM). */
  override setattr(a: IAttr): number {
    if (a.mode !== undefined && (this.seals & F_SEAL_EXEC) && ((this.i_mode ^ a.mode) & 0o111)) return -EPERM;
    return super.setattr(a);
  }

  /**
   * Linux shmem_fallocate(): mode 0 extends the size, FALLOC_FL_KEEP_SIZE
   * only reserves, FALLOC_FL_PUNCH_HOLE (with KEEP_SIZE) zeroes a range.
   */
  override fallocate(mode: number, off: number, len: number): number {
    const KEEP_SIZE = 0x01;
    const PUNCH_HOLE = 0x02;
    if (mode & ~(KEEP_SIZE | PUNCH_HOLE)) return -EOPNOTSUPP;
    if (mode & PUNCH_HOLE) {
      if (!(mode & KEEP_SIZE)) return -EOPNOTSUPP;
      if (this.seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) return -EPERM;
      const end = Math.min(off + len, this.len, this.data.length);
      if (end > off) this.data.fill(0, off, end);
      return 0;
    }
    const end = off + len;
    if (end > MAX_LFS_FILESIZE) return -EFBIG;
    if (!(mode & KEEP_SIZE) && end > this.len) {
      if (this.seals & F_SEAL_GROW) return -EPERM;
      this.len = end;
      this.i_mtime = this.i_ctime = current_time();
    }
    return 0;
  }

  /**
   * Grow the buffer to hold `n` bytes, charging the filesystem's size; false
   * when it is full or the host cannot give the memory (ENOSPC to the guest).
   */
  private reserve(n: number): boolean {
    if (n <= this.data.length) return true;
    const sb = this.i_sb;
    let cap = Math.max(n, Math.min(this.data.length * 2, TMPFS_MAX_FILE), 4096);
    if (sb.s_bytes + cap - this.data.length > sb.s_maxbytes) cap = n; // near the limit: no headroom
    if (sb.s_bytes + cap - this.data.length > sb.s_maxbytes) return false;
    let grown: Uint8Array;
    try {
      grown = new Uint8Array(cap);
    } catch {
      return false;
    }
    grown.set(this.data);
    sb.s_bytes += cap - this.data.length;
    this.data = grown;
    return true;
  }

  /** The last name went and nobody has the file open: its bytes go back to the filesystem. */
  override evict(): void {
    this.i_sb.s_bytes -= this.data.length;
    this.data = new Uint8Array(0);
    this.len = 0;
  }


}

export class TmpfsSymlink extends Inode {
  private xa: Map<string, Uint8Array> | null = null;
  override xattrs(): Map<string, Uint8Array> { return (this.xa ??= new Map()); }

  constructor(sb: SuperBlock, private readonly target: Uint8Array) {
    super(S_IFLNK | 0o777, sb);
    this.i_nlink = 0;
  }
  override size(): number { return this.target.length; }
  override blocks(): number { return 0; }
  override readlink(): Uint8Array { return this.target; }
}

/**
 * Opening a device, FIFO or socket node goes through this table (Linux
 * chrdev_open / fifo_open): devfs registers the character devices, the
 * pipe code may register FIFOs. Unclaimed, the open is ENXIO.
 */
export const specialOpen: { chrdev?: (inode: Inode, f: File) => File | number; fifo?: (inode: Inode, f: File) => File | number } = {};

/** A device, FIFO or socket node made by mknod (Linux init_special_inode). */
export class TmpfsSpecial extends Inode {
  private xa: Map<string, Uint8Array> | null = null;
  override xattrs(): Map<string, Uint8Array> { return (this.xa ??= new Map()); }

  constructor(sb: SuperBlock, mode: number, rdev: number) {
    super(mode, sb);
    this.i_rdev = rdev;
    this.i_nlink = 0;
  }
  override blocks(): number { return 0; }
  override open(f: File): File | number {
    const type = this.i_mode & S_IFMT;
    if (type === 0o020000 && specialOpen.chrdev) return specialOpen.chrdev(this, f);
    if (type === 0o010000 && specialOpen.fifo) return specialOpen.fifo(this, f);
    return -ENXIO;
  }
}

/**
 * A directory whose names the kernel keeps in memory (a tmpfs directory,
 * a copy-on-write host directory): two raw operations that do not touch
 * link counts, from which link, unlink, rmdir and rename are made
 * (Linux fs/libfs.c simple_link, simple_unlink, simple_rmdir,
 * simple_rename).
 */
export interface MemDir extends Inode {
  /** Put `child` under `name` (EEXIST if taken); the directory's own link count follows subdirectories. */
  attach(name: string, child: Inode): number;
  /** Take `name` away (ENOENT if absent) and return what it named. */
  detach(name: string): Inode | number;
}

export function isMemDir(i: Inode): i is MemDir {
  return typeof (i as Partial<MemDir>).attach === 'function';
}

/** Whether a directory has no entries (Linux simple_empty). */
export function simple_empty(dir: Inode): boolean {
  const e = dir.entries();
  return typeof e !== 'number' && e.length === 0;
}

/** Linux simple_link: a new name for `child`. */
export function simple_link(dir: MemDir, name: string, child: Inode): number {
  const r = dir.attach(name, child);
  if (r < 0) return r;
  if (!child.isDir) child.i_nlink++;
  child.i_ctime = current_time();
  return 0;
}

/** Linux simple_unlink: a name goes; the inode lives on while held. */
export function simple_unlink(dir: MemDir, name: string): number {
  const child = dir.detach(name);
  if (typeof child === 'number') return child;
  child.i_nlink = child.isDir ? 0 : Math.max(0, child.i_nlink - 1);
  child.i_ctime = current_time();
  child.iput_if_unused();
  return 0;
}

/** Linux simple_rmdir: only an empty directory goes (ENOTEMPTY). */
export function simple_rmdir(dir: MemDir, name: string): number {
  const victim = dir.lookup(name);
  if (!victim || typeof victim === 'number') return typeof victim === 'number' ? victim : -ENOENT;
  if (!simple_empty(victim)) return -ENOTEMPTY;
  dir.detach(name);
  victim.i_nlink = 0;
  victim.dead = true;
  return 0;
}

/**
 * Linux shmem_rename2 / simple_rename: move `oldName` to `newDir/newName`,
 * replacing what is there (the VFS checked the types), or swap the two
 * with RENAME_EXCHANGE. ENOTEMPTY for a non-empty directory target.
 */
export function simple_rename(oldDir: MemDir, oldName: string, newDir: Inode, newName: string, flags: number): number {
  if (!isMemDir(newDir)) return -EXDEV;
  const source = oldDir.lookup(oldName);
  if (!source || typeof source === 'number') return typeof source === 'number' ? source : -ENOENT;
  const t = newDir.lookup(newName);
  const target = typeof t === 'number' ? null : t;
  if (flags & RENAME_EXCHANGE) {
    if (!target) return -ENOENT;
    oldDir.detach(oldName);
    newDir.detach(newName);
    newDir.attach(newName, source);
    oldDir.attach(oldName, target);
  } else {
    if (target?.isDir && !simple_empty(target)) return -ENOTEMPTY;
    if (target) {
      newDir.detach(newName);
      target.i_nlink = target.isDir ? 0 : Math.max(0, target.i_nlink - 1);
      if (target.isDir) target.dead = true;
      target.iput_if_unused();
    }
    oldDir.detach(oldName);
    newDir.attach(newName, source);
  }
  source.i_ctime = current_time();
  return 0;
}

interface Slot { inode: Inode; off: number }

/**
 * A tmpfs directory: names to inodes, each name with a readdir cookie
 * that never changes while the name exists (Linux 6.6+ simple_offset),
 * so a reader that unlinks as it goes (rm -r) misses nothing.
 */
export class TmpfsDir extends Inode implements MemDir {
  private xa: Map<string, Uint8Array> | null = null;
  override xattrs(): Map<string, Uint8Array> { return (this.xa ??= new Map()); }

  private readonly children = new Map<string, Slot>();
  private nextOff = 3; // 1 and 2 are "." and ".."

  constructor(sb: SuperBlock, mode = 0o755) {
    super(S_IFDIR | (mode & 0o7777), sb);
    this.i_nlink = 2;
  }

  override size(): number { return (2 + this.children.size) * BOGO_DIRENT_SIZE; }
  override blocks(): number { return 0; }
  override lookup(name: string): Inode | null { return this.children.get(name)?.inode ?? null; }
  override entries(): Array<[string, Inode]> { return [...this.children].map(([n, s]) => [n, s.inode]); }
  override iterate(): DirEntry[] { return [...this.children].map(([name, s]) => ({ name, inode: s.inode, off: s.off })); }
  get isEmpty(): boolean { return this.children.size === 0; }

  /** Put `child` here under `name` without touching its link count (the raw half of link and rename). */
  attach(name: string, child: Inode): number {
    if (this.children.has(name)) return -EEXIST;
    this.children.set(name, { inode: child, off: this.nextOff++ });
    if (child.isDir) this.i_nlink++;
    this.i_mtime = this.i_ctime = current_time();
    return 0;
  }

  /** Take `name` out without touching the child's link count. */
  detach(name: string): Inode | number {
    const slot = this.children.get(name);
    if (!slot) return -ENOENT;
    this.children.delete(name);
    if (slot.inode.isDir) this.i_nlink--;
    this.i_mtime = this.i_ctime = current_time();
    return slot.inode;
  }

  override create(name: string, mode: number, cred: Cred): Inode | number {
    return this.add(name, inode_init_owner(new TmpfsFile(this.i_sb, mode), this, cred));
  }
  override mkdir(name: string, mode: number, cred: Cred): Inode | number {
    const d = inode_init_owner(new TmpfsDir(this.i_sb, mode), this, cred);
    const r = this.attach(name, d);
    return r < 0 ? r : d;
  }
  override symlink(name: string, target: Uint8Array, cred: Cred): Inode | number {
    return this.add(name, inode_init_owner(new TmpfsSymlink(this.i_sb, target), this, cred));
  }
  override mknod(name: string, mode: number, rdev: number, cred: Cred): Inode | number {
    const type = mode & S_IFMT;
    const inode = type === S_IFREG || type === 0 ? new TmpfsFile(this.i_sb, mode) : new TmpfsSpecial(this.i_sb, mode, rdev);
    return this.add(name, inode_init_owner(inode, this, cred));
  }
  override tmpfile(mode: number, cred: Cred): Inode | number {
    return inode_init_owner(new TmpfsFile(this.i_sb, mode), this, cred);
  }

  private add(name: string, inode: Inode): Inode | number {
    const r = this.link(name, inode);
    return r < 0 ? r : inode;
  }

  /** Linux simple_link (also how boot code fills a tree: the child gains a link). */
  override link(name: string, child: Inode): number { return simple_link(this, name, child); }

  /** Linux simple_unlink; a non-empty directory stays (boot code replaces files this way). */
  override unlink(name: string): number {
    const child = this.lookup(name);
    if (child?.isDir && !simple_empty(child)) return -ENOTEMPTY;
    return simple_unlink(this, name);
  }

  override rmdir(name: string): number { return simple_rmdir(this, name); }

  override rename(oldName: string, newDir: Inode, newName: string, flags: number): number {
    return simple_rename(this, oldName, newDir, newName, flags);
  }
}
