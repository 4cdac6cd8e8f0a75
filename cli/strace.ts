/**
 * `--strace`: one line per syscall in strace(1)'s format, written to a sink
 * (stderr). Built on the kernel's tracepoints, so it costs nothing when off.
 */

import { errnoName, strerror } from '../abi/errno.js';
import { SEGV_ACCERR, SEGV_MAPERR, signalName } from '../abi/signal.js';
import type { Kernel } from '../kernel/kernel.js';
import { copy_from_user, get_user_u64, strncpy_from_user } from '../kernel/mm/uaccess.js';
import type { ArgFormat, SyscallArgs, SyscallEntry, SyscallResult } from '../kernel/syscalls/types.js';
import { NO_RETURN, RESTART } from '../kernel/syscalls/types.js';
import type { Task } from '../kernel/task.js';

/** strace -s default: strings are cut after 32 bytes. */
const STRSIZE = 32;
/** strace puts "= result" at column 40. */
const RESULT_COLUMN = 40;

/** strace's quoting: C escapes, octal for other non-printables, "..." after a cut. */
export function quote(bytes: Uint8Array, cut: boolean): string {
  let out = '"';
  for (const b of bytes) {
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += '\\\\';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x0b) out += '\\v';
    else if (b === 0x0c) out += '\\f';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += '\\' + b.toString(8);
  }
  return out + '"' + (cut ? '...' : '');
}

const hex = (v: bigint): string => '0x' + v.toString(16);

function fmtStr(t: Task, addr: bigint): string {
  if (addr === 0n) return 'NULL';
  if (!t.mm) return hex(addr);
  const s = strncpy_from_user(t.mm, Number(addr), 4096);
  if (s === null || s === 'toolong') return hex(addr);
  return quote(s.subarray(0, STRSIZE), s.length > STRSIZE);
}

function fmtBuf(t: Task, addr: bigint, len: number): string {
  if (!t.mm || len < 0) return hex(addr);
  const n = Math.min(len, STRSIZE);
  const b = copy_from_user(t.mm, Number(addr), n);
  return b ? quote(b, len > STRSIZE) : hex(addr);
}

function fmtArgv(t: Task, addr: bigint): string {
  if (addr === 0n) return 'NULL';
  if (!t.mm) return hex(addr);
  const items: string[] = [];
  for (let i = 0; i < 33; i++) {
    const p = get_user_u64(t.mm, Number(addr) + i * 8);
    if (p === null) return hex(addr);
    if (p === 0n) return `[${items.join(', ')}]`;
    if (i === 32) return `[${items.join(', ')}, ...]`;
    items.push(fmtStr(t, p));
  }
  return hex(addr);
}

function fmtArg(t: Task, f: ArgFormat, v: bigint, next: bigint, result?: number): string {
  switch (f) {
    case 'int': case 'fd': return BigInt.asIntN(32, v).toString();
    case 'uint': return v.toString();
    case 'hex': return hex(v);
    case 'ptr': return v === 0n ? 'NULL' : hex(v);
    case 'atfd': return BigInt.asIntN(32, v) === -100n ? 'AT_FDCWD' : BigInt.asIntN(32, v).toString();
    case 'str': return fmtStr(t, v);
    case 'buf': return fmtBuf(t, v, Number(next));
    case 'obuf': return result !== undefined && result >= 0 ? fmtBuf(t, v, result) : hex(v);
    case 'argv': return fmtArgv(t, v);
  }
}

function fmtResult(entry: SyscallEntry | undefined, r: SyscallResult): string {
  if (r === NO_RETURN) return '?';
  if (r === RESTART) return '? ERESTARTSYS (To be restarted)';
  const n = typeof r === 'bigint' ? r : BigInt(r);
  if (n < 0n && n >= -4095n) return `-1 ${errnoName(Number(-n))} (${strerror(Number(-n))})`;
  return entry?.ret === 'hex' ? hex(BigInt.asUintN(64, n)) : n.toString();
}

export function formatCall(t: Task, nr: number, entry: SyscallEntry | undefined, a: SyscallArgs, pre: string[] | null, r: SyscallResult): string {
  const name = entry?.name ?? `syscall_${nr}`;
  const formats = entry?.args;
  const res = typeof r === 'number' ? r : undefined;
  const args = formats
    ? formats.map((f, i) => (f === 'obuf' ? fmtArg(t, f, a[i]!, a[i + 1] ?? 0n, res) : pre?.[i] ?? fmtArg(t, f, a[i]!, a[i + 1] ?? 0n)))
    : a.map(hex);
  const call = `${name}(${args.join(', ')})`;
  return `${call.padEnd(RESULT_COLUMN - 1)} = ${fmtResult(entry, r)}`;
}

/** Subscribe an strace printer to `k`; returns the disposer. */
export function attachStrace(k: Kernel, write: (line: string) => void): () => void {
  const pending = new Map<Task, string[]>();
  const lastEnter = new Map<Task, { nr: number; entry: SyscallEntry | undefined; args: SyscallArgs }>();
  const offSys = k.tracer.on('syscall', (_topic, d) => {
    const t = d.task as Task;
    const entry = d.entry as SyscallEntry | undefined;
    const a = d.args as SyscallArgs;
    if (d.phase === 'enter') {
      // Arguments are read before the call (execve replaces the memory they live in).
      pending.set(t, entry?.args?.map((f, i) => (f === 'obuf' ? '' : fmtArg(t, f, a[i]!, a[i + 1] ?? 0n))) ?? []);
      lastEnter.set(t, { nr: d.nr as number, entry, args: a });
      return;
    }
    if (!pending.has(t)) return; // already printed by the exit that ended the task
    write(formatCall(t, d.nr as number, entry, a, pending.get(t) ?? null, d.result as SyscallResult));
    pending.delete(t);
  });
  const offSig = k.tracer.on('signal', (_topic, d) => {
    const sig = d.sig as number;
    const info = d.info as { code: number; addr: bigint } | undefined;
    const code = info?.code === SEGV_MAPERR ? 'SEGV_MAPERR' : info?.code === SEGV_ACCERR ? 'SEGV_ACCERR' : info ? String(info.code) : 'SI_USER';
    const addr = info ? `, si_addr=${info.addr === 0n ? 'NULL' : hex(info.addr)}` : '';
    write(`--- ${signalName(sig)} {si_signo=${signalName(sig)}, si_code=${code}${addr}} ---`);
  });
  const offExit = k.tracer.on('exit', (_topic, d) => {
    // exit and exit_group never return: strace prints them with "= ?" before the exit line.
    const t = d.task as Task;
    const call = pending.get(t);
    if (call && lastEnter.get(t)) {
      const e = lastEnter.get(t)!;
      write(formatCall(t, e.nr, e.entry, e.args, call, NO_RETURN));
      pending.delete(t);
    }
    const sig = d.signal as number;
    write(sig ? `+++ killed by ${signalName(sig)}${d.core ? ' (core dumped)' : ''} +++` : `+++ exited with ${d.code as number} +++`);
  });
  return () => { offSys(); offSig(); offExit(); };
}
