/**
 * The binfmt_misc filesystem, conventionally at /proc/sys/fs/binfmt_misc:
 * Linux 4.18 fs/binfmt_misc.c bm_register_write, bm_status_read/write,
 * bm_entry_read/write (reference 3.1, 3.3). `register` (0200) takes
 * registration strings; `status` (0644) reads enabled/disabled and takes
 * 1, 0 or -1; each entry is a file (0644) that describes itself and takes
 * the same three commands.
 */

import { EINVAL } from '../abi/errno.js';
import { S_IFDIR, S_IFREG } from '../abi/fcntl.js';
import { Inode, type SuperBlock } from '../kernel/fs/inode.js';
import { latin1, latin1Bytes } from '../kernel/fs/namei.js';
import { d_lookup } from '../kernel/fs/dcache.js';
import { newSuperBlock } from '../kernel/fs/inode.js';
import { do_mount, follow_mount } from '../kernel/fs/mount.js';
import type { Kernel } from '../kernel/kernel.js';
import { binfmt_misc, binfmt_misc_register, type BinfmtMisc, type MiscEntry } from './binfmt_misc.js';

/** Linux parse_command(): 1 enables, 0 disables, -1 removes; one trailing newline allowed. */
function parse_command(src: Uint8Array): number {
  if (src.length > 3) return -EINVAL;
  let s = latin1(src);
  if (s.endsWith('\n')) s = s.slice(0, -1);
  if (s === '0') return 2;
  if (s === '1') return 1;
  if (s === '-1') return 3;
  return -EINVAL;
}

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');

/** Linux entry_status(). */
export function entry_status(e: MiscEntry): string {
  let out = `${e.enabled ? 'enabled' : 'disabled'}\ninterpreter ${e.interpreter}\nflags: `;
  if (e.flags.P) out += 'P';
  if (e.flags.O) out += 'O';
  if (e.flags.C) out += 'C';
  if (e.flags.F) out += 'F';
  out += '\n';
  if (e.type === 'E') return out + `extension .${latin1(e.magic)}\n`;
  out += `offset ${e.offset}\nmagic ${hex(e.magic)}\n`;
  if (e.mask) out += `mask ${hex(e.mask)}\n`;
  return out;
}

abstract class TextFile extends Inode {
  constructor(mode: number, sb: SuperBlock) {
    super(S_IFREG | mode, sb);
  }
  abstract text(): string;
  override readAt(dst: Uint8Array, pos: number): number {
    const b = latin1Bytes(this.text());
    if (pos >= b.length) return 0;
    const n = Math.min(dst.length, b.length - pos);
    dst.set(b.subarray(pos, pos + n));
    return n;
  }
}

class RegisterFile extends TextFile {
  constructor(sb: SuperBlock, private readonly k: Kernel) { super(0o200, sb); }
  text(): string { return ''; }
  override writeAt(src: Uint8Array): number {
    const r = binfmt_misc_register(this.k, src);
    return r < 0 ? r : src.length;
  }
}

class StatusFile extends TextFile {
  constructor(sb: SuperBlock, private readonly m: BinfmtMisc) { super(0o644, sb); }
  text(): string { return this.m.enabled ? 'enabled\n' : 'disabled\n'; }
  override writeAt(src: Uint8Array): number {
    if (src.length === 0) return 0;
    const c = parse_command(src);
    if (c < 0) return c;
    if (c === 1) this.m.enabled = true;
    else if (c === 2) this.m.enabled = false;
    else this.m.clear();
    return src.length;
  }
}

class EntryFile extends TextFile {
  constructor(sb: SuperBlock, private readonly m: BinfmtMisc, private readonly e: MiscEntry) { super(0o644, sb); }
  text(): string { return entry_status(this.e); }
  override writeAt(src: Uint8Array): number {
    if (src.length === 0) return 0;
    const c = parse_command(src);
    if (c < 0) return c;
    if (c === 1) this.e.enabled = true;
    else if (c === 2) this.e.enabled = false;
    else this.m.remove(this.e);
    return src.length;
  }
}

/** The root directory of a binfmt_misc mount. */
export class BinfmtMiscRoot extends Inode {
  private readonly m: BinfmtMisc;
  private readonly register: RegisterFile;
  private readonly status: StatusFile;

  constructor(private readonly k: Kernel, sb = newSuperBlock('binfmt_misc', { noexec: true })) {
    super(S_IFDIR | 0o755, sb);
    this.m = binfmt_misc(k);
    this.register = new RegisterFile(sb, k);
    this.status = new StatusFile(sb, this.m);
  }

  override lookup(name: string): Inode | null {
    if (name === 'register') return this.register;
    if (name === 'status') return this.status;
    const e = this.m.find(name);
    return e ? new EntryFile(this.i_sb, this.m, e) : null;
  }

  override entries(): Array<[string, Inode]> {
    return [['register', this.register], ['status', this.status],
      ...this.m.entries.map((e): [string, Inode] => [e.name, new EntryFile(this.i_sb, this.m, e)])];
  }

  kernel(): Kernel { return this.k; }
}

/**
 * Mount binfmt_misc where systemd mounts it, /proc/sys/fs/binfmt_misc
 * (Linux: `mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc`).
 * Returns false when that directory does not exist.
 */
export function mount_binfmt_misc(k: Kernel): boolean {
  let d = follow_mount(k.root);
  for (const name of ['proc', 'sys', 'fs', 'binfmt_misc']) {
    const next = d_lookup(d, name);
    if (!next || typeof next === 'number') return false;
    d = follow_mount(next);
  }
  const root = new BinfmtMiscRoot(k);
  return typeof do_mount(d, root.i_sb, root, 'binfmt_misc') !== 'number';
}
