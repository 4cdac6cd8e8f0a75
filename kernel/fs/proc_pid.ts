/**
 * /proc/<pid>: Linux fs/proc/base.c (exe, cwd, root, cmdline, environ,
 * auxv, comm, mounts), fs/proc/fd.c (fd/ and fdinfo/), fs/proc/array.c
 * (status, stat, statm) and fs/proc/task_mmu.c (maps). Everything is read
 * from the task when read.
 */

import { O_CLOEXEC, S_IFLNK } from '../../abi/fcntl.js';
import { copy_from_user } from '../mm/uaccess.js';
import type { Task } from '../task.js';
import { VM_GROWSDOWN, type VmArea } from '../mm/vma.js';
import { d_path, Dentry } from './dcache.js';
import { FMODE_READ, FMODE_WRITE, type File } from './file.js';
import type { Inode, SuperBlock } from './inode.js';
import { mountFlagsText, mountsUnder, real_mount } from './mount.js';
import { ProcDir, ProcFile, ProcMagicLink, procText } from './proc_base.js';

/** /proc/<pid>: a directory whose entries are made once and read the task live. */
export class ProcPidDir extends ProcDir {
  constructor(sb: SuperBlock, t: Task) {
    super(sb, 0o555);
    this.i_uid = t.cred.euid;
    this.i_gid = t.cred.egid;
    const add = (name: string, inode: Inode): void => {
      inode.i_uid = t.cred.euid;
      inode.i_gid = t.cred.egid;
      this.subdir.set(name, inode);
    };
    add('exe', new ProcMagicLink(sb, 0o777, () => t.exe_file?.f_dentry ?? null));
    add('cwd', new ProcMagicLink(sb, 0o777, () => t.fs.pwd));
    add('root', new ProcMagicLink(sb, 0o777, () => t.fs.root));
    add('cmdline', new ProcFile(sb, () => userRange(t, t.mm?.arg_start ?? 0, t.mm?.arg_end ?? 0)));
    add('environ', new ProcFile(sb, () => userRange(t, t.mm?.env_start ?? 0, t.mm?.env_end ?? 0), 0o400));
    add('auxv', new ProcFile(sb, () => auxvBytes(t), 0o400));
    add('maps', procText(sb, () => mapsText(t)));
    add('comm', new ProcComm(sb, t));
    add('status', procText(sb, () => statusText(t)));
    add('stat', procText(sb, () => statText(t)));
    add('statm', procText(sb, () => statmText(t)));
    add('mounts', procText(sb, () => mountsText(t)));
    add('mountinfo', procText(sb, () => mountinfoText(t)));
    add('fd', new ProcFdDir(sb, t, 'fd'));
    add('fdinfo', new ProcFdDir(sb, t, 'fdinfo'));
    if (t.pid === t.tgid) add('task', new ProcTaskDir(sb, t));
  }
}

/** /proc/<pid>/task: one directory per thread of the group (Linux proc_task_lookup), each like /proc/<tid>. */
class ProcTaskDir extends ProcDir {
  private readonly made = new WeakMap<Task, ProcPidDir>();
  constructor(sb: SuperBlock, private readonly t: Task) {
    super(sb, 0o555);
  }
  private threads(): Task[] {
    const live = [...this.t.signal.threads].filter((x) => x.state !== 'dead');
    return live.length ? live : [this.t];
  }
  override lookup(name: string): Inode | null {
    const th = this.threads().find((x) => String(x.pid) === name);
    if (!th) return null;
    let d = this.made.get(th);
    if (!d) { d = new ProcPidDir(this.i_sb, th); this.made.set(th, d); }
    return d;
  }
  override entries(): Array<[string, Inode]> {
    return this.threads().map((x) => [String(x.pid), this.lookup(String(x.pid))!]);
  }
}

/** /proc/<pid>/comm: reads the name; a write renames the task (as prctl(PR_SET_NAME) does). */
class ProcComm extends ProcFile {
  constructor(sb: SuperBlock, private readonly t: Task) {
    super(sb, () => Buffer.from(t.comm + '\n', 'latin1'), 0o644);
  }
  override writeAt(src: Uint8Array): number {
    this.t.comm = Buffer.from(src).toString('latin1').replace(/\n$/, '').slice(0, 15);
    return src.length;
  }
}

/**
 * /proc/<pid>/fd (magic links to each open file) and fdinfo (its
 * position and flags). One inode per (fd, open file), so a name keeps its
 * inode while the descriptor does.
 */
class ProcFdDir extends ProcDir {
  private readonly made = new Map<number, { file: File; inode: Inode }>();

