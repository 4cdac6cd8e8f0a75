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

/** The six argument registers, RDI RSI RDX R10 R8 R9, as unsigned 64-bit values (trace events carry these). */
export type SyscallArgValues = readonly [bigint, bigint, bigint, bigint, bigint, bigint];

const TWO32 = 4294967296;

/**
 * The six argument registers, RDI RSI RDX R10 R8 R9, as Linux's pt_regs
 * holds them for one syscall: pairs of 32-bit words, read from the CPU
 * once at entry. The accessors decode an argument the way the C type of
 * the parameter does, in plain numbers (no BigInt on the syscall path);
 * `a[i]` is the whole unsigned 64-bit value as a BigInt, for the few
 * handlers that compare or keep all 64 bits. One per task (a task runs one
 * syscall at a time), refilled at each entry: a handler must not keep it
 * past its return.
 */
export class SyscallArgs {
  /** w[2i]: low, w[2i+1]: high 32 bits of argument i. */
  readonly w = new Uint32Array(12);

  get 0(): bigint { return this.big(0); }
  get 1(): bigint { return this.big(1); }
  get 2(): bigint { return this.big(2); }
  get 3(): bigint { return this.big(3); }
  get 4(): bigint { return this.big(4); }
  get 5(): bigint { return this.big(5); }

  /** Argument i, all 64 bits, unsigned. */
  big(i: number): bigint {
    return (BigInt(this.w[2 * i + 1]!) << 32n) | BigInt(this.w[2 * i]!);
  }

  /** Unsigned 64-bit argument as a safe number, or -1 when it cannot be a user address (>= 2^47), as ptr() below. */
  ptr(i: number): number {
    const hi = this.w[2 * i + 1]!;
    return hi < 0x8000 ? hi * TWO32 + this.w[2 * i]! : -1;
  }

  /** The low 32 bits as a signed int (fds, flags, int parameters). */
  int(i: number): number {
    return this.w[2 * i]! | 0;
  }

  /** The low 32 bits as unsigned. */
  uint(i: number): number {
    return this.w[2 * i]!;
  }

  /** A size_t/unsigned long as a number; values beyond 2^53 - 1 are clamped to it (callers check bounds). */
  ulong(i: number): number {
    const hi = this.w[2 * i + 1]!;
    return hi >= 0x200000 ? Number.MAX_SAFE_INTEGER : hi * TWO32 + this.w[2 * i]!;
  }

  /** A signed long as a number (rounded to the nearest double beyond 2^53, as Number() of the BigInt). */
  long(i: number): number {
    return (this.w[2 * i + 1]! | 0) * TWO32 + this.w[2 * i]!;
  }

  /** Whether all 64 bits of argument i are zero (a NULL pointer, an absent option). */
  zero(i: number): boolean {
    return (this.w[2 * i]! | this.w[2 * i + 1]!) === 0;
  }

  /** The six values as BigInts, a copy (for tracers, which outlive the call). */
  values(): SyscallArgValues {
    return [this.big(0), this.big(1), this.big(2), this.big(3), this.big(4), this.big(5)];
  }
}

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
