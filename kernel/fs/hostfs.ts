/**
 * Host directories as guest filesystems (`kemu run --mount HOST:GUEST`,
 * `--root HOST`): a filesystem whose inodes are the host's files, read
 * through node:fs when the guest asks, never in advance.
 *
 * Three modes:
 * - 'ro': read-only (sb.rdonly: every write is EROFS, as on a ro mount);
 * - 'rw': writes go to the host directory;
 * - 'cow': writes go to an in-memory layer over the untouched host
 *   directory, as Linux overlayfs does with a tmpfs upper layer: a host
 *   file is copied up when first written, a new name lives in the
 *   directory's upper map, a removed one leaves a whiteout (hostfs_cow.ts).
 *
 * Confinement: the guest never hands the host a path. Each host inode
 * knows its host path; a lookup joins one guest name (never "", ".",
 * ".." or anything with "/", which the walk resolves itself) to its
 * directory's path, and lstat()s it, so a host symlink comes back as a
 * symlink that the guest's walk resolves inside the guest's own
 * namespace: an absolute target starts at the guest's root, ".." stops
 * there. Files are opened with O_NOFOLLOW and checked to be the inode
 * that was looked up. Host devices are not opened (the mount is nodev).
 */

import { chmodSync, closeSync, constants, fstatSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync, openSync, opendirSync, readSync, readlinkSync, realpathSync, renameSync, rmdirSync, statSync, symlinkSync, truncateSync, unlinkSync, writeSync } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { EEXIST, EINVAL, EIO, EOPNOTSUPP, EPERM, EROFS, ESTALE } from '../../abi/errno.js';
import { errnoName } from '../../abi/errno.js';
import { RENAME_EXCHANGE, RENAME_NOREPLACE, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from '../../abi/fcntl.js';
import { Inode, newSuperBlock, type IAttr, type SuperBlock, type Timespec } from './inode.js';
import type { Cred } from './namei.js';
import { cowDir } from './hostfs_cow.js';
import { TmpfsFile, type MemDir } from './tmpfs.js';

export type HostMode = 'ro' | 'rw' | 'cow';

const ERRNO_BY_CODE = new Map<string, number>();
for (let e = 1; e < 134; e++) ERRNO_BY_CODE.set(errnoName(e), e);

/** A host error as a guest errno (node reports the host's errno name); EIO when it has none. */
export function hostErrno(e: unknown): number {
  const code = (e as NodeJS.ErrnoException).code;
  return -(code && ERRNO_BY_CODE.get(code) || EIO);
}

/** Run a host call; a thrown host error becomes -errno. */
export function host<T>(f: () => T): T | number {
  try { return f(); } catch (e) { return hostErrno(e); }
}

const NS = 1_000_000_000n;
const ts = (ns: bigint): Timespec => ({ tv_sec: Number(ns / NS), tv_nsec: Number(ns % NS) });

/** One mounted host directory: its superblock, its mode, and the inode per host file. */
export class HostFs {
  readonly sb: SuperBlock;
  readonly root: HostDir;
  private readonly inodes = new Map<string, HostInodeLike>();

  constructor(hostRoot: string, readonly mode: HostMode) {
    this.sb = newSuperBlock('hostfs', { rdonly: mode === 'ro', nodev: true, nosuid: true, revalidate: true });
    const rootPath = Buffer.from(realpathSync(hostRoot), 'utf8');
    const st = statSync(rootPath, { bigint: true });
    if (!st.isDirectory()) throw new Error(`${hostRoot} is not a directory`);
    this.root = this.inodeFor(rootPath, st) as HostDir;
  }

  /** The inode for the host file at `p` (one per host dev:ino, so hard links share it). */
  inodeFor(p: Buffer, st: BigIntStats): Inode {
    const key = `${st.dev}:${st.ino}`;
    const had = this.inodes.get(key);
    if (had) {
      had.hostPath = p;
      had.fill(st);
      return had as unknown as Inode;
    }
    const type = Number(st.mode) & S_IFMT;
    const inode: HostInodeLike = type === S_IFDIR ? new HostDir(this, p) : type === S_IFREG ? new HostFile(this, p)
      : type === S_IFLNK ? new HostSymlink(this, p) : new HostSpecial(this, p);
    inode.fill(st);
    this.inodes.set(key, inode);
    return inode as unknown as Inode;
  }

  /** After a rename on the host: cached inodes under the old path now live under the new one. */
  rehome(from: Buffer, to: Buffer): void {
    const prefix = Buffer.concat([from, Buffer.from('/')]);
    for (const inode of this.inodes.values()) {
      const p = inode.hostPath;
      if (p.equals(from)) inode.hostPath = to;
      else if (p.length > prefix.length && p.subarray(0, prefix.length).equals(prefix)) {
        inode.hostPath = Buffer.concat([to, p.subarray(from.length)]);
      }
    }
  }
}

/** What every host inode has besides being an Inode. */
interface HostInodeLike {
  hostPath: Buffer;
  fill(st: BigIntStats): void;
}

/** Copy a host lstat into an inode, unless the copy-on-write layer now owns its attributes. */
function fillFrom(inode: Inode & { dirty: boolean }, st: BigIntStats): void {
  if (inode.dirty) return;
  inode.i_ino = Number(st.ino & 0x1fffffffffffffn);
  inode.i_mode = Number(st.mode);
  inode.i_uid = Number(st.uid);
  inode.i_gid = Number(st.gid);
  inode.i_nlink = Number(st.nlink);
  inode.i_rdev = Number(st.rdev);
  inode.i_atime = ts(st.atimeNs);
  inode.i_mtime = ts(st.mtimeNs);
  inode.i_ctime = ts(st.ctimeNs);
  inode.i_crtime = ts(st.birthtimeNs);
}

const child = (dir: Buffer, name: string): Buffer => Buffer.concat([dir, Buffer.from('/'), Buffer.from(name, 'latin1')]);

/**
 * Apply an iattr to the host file (rw mode) or to the in-memory attributes
 * (cow mode, after which the host's are no longer read).
 */
function setHostAttr(inode: Inode & HostInodeLike & { dirty: boolean; hostfs: HostFs }, a: IAttr, sizeFn?: (n: number) => number): number {
  if (inode.hostfs.mode === 'ro') return -EROFS;
  if (inode.hostfs.mode === 'cow') {
    if (a.size !== undefined && sizeFn) { const r = sizeFn(a.size); if (r < 0) return r; }
    inode.dirty = true;
    return Inode.prototype.setattr.call(inode, { ...a, size: undefined });
  }
  const p = inode.hostPath;
  const r = host(() => {
    if (a.size !== undefined) truncateSync(p, a.size);
    if (a.mode !== undefined && !inode.isLink) chmodSync(p, a.mode & 0o7777);
    if (a.uid !== undefined || a.gid !== undefined) lchownSync(p, a.uid ?? -1, a.gid ?? -1);
    if (a.atime || a.mtime) {
      const sec = (t: Timespec | undefined, old: Timespec): number => (t ?? old).tv_sec + (t ?? old).tv_nsec / 1e9;
      lutimesSync(p, sec(a.atime, inode.i_atime), sec(a.mtime, inode.i_mtime));
    }
    return 0;
  });
  inode.refresh();
  return r;
}

export class HostFile extends Inode implements HostInodeLike {
  dirty = false;
  /** The copied-up bytes once the guest wrote to this file in cow mode. */
  upper: TmpfsFile | null = null;
  private hostSize = 0;

  constructor(readonly hostfs: HostFs, public hostPath: Buffer) {
    super(S_IFREG, hostfs.sb);
  }

  fill(st: BigIntStats): void {
    fillFrom(this, st);
    if (!this.upper) this.hostSize = Number(st.size);
  }

  override refresh(): void {
    if (this.dirty || this.upper) return;
    const st = host(() => lstatSync(this.hostPath, { bigint: true }));
    if (typeof st !== 'number') this.fill(st);
  }

  override size(): number { return this.upper ? this.upper.size() : this.hostSize; }

  /** Open the host file for `flags`, checking it is still the file that was looked up. */
  private openHost(flags: number): number {
    const fd = host(() => openSync(this.hostPath, flags | constants.O_NOFOLLOW));
    if (typeof fd === 'number' && fd < 0) return fd;
    const st = host(() => fstatSync(fd as number, { bigint: true }));
    if (typeof st === 'number' || Number(st.ino & 0x1fffffffffffffn) !== this.i_ino) {
      closeSync(fd as number);
      return -ESTALE;
    }
    return fd as number;
  }

  override readAt(dst: Uint8Array, pos: number): number {
    if (this.upper) return this.upper.readAt(dst, pos);
    const fd = this.openHost(constants.O_RDONLY);
    if (fd < 0) return fd;
    try {
      let done = 0;
      while (done < dst.length) {
        const n = readSync(fd, dst, done, dst.length - done, pos + done);
        if (n <= 0) break;
        done += n;
      }
      return done;
    } catch (e) {
      return hostErrno(e);
    } finally {
      closeSync(fd);
    }
  }

  override writeAt(src: Uint8Array, pos: number): number {
    if (this.hostfs.mode === 'ro') return -EROFS;
    if (this.hostfs.mode === 'cow') return this.copy_up().writeAt(src, pos);
    const fd = this.openHost(constants.O_WRONLY);
    if (fd < 0) return fd;
    try {
      const n = writeSync(fd, src, 0, src.length, pos);
      this.hostSize = Math.max(this.hostSize, pos + n);
      return n;
    } catch (e) {
      return hostErrno(e);
    } finally {
      closeSync(fd);
    }
  }

  override truncate(len: number): number {
    return setHostAttr(this, { size: len }, (n) => this.copy_up().truncate(n));
  }

  override setattr(a: IAttr): number {
    return setHostAttr(this, a, (n) => this.copy_up().truncate(n));
  }

  /** The copied-up bytes go when the last name and the last open file do. */
  override evict(): void { this.upper?.evict(); }

  /** Linux ovl_copy_up(): the host bytes into memory, once; the host file is never written. */
  copy_up(): TmpfsFile {
    if (!this.upper) {
      const bytes = new Uint8Array(this.hostSize);
      const n = this.readAt(bytes, 0); // from the host: upper is not set yet
      const upper = new TmpfsFile(this.i_sb, this.i_mode);
      upper.writeAt(bytes.subarray(0, Math.max(0, n)), 0);
      this.upper = upper;
      this.dirty = true;
    }
    return this.upper!;
  }
}

export class HostSymlink extends Inode implements HostInodeLike {
  dirty = false;
  private target: Uint8Array | null = null;
  constructor(readonly hostfs: HostFs, public hostPath: Buffer) {
    super(S_IFLNK | 0o777, hostfs.sb);
  }
  fill(st: BigIntStats): void { fillFrom(this, st); this.target = null; }
  override refresh(): void {
    const st = host(() => lstatSync(this.hostPath, { bigint: true }));
    if (typeof st !== 'number') this.fill(st);
  }
  /** The host link's bytes, unchanged: the guest's walk gives them their meaning. */
  override readlink(): Uint8Array | number {
    if (this.target) return this.target;
    const t = host(() => readlinkSync(this.hostPath, { encoding: 'buffer' }));
    if (typeof t === 'number') return t;
    this.target = new Uint8Array(t);
    return this.target;
  }
  override size(): number { const t = this.readlink(); return typeof t === 'number' ? 0 : t.length; }
  override setattr(a: IAttr): number { return setHostAttr(this, a); }
}

/** A host FIFO, socket or device: visible, never opened (a nodev mount refuses devices with EACCES). */
export class HostSpecial extends Inode implements HostInodeLike {
  dirty = false;
  constructor(readonly hostfs: HostFs, public hostPath: Buffer) {
    super(0, hostfs.sb);
  }
  fill(st: BigIntStats): void { fillFrom(this, st); }
  override open(): number { return -EOPNOTSUPP; }
  override setattr(a: IAttr): number { return setHostAttr(this, a); }
}

/**
 * A host directory. In 'ro' and 'rw' mode each operation is the host's;
 * in 'cow' mode the directory also has an upper map and whiteouts
 * (hostfs_cow.ts), and nothing reaches the host.
 */
export class HostDir extends Inode implements HostInodeLike, MemDir {
  dirty = false;
  /** cow mode: names added or replaced by the guest, and names it removed. */
  readonly upper = new Map<string, Inode>();
  readonly whiteouts = new Set<string>();

  constructor(readonly hostfs: HostFs, public hostPath: Buffer) {
    super(S_IFDIR, hostfs.sb);
  }

  fill(st: BigIntStats): void { fillFrom(this, st); }
  override refresh(): void {
    const st = host(() => lstatSync(this.hostPath, { bigint: true }));
    if (typeof st !== 'number') this.fill(st);
  }
  override size(): number { return 4096; }

  /** The host's own entry `name`, lstat()ed, or null. */
  hostLookup(name: string): Inode | null | number {
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) return null;
    const p = child(this.hostPath, name);
    try {
      return this.hostfs.inodeFor(p, lstatSync(p, { bigint: true }));
    } catch (e) {
      const err = hostErrno(e);
      return err === -2 /* ENOENT */ || err === -20 /* ENOTDIR */ ? null : err;
    }
  }

  /** The host's own names in the host's getdents order (opendir does not sort, unlike readdirSync). */
  hostNames(): string[] | number {
    return host(() => {
      const dir = opendirSync(this.hostPath, { encoding: 'buffer' as BufferEncoding });
      const out: string[] = [];
      try {
        for (let e = dir.readSync(); e; e = dir.readSync()) out.push((e.name as unknown as Buffer).toString('latin1'));
      } finally {
        dir.closeSync();
      }
      return out;
    });
  }

  override lookup(name: string): Inode | null | number {
    if (this.hostfs.mode === 'cow') return cowDir.lookup(this, name);
    return this.hostLookup(name);
  }

  override entries(): Array<[string, Inode]> | number {
    if (this.hostfs.mode === 'cow') return cowDir.entries(this);
    const names = this.hostNames();
    if (typeof names === 'number') return names;
    const out: Array<[string, Inode]> = [];
    for (const n of names) {
      const i = this.hostLookup(n);
      if (i && typeof i !== 'number') out.push([n, i]);
    }
    return out;
  }

  /** rw mode: make `name` on the host with `make`, then look it up. */
  private make(name: string, make: (p: Buffer) => void): Inode | number {
    if (this.hostfs.mode === 'ro') return -EROFS;
    const r = host(() => make(child(this.hostPath, name)));
    if (typeof r === 'number') return r;
    const i = this.hostLookup(name);
    return i ?? -EIO;
  }

  override create(name: string, mode: number, cred: Cred): Inode | number {
    if (this.hostfs.mode === 'cow') return cowDir.create(this, name, mode, cred);
    return this.make(name, (p) => { closeSync(openSync(p, 'wx', mode & 0o7777)); chmodSync(p, mode & 0o7777); });
  }
  override mkdir(name: string, mode: number, cred: Cred): Inode | number {
    if (this.hostfs.mode === 'cow') return cowDir.mkdir(this, name, mode, cred);
    return this.make(name, (p) => { mkdirSync(p, { mode: mode & 0o7777 }); chmodSync(p, mode & 0o7777); });
  }
  override symlink(name: string, target: Uint8Array, cred: Cred): Inode | number {
    if (this.hostfs.mode === 'cow') return cowDir.symlink(this, name, target, cred);
    return this.make(name, (p) => symlinkSync(Buffer.from(target), p));
  }
  override mknod(name: string, mode: number, rdev: number, cred: Cred): Inode | number {
    if (this.hostfs.mode === 'cow') return cowDir.mknod(this, name, mode, rdev, cred);
    if ((mode & S_IFMT) !== S_IFREG && (mode & S_IFMT) !== 0) return -EPERM; // no host FIFOs or devices
    return this.create(name, S_IFREG | (mode & 0o7777), cred);
  }
  override link(name: string, target: Inode): number {
    if (this.hostfs.mode === 'cow') return cowDir.link(this, name, target);
    if (!(target instanceof HostFile || target instanceof HostSymlink || target instanceof HostSpecial)) return -EPERM;
    const r = this.make(name, (p) => linkSync(target.hostPath, p));
    return typeof r === 'number' ? r : 0;
  }
  override unlink(name: string): number {
    if (this.hostfs.mode === 'cow') return cowDir.unlink(this, name);
    if (this.hostfs.mode === 'ro') return -EROFS;
    const r = host(() => unlinkSync(child(this.hostPath, name)));
    return typeof r === 'number' ? r : 0;
  }
  override rmdir(name: string): number {
    if (this.hostfs.mode === 'cow') return cowDir.rmdir(this, name);
    if (this.hostfs.mode === 'ro') return -EROFS;
    const r = host(() => rmdirSync(child(this.hostPath, name)));
    return typeof r === 'number' ? r : 0;
  }

  /** rw mode: the host's rename; RENAME_NOREPLACE checks first, RENAME_EXCHANGE swaps through a temporary name. */
  override rename(oldName: string, newDir: Inode, newName: string, flags: number): number {
    if (this.hostfs.mode === 'cow') return cowDir.rename(this, oldName, newDir, newName, flags);
    if (this.hostfs.mode === 'ro') return -EROFS;
    if (!(newDir instanceof HostDir)) return -EINVAL;
    const from = child(this.hostPath, oldName);
    const to = child(newDir.hostPath, newName);
    if ((flags & RENAME_NOREPLACE) && newDir.hostLookup(newName)) return -EEXIST;
    const r = host(() => {
      if (flags & RENAME_EXCHANGE) {
        const tmp = child(this.hostPath, `.kemu-exchange-${process.pid}`);
        renameSync(from, tmp);
        renameSync(to, from);
        renameSync(tmp, to);
        this.hostfs.rehome(to, tmp);
        this.hostfs.rehome(from, to);
        this.hostfs.rehome(tmp, from);
      } else {
        renameSync(from, to);
        this.hostfs.rehome(from, to);
      }
      return 0;
    });
    return r;
  }

  override setattr(a: IAttr): number { return setHostAttr(this, a); }

  /** MemDir (cow mode only): the upper map's raw insertion and removal. */
  attach(name: string, c: Inode): number { return cowDir.attach(this, name, c); }
  detach(name: string): Inode | number { return cowDir.detach(this, name); }
}

/** A host directory to mount: its superblock and root inode (for init_fs's MountSource). */
export function hostfs_source(hostDir: string, mode: HostMode): { sb: SuperBlock; root: Inode; devname: string; fs: HostFs } {
  const h = new HostFs(hostDir, mode);
  h.sb.options = mode === 'cow' ? 'cow' : '';
  return { sb: h.sb, root: h.root, devname: realpathSync(hostDir), fs: h };
}