  constructor(sb: SuperBlock, private readonly t: Task, private readonly kind: 'fd' | 'fdinfo') {
    super(sb, 0o500);
    this.i_uid = t.cred.euid;
    this.i_gid = t.cred.egid;
  }

  override lookup(name: string): Inode | null {
    if (!/^(0|[1-9][0-9]*)$/.test(name)) return null;
    const fd = Number(name);
    const file = this.t.files.get(fd);
    if (!file) return null;
    const had = this.made.get(fd);
    if (had && had.file === file) return had.inode;
    const inode = this.kind === 'fd' ? fdLink(this.i_sb, file) : procText(this.i_sb, () => fdinfoText(this.t, fd, file), 0o444);
    inode.i_uid = this.i_uid;
    inode.i_gid = this.i_gid;
    this.made.set(fd, { file, inode });
    return inode;
  }

  override entries(): Array<[string, Inode]> {
    return this.t.files.openFds().map((fd) => [String(fd), this.lookup(String(fd))!]);
  }
}

/** Linux proc_fd_instantiate(): mode r-x for a reader, -wx for a writer, following the file itself. */
function fdLink(sb: SuperBlock, file: File): Inode {
  let mode = 0;
  if (file.f_mode & FMODE_READ) mode |= 0o500;
  if (file.f_mode & FMODE_WRITE) mode |= 0o300;
  const link = new ProcMagicLink(sb, mode, () => fileDentry(file));
  link.i_mode = S_IFLNK | mode;
  return link;
}

const anonDentries = new WeakMap<File, Dentry>();

/** Where an open file is: its dentry, or for a file with none (host streams, pipes) one named by its path. */
export function fileDentry(file: File): Dentry {
  if (file.f_dentry) return file.f_dentry;
  let d = anonDentries.get(file);
  if (!d) {
    d = new Dentry(file.f_path, null, file.f_inode);
    d.d_dname = file.f_path;
    anonDentries.set(file, d);
  }
  return d;
}

