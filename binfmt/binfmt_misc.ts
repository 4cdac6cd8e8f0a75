/**
 * binfmt_misc: run any file format through a user-chosen interpreter.
 * Linux 4.18 fs/binfmt_misc.c: entries registered with
 * ":name:type:offset:magic:mask:interpreter:flags" (reference 3.2), matched
 * newest first by magic bytes (M) or by extension (E) (3.4), and invoked
 * with argv [interpreter, path, (argv[0] with P), argv[1..]].
 */

import { EEXIST, EINVAL, ENOENT, ENOEXEC } from '../abi/errno.js';
import type { File } from '../kernel/fs/file.js';
import { latin1, latin1Bytes } from '../kernel/fs/namei.js';
import type { Kernel } from '../kernel/kernel.js';
import {
  BINPRM_FLAGS_EXECFD, BINPRM_FLAGS_PATH_INACCESSIBLE, type LinuxBinfmt, type LinuxBinprm,
} from './binprm.js';
import { copy_strings_kernel, remove_arg_zero } from './exec_args.js';
import { bprm_change_interp, open_exec, prepare_binprm, release_exec_file, would_dump } from './exec_mm.js';
import { insert_binfmt, search_binary_handler } from './formats.js';
import { traceNote } from './trace_exec.js';

/** Linux fs/binfmt_misc.c MAX_REGISTER_LENGTH. */
export const MAX_REGISTER_LENGTH = 1920;

export interface MiscEntry {
  name: string;
  type: 'M' | 'E';
  enabled: boolean;
  offset: number;
  magic: Uint8Array;
  mask: Uint8Array | null;
  interpreter: string;
  flags: { P: boolean; O: boolean; C: boolean; F: boolean };
  /** F: the interpreter opened at registration. */
  interp_file: File | null;
}

/** One kernel's binfmt_misc state: the entries (newest first) and the global switch. */
export class BinfmtMisc {
  enabled = true;
  readonly entries: MiscEntry[] = [];
  constructor(readonly kernel: Kernel) {}

  find(name: string): MiscEntry | null {
    return this.entries.find((e) => e.name === name) ?? null;
  }

  remove(e: MiscEntry): void {
    const i = this.entries.indexOf(e);
    if (i >= 0) this.entries.splice(i, 1);
    if (e.interp_file) release_exec_file(e.interp_file);
    e.interp_file = null;
  }

  clear(): void {
    for (const e of [...this.entries]) this.remove(e);
  }
}

const miscOf = new WeakMap<Kernel, BinfmtMisc>();

/** This kernel's binfmt_misc; the first call registers the handler at the head of the list (insert_binfmt). */
export function binfmt_misc(k: Kernel): BinfmtMisc {
  let m = miscOf.get(k);
  if (!m) {
    m = new BinfmtMisc(k);
    miscOf.set(k, m);
    insert_binfmt(k, misc_format);
  }
  return m;
}

const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);

/** Linux scanarg(): the field up to `del`, checking every \xHH escape; null on a bad escape. */
function scanarg(s: string, at: number, del: string): { field: string; next: number } | null {
  let i = at;
  while (s[i] !== del) {
    if (i >= s.length) return null;
    if (s[i] === '\\' && s[i + 1] === 'x') {
      if (!isHex(s[i + 2]) || !isHex(s[i + 3])) return null;
      i += 4;
    } else {
      i++;
    }
  }
  return { field: s.slice(at, i), next: i + 1 };
}

/** Linux string_unescape_inplace(UNESCAPE_HEX): \xHH becomes a byte; the C string ends at a raw NUL. */
function unescapeHex(field: string): Uint8Array {
  const raw = field.includes('\0') ? field.slice(0, field.indexOf('\0')) : field;
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '\\' && raw[i + 1] === 'x' && isHex(raw[i + 2]) && isHex(raw[i + 3])) {
      out.push(parseInt(raw.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      out.push(raw.charCodeAt(i));
    }
  }
  return Uint8Array.from(out);
}

/** The text up to the next `del` (Linux strchr + NUL), or null. */
function field(s: string, at: number, del: string): { field: string; next: number } | null {
  const i = s.indexOf(del, at);
  return i < 0 ? null : { field: s.slice(at, i), next: i + 1 };
}

/**
 * Linux 4.18 create_entry(): parse a registration string. Returns the entry
 * or -EINVAL for anything malformed (the caller checks EEXIST). The first
 * character is the delimiter; eight more are appended, and the flags must
 * end exactly where the written text ends.
 */
