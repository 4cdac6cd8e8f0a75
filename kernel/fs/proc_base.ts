/**
 * The kinds of procfs inode (Linux fs/proc/generic.c proc_dir_entry,
 * fs/proc/base.c proc_pid_get_link, seq_file): fixed directories, files
 * made when read, ordinary links, and magic links that jump to what they
 * name.
 */

import { ENOENT } from '../../abi/errno.js';
import { S_IFDIR, S_IFLNK, S_IFREG } from '../../abi/fcntl.js';
import type { Dentry } from './dcache.js';
import { Inode, type LinkTarget, type SuperBlock } from './inode.js';
import { latin1Bytes } from './namei.js';

/** An ordinary symlink whose target is computed when read. */
export class ProcLink extends Inode {
  constructor(sb: SuperBlock, private readonly target: () => string | null) {
    super(S_IFLNK | 0o777, sb);
  }
  override readlink(): Uint8Array | number {
    const t = this.target();
    return t === null ? -ENOENT : latin1Bytes(t);
  }
  override blocks(): number { return 0; }
}

/**
 * A magic link (Linux proc_get_link / nd_jump_link): following it jumps
 * straight to the dentry it names, even an unlinked one; readlink shows
 * that dentry's path.
 */
export class ProcMagicLink extends Inode {
  constructor(sb: SuperBlock, mode: number, private readonly place: () => Dentry | null) {
    super(S_IFLNK | mode, sb);
  }
  override get_link(): LinkTarget {
    const d = this.place();
    return d ? { jump: d } : -ENOENT;
  }
  override readlink(): Uint8Array | number {
    const d = this.place();
    return d ? latin1Bytes(d.path()) : -ENOENT;
  }
  override size(): number { return 64; }
  override blocks(): number { return 0; }
}

/** A read-only file whose bytes are made when read (Linux seq_file). */
export class ProcFile extends Inode {
  constructor(sb: SuperBlock, private readonly gen: () => Uint8Array, mode = 0o444) {
    super(S_IFREG | mode, sb);
  }
  override readAt(dst: Uint8Array, pos: number): number {
    const bytes = this.gen();
    if (pos >= bytes.length) return 0;
    const n = Math.min(dst.length, bytes.length - pos);
    dst.set(bytes.subarray(pos, pos + n));
    return n;
  }
  override blocks(): number { return 0; }
}

/** A text file made when read. */
export function procText(sb: SuperBlock, gen: () => string, mode = 0o444): ProcFile {
  return new ProcFile(sb, () => latin1Bytes(gen()), mode);
}

/** A directory of fixed entries (Linux struct proc_dir_entry with its subdir tree). */
export class ProcDir extends Inode {
  readonly subdir = new Map<string, Inode>();
  constructor(sb: SuperBlock, mode = 0o555) {
    super(S_IFDIR | mode, sb);
    this.i_nlink = 2;
  }
  override lookup(name: string): Inode | null { return this.subdir.get(name) ?? null; }
  override entries(): Array<[string, Inode]> { return [...this.subdir]; }
  override blocks(): number { return 0; }
}

/** Linux proc_mkdir(): a fixed subdirectory. */
export function proc_mkdir(parent: ProcDir, name: string, mode = 0o555): ProcDir {
  const d = new ProcDir(parent.i_sb, mode);
  parent.subdir.set(name, d);
  parent.i_nlink++;
  return d;
}

/** Linux proc_create(): a fixed entry. */
export function proc_create(parent: ProcDir, name: string, inode: Inode): Inode {
  parent.subdir.set(name, inode);
  return inode;
}