/** Linux seq_show() in fs/proc/fd.c. */
function fdinfoText(t: Task, fd: number, f: File): string {
  const flags = f.f_flags | (t.files.getCloexec(fd) ? O_CLOEXEC : 0);
  const mnt = f.f_dentry ? real_mount(f.f_dentry)?.mnt_id ?? 0 : 0;
  return `pos:\t${f.f_pos}\nflags:\t0${(flags >>> 0).toString(8)}\nmnt_id:\t${mnt}\nino:\t${f.f_inode.i_ino}\n`;
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

const hex = (n: number, w: number): string => n.toString(16).padStart(w, '0');

/**
 * Linux show_map_vma(): "start-end perms offset major:minor inode", padded
 * to column 73 before a name (seq_setwidth 72, then seq_pad's space).
 */
function mapsText(t: Task): string {
  return mergedAreas(t.mm?.areas() ?? []).map((v) => {
    const perms = (v.prot & 1 ? 'r' : '-') + (v.prot & 2 ? 'w' : '-') + (v.prot & 4 ? 'x' : '-') + (v.vm_flags & 8 ? 's' : 'p');
    const inode = v.vm_file?.f_inode;
    const dev = inode ? `${hex((inode.i_sb.dev >>> 8) & 0xfff, 2)}:${hex(inode.i_sb.dev & 0xff, 2)}` : '00:00';
    const head = `${hex(v.vm_start, 8)}-${hex(v.vm_end, 8)} ${perms} ${hex(v.vm_pgoff * 4096, 8)} ${dev} ${inode?.i_ino ?? 0} `;
    const name = v.vm_file ? v.vm_file.f_path : v.name;
    return name ? `${head.padEnd(72)} ${name}\n` : `${head}\n`;
  }).join('');
}

/**
 * The areas as Linux would have them: a stack that grew on faults is one
 * VMA there (expand_downwards moves vm_start) but several areas in kemu
 * (MmStruct.expand_stack adds one below), shown here as one.
 */
function mergedAreas(areas: readonly VmArea[]): VmArea[] {
  const out: VmArea[] = [];
  for (const v of areas) {
    const last = out[out.length - 1];
    if (last && (v.vm_flags & VM_GROWSDOWN) && last.vm_end === v.vm_start && last.vm_flags === v.vm_flags &&
        last.prot === v.prot && last.name === v.name && !last.vm_file && !v.vm_file) {
      out[out.length - 1] = { ...last, vm_end: v.vm_end };
      continue;
    }
    out.push(v);
  }
  return out;
}

/** Signal sets as /proc shows them: 16 hex digits, bit (sig - 1). */
const sigset = (s: bigint): string => s.toString(16).padStart(16, '0');

/** A pending set as a mask, whether kept as a bare mask or as Linux's struct sigpending { signal, list }. */
const pendingMask = (p: unknown): bigint => (typeof p === 'bigint' ? p : ((p as { signal?: bigint } | undefined)?.signal ?? 0n));

/** The process-wide pending set (Linux signal->shared_pending). */
const sharedPending = (t: Task): bigint => pendingMask(t.signal.shared_pending);

function handlerSets(t: Task): { ign: bigint; cgt: bigint } {
  let ign = 0n;
  let cgt = 0n;
  t.sighand.action.forEach((a, sig) => {
    if (sig < 1 || sig > 64) return;
    if (a.handler === 1n) ign |= 1n << BigInt(sig - 1);
    else if (a.handler !== 0n) cgt |= 1n << BigInt(sig - 1);
  });
  return { ign, cgt };
}

/**
 * Linux fs/proc/array.c task_state_array, as get_task_state() picks one:
 * a killable sleep (TASK_KILLABLE = TASK_WAKEKILL | TASK_UNINTERRUPTIBLE,
 * a vfork parent's) is D; a group stop is T. "t (tracing stop)" needs
 * ptrace, which kemu has not; a reaped task ("X (dead)") has no /proc entry.
 */
export function task_state(t: Task): string {
  switch (t.state) {
    case 'sleeping': return t.killable_only ? 'D (disk sleep)' : 'S (sleeping)';
    case 'stopped': return 'T (stopped)';
    case 'zombie': return 'Z (zombie)';
    case 'dead': return 'X (dead)';
    default: return 'R (running)';
  }
}

const kB = (bytes: number): string => `${String(Math.ceil(bytes / 1024)).padStart(8)} kB`;

/** Linux fs/proc/array.c proc_pid_status(), with the fields programs read. */
function statusText(t: Task): string {
  const c = t.cred;
  const vm = (t.mm?.areas() ?? []).reduce((n, v) => n + (v.vm_end - v.vm_start), 0);
  const stk = (t.mm?.areas() ?? []).filter((v) => v.name === '[stack]').reduce((n, v) => n + (v.vm_end - v.vm_start), 0);
  const state = task_state(t);
  const { ign, cgt } = handlerSets(t);
  const ppid = t.parent?.tgid ?? 0;
  const lines = [
    `Name:\t${t.comm}`, `Umask:\t${t.fs.umask.toString(8).padStart(4, '0')}`, `State:\t${state}`,
    `Tgid:\t${t.tgid}`, 'Ngid:\t0', `Pid:\t${t.pid}`, `PPid:\t${ppid}`, 'TracerPid:\t0',
    `Uid:\t${c.uid}\t${c.euid}\t${c.euid}\t${c.fsuid}`, `Gid:\t${c.gid}\t${c.egid}\t${c.egid}\t${c.fsgid}`,
    `FDSize:\t${Math.max(64, 2 ** Math.ceil(Math.log2(Math.max(1, ...t.files.openFds().map((f) => f + 1)))))}`,
    `Groups:\t${(c.groups ?? []).join(' ')} `, `NStgid:\t${t.tgid}`, `NSpid:\t${t.pid}`,
    `NSpgid:\t${t.signal.pgrp}`, `NSsid:\t${t.signal.session}`, 'Kthread:\t0',
    `VmPeak:\t${kB(vm)}`, `VmSize:\t${kB(vm)}`, `VmLck:\t${kB(0)}`, `VmPin:\t${kB(0)}`, `VmHWM:\t${kB(vm)}`,
    `VmRSS:\t${kB(vm)}`, `RssAnon:\t${kB(vm)}`, `RssFile:\t${kB(0)}`, `RssShmem:\t${kB(0)}`,
    `VmData:\t${kB(vm - stk)}`, `VmStk:\t${kB(stk)}`, `VmExe:\t${kB((t.mm?.end_code ?? 0) - (t.mm?.start_code ?? 0))}`,
    `VmLib:\t${kB(0)}`, `VmPTE:\t${kB(0)}`, `VmSwap:\t${kB(0)}`, `HugetlbPages:\t${kB(0)}`,
    'CoreDumping:\t0', 'THP_enabled:\t1', 'untag_mask:\t0xffffffffffffffff', `Threads:\t${Math.max(1, t.signal.threads.size)}`, 'SigQ:\t0/63474',
    `SigPnd:\t${sigset(pendingMask(t.pending))}`, `ShdPnd:\t${sigset(sharedPending(t))}`, `SigBlk:\t${sigset(t.blocked)}`,
    `SigIgn:\t${sigset(ign)}`, `SigCgt:\t${sigset(cgt)}`,
    'CapInh:\t0000000000000000',
    ...['CapPrm', 'CapEff'].map((k) => `${k}:\t${c.euid === 0 ? '000001ffffffffff' : '0000000000000000'}`),
    'CapBnd:\t000001ffffffffff', 'CapAmb:\t0000000000000000', 'NoNewPrivs:\t0', 'Seccomp:\t0',
    'Seccomp_filters:\t0', 'Speculation_Store_Bypass:\tnot vulnerable', 'SpeculationIndirectBranch:\tconditional enabled',
    'Cpus_allowed:\t1', 'Cpus_allowed_list:\t0', 'Mems_allowed:\t1', 'Mems_allowed_list:\t0',
    'voluntary_ctxt_switches:\t0', 'nonvoluntary_ctxt_switches:\t0',
  ];
  return lines.join('\n') + '\n';
}

/** Linux do_task_stat(): the 52 fields of /proc/<pid>/stat. */
function statText(t: Task): string {
  const mm = t.mm;
  const vsize = (mm?.areas() ?? []).reduce((n, v) => n + (v.vm_end - v.vm_start), 0);
  const state = task_state(t)[0];
  const { ign, cgt } = handlerSets(t);
  const f = [
    t.pid, `(${t.comm})`, state, t.parent?.tgid ?? 0, t.signal.pgrp, t.signal.session, 0, -1, 0x400000,
    0, 0, 0, 0, 0, 0, 0, 0, 20, 0, Math.max(1, t.signal.threads.size), 0, 0, vsize, Math.ceil(vsize / 4096), '18446744073709551615',
    mm?.start_code ?? 0, mm?.end_code ?? 0, mm?.start_stack ?? 0, 0, 0,
    Number((pendingMask(t.pending) | sharedPending(t)) & 0x7fffffffn), Number(t.blocked & 0x7fffffffn), Number(ign & 0x7fffffffn), Number(cgt & 0x7fffffffn),
    0, 0, 0, 17, 0, 0, 0, 0, 0, 0,
    mm?.start_data ?? 0, mm?.end_data ?? 0, mm?.start_brk ?? 0, mm?.arg_start ?? 0, mm?.arg_end ?? 0,
    mm?.env_start ?? 0, mm?.env_end ?? 0, 0,
  ];
  return f.join(' ') + '\n';
}

function statmText(t: Task): string {
  const pages = Math.ceil((t.mm?.areas() ?? []).reduce((n, v) => n + (v.vm_end - v.vm_start), 0) / 4096);
  return `${pages} ${pages} 0 ${Math.ceil(((t.mm?.end_code ?? 0) - (t.mm?.start_code ?? 0)) / 4096)} 0 ${pages} 0\n`;
}

/** Linux mangle(): space, tab, newline and backslash are written as octal escapes. */
const mangle = (s: string): string => s.replace(/[ \t\n\\]/g, (c) => '\\' + c.charCodeAt(0).toString(8).padStart(3, '0'));

/** Linux show_vfsmnt(): "source mountpoint fstype options 0 0", as the task's root sees them. */
function mountsText(t: Task): string {
  const root = real_mount(t.fs.root);
  if (!root) return '';
  return mountsUnder(root).map((m) => {
    const where = m.mnt_mountpoint ? d_path(m.mnt_root, t.fs.root) : '/';
    const opts = mountFlagsText(m.mnt_sb) + (m.mnt_sb.options ? ',' + m.mnt_sb.options : '');
    return `${mangle(m.mnt_devname)} ${mangle(where)} ${m.mnt_sb.name} ${opts} 0 0\n`;
  }).join('');
}

/** Linux show_mountinfo(): "id parent major:minor root mountpoint options - fstype source superoptions". */
function mountinfoText(t: Task): string {
  const root = real_mount(t.fs.root);
  if (!root) return '';
  return mountsUnder(root).map((m) => {
    const where = m.mnt_mountpoint ? d_path(m.mnt_root, t.fs.root) : '/';
    const dev = m.mnt_sb.dev;
    const flags = mountFlagsText(m.mnt_sb);
    const sopts = (m.mnt_sb.rdonly ? 'ro' : 'rw') + (m.mnt_sb.options ? ',' + m.mnt_sb.options : '');
    return `${m.mnt_id} ${m.mnt_parent.mnt_id} ${(dev >>> 8) & 0xfff}:${dev & 0xff} / ${mangle(where)} ${flags} - ${m.mnt_sb.name} ${mangle(m.mnt_devname)} ${sopts}\n`;
  }).join('');
}
