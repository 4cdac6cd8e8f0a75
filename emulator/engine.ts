/**
 * The one interface between the kernel and whatever runs guest x86-64 code.
 *
 * The kernel owns guest memory (kernel/mm) and tells each CPU what is mapped
 * where, over host bytes it allocated; the CPU runs a task's registers until
 * something happens and says why (DESIGN.md decision 1). The kernel never
 * knows which engine runs.
 *
 * Engines: `interp` (TypeScript, emulator/interp) and `unicorn`
 * (libunicorn.so.2 through koffi, emulator/unicorn).
 */

import type { CpuState } from './regs.js';

/** Page protection bits, as mmap's PROT_* (abi/mman). */
export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

/**
 * Why `Cpu.run` returned.
 *
 * - `syscall`: the guest executed `syscall`. RIP already points past it, RCX
 *   holds that return address and R11 the RFLAGS, as a real CPU leaves them.
 *   The kernel reads arguments, does the work, writes RAX and runs again.
 * - `fault`: a page fault (not mapped: SEGV_MAPERR; mapped without the needed
 *   permission: SEGV_ACCERR) at `addr`. RIP is the faulting instruction.
 * - `ud`: invalid opcode (#UD -> SIGILL). RIP is the instruction.
 * - `de`: divide error (#DE -> SIGFPE). RIP is the instruction.
 * - `gp`: general protection (#GP -> SIGSEGV with si_addr 0), e.g. a
 *   non-canonical address or a privileged instruction.
 * - `hlt`: `hlt` in user mode, which Linux turns into #GP -> SIGSEGV.
 * - `int3`: breakpoint (#BP -> SIGTRAP). RIP is past the int3.
 * - `db`: debug trap (#DB -> SIGTRAP) after an instruction that began with
 *   EFLAGS.TF set (`icebp` false: single-step) or after int1/icebp (F1,
 *   `icebp` true). RIP is past the instruction.
 * - `budget`: the instruction or time budget ran out; nothing happened.
 */
export type CpuExit =
  | { kind: 'syscall' }
  | { kind: 'fault'; addr: bigint; access: Access; mapped: boolean }
  | { kind: 'ud' }
  | { kind: 'de' }
  | { kind: 'gp' }
  | { kind: 'hlt' }
  | { kind: 'int3' }
  | { kind: 'db'; icebp: boolean }
  | { kind: 'budget' };

export type Access = 'read' | 'write' | 'exec';

/** How long one `run` may go on before returning `budget`. */
export interface RunBudget {
  /** Upper bound on guest instructions; both engines count exactly. 0 or Infinity: no limit. */
  instructions: number;
  /**
   * Upper bound on wall time in milliseconds, for engines that can stop
   * safely on time (the interpreter checks it between blocks); 0 or
   * Infinity: no limit. Unicorn ignores it: stopping Unicorn 2.0.1 from
   * another thread corrupts the guest (emulator/unicorn/README.md).
   */
  timeoutMs: number;
}

/**
 * A CPU bound to one address space. One per task (thread); threads that
 * share an mm each get their own Cpu over the same mappings.
 */
export interface Cpu {
  /** Run until something happens. */
  run(budget: RunBudget): CpuExit;

  /** Read one 64-bit general-purpose register (numbering of regs.ts). */
  getReg(reg: number): bigint;
  /** Write one 64-bit general-purpose register. */
  setReg(reg: number, value: bigint): void;

  /**
   * The syscall path without BigInt: the low and the high 32 bits of
   * general-purpose register `reg` (0-15), each an unsigned number.
   */
  getRegLo(reg: number): number;
  getRegHi(reg: number): number;
  /**
   * Write general-purpose register `reg` (0-15) from an integer number,
   * modulo 2^64 (a negative one as two's complement, as a syscall's -errno).
   */
  setRegNumber(reg: number, value: number): void;

  /** The whole architectural state, for fork, signal frames and lockstep. */
  getState(): CpuState;
  /** Replace the whole architectural state. */
  setState(state: CpuState): void;

  /**
   * Make `[addr, addr+len)` visible to the guest with `prot`, backed by
   * `host` (exactly `len` bytes, which the kernel owns and keeps alive).
   * `addr` and `len` are page-aligned; the range is not mapped before.
   */
  map(addr: bigint, len: number, prot: number, host: Uint8Array): void;
  /** Remove `[addr, addr+len)` (page-aligned, entirely mapped). */
  unmap(addr: bigint, len: number): void;
  /** Change the protection of `[addr, addr+len)` (page-aligned, entirely mapped). */
  protect(addr: bigint, len: number, prot: number): void;
  /**
   * The kernel wrote guest memory behind the CPU's back (a syscall filled a
   * buffer that may hold code): drop anything decoded from that range.
   */
  invalidate(addr: bigint, len: number): void;

  /** Release host resources. The CPU is unusable afterwards. */
  dispose(): void;
}

/** A CPU engine: makes CPUs. */
export interface Engine {
  readonly name: string;
  /**
   * CPUID.1:EDX of the CPU model this engine presents, which the kernel
   * passes to the guest as AT_HWCAP. Absent: a baseline x86-64 (fpu..sse2).
   */
  readonly hwcap?: number;
  /** A fresh CPU with nothing mapped and every register zero (RFLAGS 0x202). */
  createCpu(): Cpu;
}

/** Thrown only when an engine cannot be created at all (for example libunicorn.so.2 is missing). */
export class EngineUnavailableError extends Error {}
