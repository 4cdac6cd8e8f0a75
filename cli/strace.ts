/**
 * `--strace`: one line per syscall in strace(1)'s format, written to a sink
 * (stderr). Built on the kernel's tracepoints, so it costs nothing when off.
 */

import { errnoName, strerror } from '../abi/errno.js';
import { SEGV_ACCERR, SEGV_MAPERR, signalName } from '../abi/signal.js';
import type { Kernel } from '../kernel/kernel.js';
import { copy_from_user, get_user_u64, strncpy_from_user } from '../kernel/mm/uaccess.js';
import type { ArgFormat, SyscallArgValues, SyscallEntry, SyscallResult } from '../kernel/syscalls/types.js';
import { NO_RETURN, RESTART } from '../kernel/syscalls/types.js';
import type { KSigInfo } from '../kernel/signal.js';
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

/** The siginfo fields strace(1) shows for a signal's si_code. */
function siginfoFields(info: KSigInfo | undefined): string {
  if (!info) return 'si_code=SI_USER';
  const code = SI_CODE_NAMES[info.signo]?.[info.code] ?? SI_CODE_NAMES[0]![info.code] ?? String(info.code);
  if (info.addr !== undefined) return `si_code=${code}, si_addr=${info.addr === 0n ? 'NULL' : hex(info.addr)}`;
  const who = info.pid !== undefined ? `, si_pid=${info.pid}, si_uid=${info.uid ?? 0}` : '';
  const chld = info.status !== undefined ? `, si_status=${info.status}, si_utime=${info.utime ?? 0}, si_stime=${info.stime ?? 0}` : '';
  return `si_code=${code}${who}${chld}`;
}

/** si_code names by signal (0: the generic ones), as strace prints them. */
const SI_CODE_NAMES: Record<number, Record<number, string>> = {
  0: { 0: 'SI_USER', 0x80: 'SI_KERNEL', [-1]: 'SI_QUEUE', [-2]: 'SI_TIMER', [-6]: 'SI_TKILL' },
  11: { [SEGV_MAPERR]: 'SEGV_MAPERR', [SEGV_ACCERR]: 'SEGV_ACCERR' },
  4: { 1: 'ILL_ILLOPC', 2: 'ILL_ILLOPN' },
  8: { 1: 'FPE_INTDIV' },
  17: { 1: 'CLD_EXITED', 2: 'CLD_KILLED', 3: 'CLD_DUMPED', 5: 'CLD_STOPPED', 6: 'CLD_CONTINUED' },
};

/** How strace(1) names the kernel's restart codes (they never reach user space). */
const RESTART_TEXT: Record<number, string> = {
  512: 'ERESTARTSYS (To be restarted if SA_RESTART is set)',
  513: 'ERESTARTNOINTR (To be restarted)',
  514: 'ERESTARTNOHAND (To be restarted if no handler)',
  516: 'ERESTART_RESTARTBLOCK (Interrupted by signal)',
};

function fmtResult(entry: SyscallEntry | undefined, r: SyscallResult): string {
  if (r === NO_RETURN) return '?';
  if (r === RESTART) return '? ERESTARTSYS (To be restarted)';
  const n = typeof r === 'bigint' ? r : BigInt(r);
  if (n < 0n && n >= -4095n) return `-1 ${errnoName(Number(-n))} (${strerror(Number(-n))})`;
  return entry?.ret === 'hex' ? hex(BigInt.asUintN(64, n)) : n.toString();
}

export function formatCall(t: Task, nr: number, entry: SyscallEntry | undefined, a: SyscallArgValues, pre: string[] | null, r: SyscallResult): string {
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
  /** A call that went to sleep, printed only if a signal interrupts it. */
  const restarting = new Map<Task, string>();
  /** strace -f: lines of every task but the first carry "[pid N] ". */
  let first: Task | null = null;
  const prefix = (t: Task): string => {
    first ??= t;
    return t === first ? '' : `[pid ${t.pid}] `;
  };
  const lastEnter = new Map<Task, { nr: number; entry: SyscallEntry | undefined; args: SyscallArgValues }>();
  const offSys = k.tracer.on('syscall', (_topic, d) => {
    const t = d.task as Task;
    const entry = d.entry as SyscallEntry | undefined;
    const a = d.args as SyscallArgValues;
    if (d.phase === 'enter') {
      // Arguments are read before the call (execve replaces the memory they live in).
      pending.set(t, entry?.args?.map((f, i) => (f === 'obuf' ? '' : fmtArg(t, f, a[i]!, a[i + 1] ?? 0n))) ?? []);
      lastEnter.set(t, { nr: d.nr as number, entry, args: a });
      return;
    }
    if (!pending.has(t)) return; // already printed by the exit that ended the task
    if (d.restart) {
      // The task sleeps and the call runs again: strace shows one line, when it completes,
      // unless a signal interrupts it first (then the ERESTART* line, as Linux reports it).
      restarting.set(t, prefix(t) + formatCall(t, d.nr as number, entry, a, pending.get(t) ?? null, NO_RETURN).replace(/= \?$/, `= ? ${RESTART_TEXT[d.restart as number] ?? ''}`));
      pending.delete(t);
      return;
    }
    restarting.delete(t);
    write(prefix(t) + formatCall(t, d.nr as number, entry, a, pending.get(t) ?? null, d.result as SyscallResult));
    pending.delete(t);
  });
  const offSig = k.tracer.on('signal', (_topic, d) => {
    const t = d.task as Task | undefined;
    const interrupted = t ? restarting.get(t) : undefined;
    if (t && interrupted) { write(interrupted); restarting.delete(t); }
    const sig = d.sig as number;
    const info = d.info as KSigInfo | undefined;
    write(`${t ? prefix(t) : ''}--- ${signalName(sig)} {si_signo=${signalName(sig)}, ${siginfoFields(info)}} ---`);
  });
  const offExit = k.tracer.on('exit', (_topic, d) => {
    // exit and exit_group never return: strace prints them with "= ?" before the exit line.
    const t = d.task as Task;
    const call = pending.get(t);
    if (call && lastEnter.get(t)) {
      const e = lastEnter.get(t)!;
      write(prefix(t) + formatCall(t, e.nr, e.entry, e.args, call, NO_RETURN));
      pending.delete(t);
    }
    const sig = d.signal as number;
    write(prefix(t) + (sig ? `+++ killed by ${signalName(sig)}${d.core ? ' (core dumped)' : ''} +++` : `+++ exited with ${d.code as number} +++`));
  });
  return () => { offSys(); offSig(); offExit(); };
}