export function create_entry(k: Kernel, text: Uint8Array): MiscEntry | number {
  const bufSize = k.profile.binprmBufSize;
  const count = text.length;
  if (count < 11 || count > MAX_REGISTER_LENGTH) return -EINVAL;
  const orig = latin1(text);
  const del = orig[0]!;
  const s = orig + del.repeat(8);
  const cName = field(s, 1, del);
  if (!cName) return -EINVAL;
  const name = cName.field.includes('\0') ? cName.field.slice(0, cName.field.indexOf('\0')) : cName.field;
  if (!name || name === '.' || name === '..' || name.includes('/')) return -EINVAL;
  let p = cName.next;
  const type = s[p];
  if ((type !== 'M' && type !== 'E') || s[p + 1] !== del) return -EINVAL;
  p += 2;
  let offset = 0;
  let magic: Uint8Array;
  let mask: Uint8Array | null = null;
  if (type === 'M') {
    const off = field(s, p, del);
    if (!off) return -EINVAL;
    if (off.field !== '') {
      if (!/^[0-9]+$/.test(off.field) || Number(off.field) > 0x7fffffff) return -EINVAL;
      offset = Number(off.field);
    }
    const mg = scanarg(s, off.next, del);
    if (!mg) return -EINVAL;
    magic = unescapeHex(mg.field);
    if (magic.length === 0) return -EINVAL;
    const mk = scanarg(s, mg.next, del);
    if (!mk) return -EINVAL;
    if (mk.field !== '') {
      mask = unescapeHex(mk.field);
      if (mask.length !== magic.length) return -EINVAL;
    }
    if (magic.length > bufSize || bufSize - magic.length < offset) return -EINVAL;
    p = mk.next;
  } else {
    const off = field(s, p, del);
    const mg = off && field(s, off.next, del);
    const mk = mg && field(s, mg.next, del);
    if (!mk) return -EINVAL;
    if (mg.field === '' || mg.field.includes('/')) return -EINVAL;
    magic = latin1Bytes(mg.field);
    p = mk.next;
  }
  const ip = field(s, p, del);
  if (!ip || ip.field === '') return -EINVAL;
  p = ip.next;
  const flags = { P: false, O: false, C: false, F: false };
  for (; 'POCF'.includes(s[p] ?? '#') && p < count; p++) flags[s[p] as 'P' | 'O' | 'C' | 'F'] = true;
  if (flags.C) flags.O = true; // C implies O
  if (s[p] === '\n') p++;
  if (p !== count) return -EINVAL;
  return { name, type, enabled: true, offset, magic, mask, interpreter: ip.field, flags, interp_file: null };
}

/**
 * Register `text` (what a write to /proc/sys/fs/binfmt_misc/register
 * carries): parse, refuse a duplicate name (EEXIST), open the interpreter
 * now for F, and add the entry at the head. Returns 0 or -errno.
 */
export function binfmt_misc_register(k: Kernel, text: Uint8Array): number {
  const m = binfmt_misc(k);
  const e = create_entry(k, text);
  if (typeof e === 'number') return e;
  if (m.find(e.name)) return -EEXIST;
  if (e.flags.F) {
    const task = k.current ?? [...k.tasks.values()][0];
    if (!task) return -ENOENT;
    const f = open_exec(task, e.interpreter);
    if (typeof f === 'number') return f;
    e.interp_file = f;
  }
  m.entries.unshift(e);
  return 0;
}

/** Linux check_file(): the newest enabled entry that matches, or null. */
function check_file(m: BinfmtMisc, bprm: LinuxBinprm): MiscEntry | null {
  for (const e of m.entries) {
    if (!e.enabled) continue;
    if (e.type === 'E') {
      const dot = bprm.interp.lastIndexOf('.');
      if (dot >= 0 && bprm.interp.slice(dot + 1) === latin1(e.magic)) return e;
      continue;
    }
    let ok = true;
    for (let j = 0; j < e.magic.length && ok; j++) {
      const b = bprm.buf[e.offset + j]!;
      ok = ((b ^ e.magic[j]!) & (e.mask ? e.mask[j]! : 0xff)) === 0;
    }
    if (ok) return e;
  }
  return null;
}

/** Linux 4.18 load_misc_binary(). */
function load_misc_binary(bprm: LinuxBinprm): number {
  const m = miscOf.get(bprm.kernel);
  if (!m || !m.enabled) return -ENOEXEC;
  const e = check_file(m, bprm);
  if (!e) return -ENOEXEC;
  if (bprm.interp_flags & BINPRM_FLAGS_PATH_INACCESSIBLE) return -ENOENT;
  traceNote(bprm.kernel, `binfmt_misc entry "${e.name}" -> ${e.interpreter}`);
  let r: number;
  if (!e.flags.P) {
    r = remove_arg_zero(bprm);
    if (r < 0) return r;
  }
  let fd = -1;
  const t = bprm.task;
  if (e.flags.O) {
    // The binary stays open for the interpreter, as an fd that survives the exec.
    fd = t.files.install(bprm.file!, false);
    if (fd < 0) return fd;
    would_dump(bprm, bprm.file!);
    bprm.file!.f_inode.i_writecount++; // allow_write_access
    bprm.file = null;
    bprm.interp_flags |= BINPRM_FLAGS_EXECFD;
    bprm.interp_data = fd;
  } else {
    release_exec_file(bprm.file!);
    bprm.file = null;
  }
  const fail = (err: number): number => {
    if (fd >= 0) t.files.close(fd);
    bprm.interp_flags = 0;
    bprm.interp_data = 0;
    return err;
  };
  r = copy_strings_kernel(1, [latin1Bytes(bprm.interp)], bprm);
  if (r < 0) return fail(r);
  bprm.argc++;
  r = copy_strings_kernel(1, [latin1Bytes(e.interpreter)], bprm);
  if (r < 0) return fail(r);
  bprm.argc++;
  bprm_change_interp(e.interpreter, bprm);
  let file: File | number;
  if (e.interp_file) {
    e.interp_file.f_count++;
    e.interp_file.f_inode.i_writecount--;
    file = e.interp_file;
  } else {
    file = open_exec(t, e.interpreter);
  }
  if (typeof file === 'number') return fail(file);
  bprm.file = file;
  if (e.flags.C) {
    bprm.buf.fill(0);
    r = file.pread(bprm.buf, 0);
    if (r < 0) return fail(r);
  } else {
    r = prepare_binprm(bprm);
    if (r < 0) return fail(r);
  }
  r = search_binary_handler(bprm);
  return r < 0 ? fail(r) : r;
}

export const misc_format: LinuxBinfmt = {
  name: 'binfmt_misc',
  module: null,
  load_binary: load_misc_binary,
  load_shlib: null,
  core_dump: null,
  min_coredump: 0,
};
