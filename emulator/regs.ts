/**
 * The guest register file as the kernel and the engines exchange it.
 *
 * General-purpose registers are numbered as the x86 encoding numbers them
 * (ModRM.reg with REX.R), so an instruction decoder and the syscall ABI use
 * the same indices.
 */

export const RAX = 0;
export const RCX = 1;
export const RDX = 2;
export const RBX = 3;
export const RSP = 4;
export const RBP = 5;
export const RSI = 6;
export const RDI = 7;
export const R8 = 8;
export const R9 = 9;
export const R10 = 10;
export const R11 = 11;
export const R12 = 12;
export const R13 = 13;
export const R14 = 14;
export const R15 = 15;
/** Not general-purpose, but addressable through Cpu.getReg/setReg. */
export const RIP = 16;
export const RFLAGS = 17;
export const FS_BASE = 18;
export const GS_BASE = 19;
export const REG_COUNT = 20;

export const GPR_NAMES = [
  'rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi',
  'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15',
  'rip', 'rflags', 'fs_base', 'gs_base',
] as const;

/** RFLAGS bits. */
export const FLAG_CF = 1 << 0;
export const FLAG_PF = 1 << 2;
export const FLAG_AF = 1 << 4;
export const FLAG_ZF = 1 << 6;
export const FLAG_SF = 1 << 7;
export const FLAG_TF = 1 << 8;
export const FLAG_IF = 1 << 9;
export const FLAG_DF = 1 << 10;
export const FLAG_OF = 1 << 11;
/** Bit 1 of RFLAGS always reads as 1. */
export const FLAG_FIXED = 1 << 1;
/** The arithmetic flags that instructions define. */
export const FLAGS_ARITH = FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_OF;

/** Linux starts a user task with only IF set (arch/x86/kernel/process_64.c start_thread). */
export const RFLAGS_INITIAL = FLAG_IF | FLAG_FIXED;

/** MXCSR at exec: all exceptions masked, round to nearest (arch/x86 fpu init). */
export const MXCSR_INITIAL = 0x1f80;
/** x87 control word at exec: all exceptions masked, 64-bit precision, round to nearest. */
export const FCW_INITIAL = 0x037f;

/**
 * Everything a task's CPU holds. `fxsave` is the 512-byte FXSAVE image
 * (x87 state, MXCSR, XMM0-15), the layout Linux also puts in a signal frame.
 */
export interface CpuState {
  /** RAX..R15, RIP, RFLAGS, FS_BASE, GS_BASE, indexed by the constants above. */
  regs: BigUint64Array;
  fxsave: Uint8Array;
}

/** FXSAVE image offsets (Intel SDM vol. 1, table 10-2). */
export const FXSAVE_FCW = 0;
export const FXSAVE_FSW = 2;
export const FXSAVE_FTW = 4; // abridged tag byte
export const FXSAVE_MXCSR = 24;
export const FXSAVE_MXCSR_MASK = 28;
export const FXSAVE_ST0 = 32; // 8 registers, 16 bytes apart (10 used)
export const FXSAVE_XMM0 = 160; // 16 registers, 16 bytes apart
export const FXSAVE_SIZE = 512;

/** A fresh state: zero registers, RFLAGS 0x202, MXCSR and FCW as Linux sets them. */
export function initialCpuState(): CpuState {
  const regs = new BigUint64Array(REG_COUNT);
  regs[RFLAGS] = BigInt(RFLAGS_INITIAL);
  const fxsave = new Uint8Array(FXSAVE_SIZE);
  const view = new DataView(fxsave.buffer);
  view.setUint16(FXSAVE_FCW, FCW_INITIAL, true);
  view.setUint32(FXSAVE_MXCSR, MXCSR_INITIAL, true);
  view.setUint32(FXSAVE_MXCSR_MASK, 0xffff, true);
  return { regs, fxsave };
}

export function cloneCpuState(s: CpuState): CpuState {
  return { regs: s.regs.slice(), fxsave: s.fxsave.slice() };
}
