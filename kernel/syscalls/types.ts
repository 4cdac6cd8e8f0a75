/**
 * The syscall table is data (gVisor's habit): one entry per number with its
 * name, the handler, a support level and a note, so the table doubles as the
 * compatibility document. The handlers decode their arguments and call one
 * worker; the dispatcher (dispatch.ts) is the one place that writes RAX.
 */

import type { Kernel } from '../kernel.js';
import type { Task } from '../task.js';

/**
 * What a handler returns: the value for RAX (a negative errno on failure),
 * or one of the markers below.
 */
export type SyscallResult = number | bigint | typeof NO_RETURN | typeof RESTART;

/** The task is gone (exit) or its registers were replaced (exec, sigreturn): do not write RAX. */
export const NO_RETURN = Symbol('no-return');
/** The task went to sleep: run the same syscall again when it wakes (Linux -ERESTARTSYS + restart). */
export const RESTART = Symbol('restart');

/** The six argument registers, RDI RSI RDX R10 R8 R9, as unsigned 64-bit values. */
export type SyscallArgs = readonly [bigint, bigint, bigint, bigint, bigint, bigint];

export type SyscallHandler = (k: Kernel, t: Task, a: SyscallArgs) => SyscallResult;

/** How --strace shows an argument (strace(1)'s conventions). */
export type ArgFormat =
  | 'int' // signed decimal (fds, counts, flags as numbers)
  | 'uint'
  | 'hex'
  | 'ptr' // NULL or 0x...
  | 'str' // a NUL-terminated guest string, quoted
  | 'buf' // the bytes at this pointer, length in the next argument, quoted (write)
  | 'obuf' // the same, read after the call with the result as the length (read)
  | 'fd'
  | 'atfd' // AT_FDCWD or a number
  | 'argv'; // a NULL-terminated array of strings

export interface SyscallEntry {
  readonly nr: number;
  readonly name: string;
  readonly handler: SyscallHandler;
  /** full: as Linux; partial: see note; */
  readonly support: 'full' | 'partial';
  readonly note?: string;
  /** How --strace prints the arguments; absent means raw hex of every register. */
  readonly args?: readonly ArgFormat[];
  /** How --strace prints the result. */
  readonly ret?: 'int' | 'hex';
}

/** A table row as a family file writes it: the name comes from abi/syscalls. */
export type SyscallRow = Omit<SyscallEntry, 'name'>;

/** Unsigned 64-bit argument as a safe JS number, or -1 when it cannot be a user address. */
export function ptr(x: bigint): number {
  return x < 0x8000_0000_0000n ? Number(x) : -1;
}

/** The low 32 bits as a signed int (fds, flags, int parameters). */
export function int(x: bigint): number {
  return Number(BigInt.asIntN(32, x));
}

/** The low 32 bits as unsigned. */
export function uint(x: bigint): number {
  return Number(BigInt.asUintN(32, x));
}

/** A size_t/long argument as a number; values beyond 2^53 are clamped (callers check bounds). */
export function ulong(x: bigint): number {
  return x > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(x);
}

export function long(x: bigint): number {
  return Number(BigInt.asIntN(64, x));
}
