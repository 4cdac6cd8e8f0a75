/**
 * procfs, the part programs read while they start: Linux fs/proc/base.c
 * /proc/self (a link to the caller's pid), /proc/<pid>/exe (the running
 * image), cmdline, auxv and maps. Files are generated when read, from the
 * task that reads them, as Linux's are. The mount is noexec (SB_I_NOEXEC).
 */

import { ENOENT } from '../../abi/errno.js';
import { S_IFDIR, S_IFLNK, S_IFREG } from '../../abi/fcntl.js';
import type { Task } from '../task.js';
import { Inode, type SuperBlock } from './inode.js';
import { latin1Bytes } from './namei.js';
import { newSuperBlock } from './tmpfs.js';
import { copy_from_user } from '../mm/uaccess.js';

/** How procfs finds tasks: the kernel's table and the task making the call. */
export interface ProcContext {
  current(): Task | null;
  task(pid: number): Task | null;
  pids(): number[];
}

class ProcLink extends Inode {
  constructor(sb: SuperBlock, private readonly target: () => string | null) {
    super(S_IFLNK | 0o777, sb);
  }
  override readlink(): Uint8Array | number {
    const t = this.target();
    return t === null ? -ENOENT : latin1Bytes(t);
  }
  override size(): number { return 0; }
}

/** A read-only file whose bytes are made when read. */
class ProcFile extends Inode {
  constructor(sb: SuperBlock, private readonly gen: () => Uint8Array) {
    super(S_IFREG | 0o444, sb);
  }
  override readAt(dst: Uint8Array, pos: number): number {
    const bytes = this.gen();
    if (pos >= bytes.length) return 0;
    const n = Math.min(dst.length, bytes.length - pos);
    dst.set(bytes.subarray(pos, pos + n));
    return n;
  }
  override size(): number { return 0; }
}

class ProcPidDir extends Inode {
  constructor(sb: SuperBlock, private readonly t: Task) {
    super(S_IFDIR | 0o555, sb);
  }
  private children(): Map<string, Inode> {
    const t = this.t;
    const sb = this.i_sb;
    return new Map<string, Inode>([
      ['exe', new ProcLink(sb, () => (t.exe_file ? t.exe_path : null))],
      ['cwd', new ProcLink(sb, () => t.fs.pwd.path())],
      ['cmdline', new ProcFile(sb, () => userRange(t, t.mm?.arg_start ?? 0, t.mm?.arg_end ?? 0))],
      ['environ', new ProcFile(sb, () => userRange(t, t.mm?.env_start ?? 0, t.mm?.env_end ?? 0))],
      ['auxv', new ProcFile(sb, () => auxvBytes(t))],
      ['maps', new ProcFile(sb, () => latin1Bytes(mapsText(t)))],
      ['comm', new ProcFile(sb, () => latin1Bytes(t.comm + '\n'))],
    ]);
  }
  override lookup(name: string): Inode | null { return this.children().get(name) ?? null; }
  override entries(): Array<[string, Inode]> { return [...this.children()]; }
}

function userRange(t: Task, start: number, end: number): Uint8Array {
  if (!t.mm || end <= start) return new Uint8Array(0);
  return copy_from_user(t.mm, start, end - start) ?? new Uint8Array(0);
}

function auxvBytes(t: Task): Uint8Array {
  const v = t.mm?.saved_auxv ?? [];
  const out = new Uint8Array(v.length * 8);
  const dv = new DataView(out.buffer);
  v.forEach((w, i) => dv.setBigUint64(i * 8, BigInt(w), true));
  return out;
}

/** Linux fs/proc/task_mmu.c show_map_vma: "start-end perms offset dev inode name". */
function mapsText(t: Task): string {
  const hex = (n: number, w: number): string => n.toString(16).padStart(w, '0');
  return (t.mm?.areas() ?? []).map((v) => {
    const perms = (v.prot & 1 ? 'r' : '-') + (v.prot & 2 ? 'w' : '-') + (v.prot & 4 ? 'x' : '-') + (v.vm_flags & 8 ? 's' : 'p');
    const ino = v.vm_file ? v.vm_file.f_inode.i_ino : 0;
    const dev = v.vm_file ? `00:${hex(v.vm_file.f_inode.i_sb.dev, 2)}` : '00:00';
    const head = `${hex(v.vm_start, 8)}-${hex(v.vm_end, 8)} ${perms} ${hex(v.vm_pgoff * 4096, 8)} ${dev} ${ino}`;
    const name = v.vm_file ? v.vm_file.f_path : v.name;
    return name ? `${head.padEnd(72)} ${name}\n` : `${head} \n`;
  }).join('');
}

export class ProcRoot extends Inode {
  constructor(private readonly ctx: ProcContext, sb = newSuperBlock('proc', { noexec: true })) {
    super(S_IFDIR | 0o555, sb);
  }
  override lookup(name: string): Inode | null {
    if (name === 'self') return new ProcLink(this.i_sb, () => String(this.ctx.current()?.tgid ?? ''));
    if (!/^[1-9][0-9]*$/.test(name)) return null;
    const t = this.ctx.task(Number(name));
    return t && t.state !== 'dead' ? new ProcPidDir(this.i_sb, t) : null;
  }
  override entries(): Array<[string, Inode]> {
    const out: Array<[string, Inode]> = [['self', this.lookup('self')!]];
    for (const pid of this.ctx.pids()) out.push([String(pid), this.lookup(String(pid))!]);
    return out;
  }
}
