/**
 * Instructions that talk to the machine rather than compute: syscall,
 * cpuid, rdtsc, the flag-bit instructions, nops and fences, and the ones
 * that end run() with an exception (ud2, hlt, int3, int n, privileged ones).
 *
 * CPUID describes exactly what this interpreter implements: the model is
 * emulator/cpuid.ts, shared with the unicorn engine.
 */

import { cpuidLeaf } from '../../cpuid.js';
import { getFlags, setArith } from '../flags.js';
import type { Handler } from '../insn.js';
import { Trap } from '../memory.js';
import { FLAG_CF, FLAG_DF, FLAGS_ARITH } from '../../regs.js';
import { ea, readMem } from '../operands.js';

const EXIT_SYSCALL = Object.freeze({ kind: 'syscall' as const });
const EXIT_INT3 = Object.freeze({ kind: 'int3' as const });

/** 0F 05: syscall. RCX = return RIP, R11 = RFLAGS; run() returns with RIP past it. */
export const opSyscall: Handler = (c) => {
  const r = c.r;
  r[2] = c.rip >>> 0; r[3] = Math.floor(c.rip / 4294967296);
  r[22] = getFlags(c); r[23] = 0;
  c.exit = EXIT_SYSCALL;
};

export const opUd: Handler = () => { throw new Trap({ kind: 'ud' }); };
export const opUd2 = opUd;
const EXIT_ICEBP = Object.freeze({ kind: 'db' as const, icebp: true });

/** Privileged or I/O instructions in user mode: #GP. */
export const opPrivileged: Handler = () => {
  throw new Trap({ kind: 'gp' });
};

/**
 * F1 (int1/icebp) is not privileged: a #DB trap, RIP past it (this
 * machine: SIGTRAP, TRAP_BRKPT, si_addr the next instruction).
 */
export const opIcebp: Handler = (c) => { c.exit = EXIT_ICEBP; };
/**
 * 0F 20-23: mov to or from a control or debug register. #GP in user mode,
 * but a register that does not exist (cr9-cr15, dr8-dr15 with REX.R; the
 * table leaves out cr1 and cr5-7) is #UD first (SDM vol. 2 MOV "Move
 * to/from Control Registers": #UD "if an attempt is made to access CR1,
 * CR5, CR6, CR7 or CR9-CR15").
 */
export const opMovCrDr: Handler = (_c, i) => {
  const exists = (i.op & 1) === 0 ? i.reg < 8 || i.reg === 8 : i.reg < 8;
  throw new Trap({ kind: exists ? 'gp' : 'ud' });
};
/**
 * 0F AE /7: clflush. No cache to flush, but it faults as a byte load of its
 * operand would (SDM vol. 2 CLFLUSH: "subject to all permission checking and
 * faults associated with a byte load").
 */
export const opClflushMb: Handler = (c, i) => { c.mem.read8(ea(c, i)); };
/** F4: hlt in user mode (Linux turns the resulting #GP into SIGSEGV). */
export const opHlt: Handler = () => { throw new Trap({ kind: 'hlt' }); };
/** CC: int3. RIP is left past the instruction, as #BP does. */
export const opInt3: Handler = (c) => { c.exit = EXIT_INT3; };
/**
 * CD: int Ib. Linux's IDT (arch/x86/kernel/idt.c: the DPL 3 gates X86_TRAP_BP and, with IA32
 * emulation, IA32_SYSCALL_VECTOR) gives user mode `int 3`, which is int3 (this machine: SIGTRAP,
 * SI_KERNEL, trapno 3), and int 0x80 (the 32-bit ABI, not emulated); any other vector is #GP.
 */
export const opIntIb: Handler = (c, i) => {
  if (i.imm === 3) { c.exit = EXIT_INT3; return; }
  throw new Trap({ kind: 'gp' });
};

/** 90, 0F 1F (nop Ev), 0F 18-1F hints, F3 90 pause, F3 0F 1E FA endbr64, fences, prefetches. */
export const opNop: Handler = () => {};

export const opClc: Handler = (c) => setArith(c, getFlags(c) & FLAGS_ARITH & ~FLAG_CF);
export const opStc: Handler = (c) => setArith(c, (getFlags(c) & FLAGS_ARITH) | FLAG_CF);
export const opCmc: Handler = (c) => setArith(c, (getFlags(c) & FLAGS_ARITH) ^ FLAG_CF);
export const opCld: Handler = (c) => { c.flags &= ~FLAG_DF; };
export const opStd: Handler = (c) => { c.flags |= FLAG_DF; };

/** D7: xlat: AL = [rBX + AL]. */
export const opXlat: Handler = (c, i) => {
  const r = c.r;
  let a = r[6]! + r[7]! * 4294967296 + (r[0]! & 0xff);
  if (i.asize === 4) a = (r[6]! + (r[0]! & 0xff)) >>> 0;
  if (i.seg !== 0) a += i.seg === 4 ? c.fsLo + c.fsHi * 4294967296 : c.gsLo + c.gsHi * 4294967296;
  r[0] = ((r[0]! & 0xffffff00) | readMem(c, a, 1)) >>> 0;
};

/** 0F 31: rdtsc. A counter: retired instructions plus a bump per read, so it always increases. */
export const opRdtsc: Handler = (c) => {
  tscBump += 16;
  const t = (c.icount + tscBump) * 4;
  c.r[0] = t >>> 0; c.r[1] = 0;
  c.r[4] = Math.floor(t / 4294967296) >>> 0; c.r[5] = 0;
};
let tscBump = 0;

/** 0F A2: cpuid. */
export const opCpuid: Handler = (c) => {
  const r = c.r;
  const [a, b, cx, d] = cpuidLeaf(r[0]!, r[2]!);
  r[0] = a; r[1] = 0; r[6] = b; r[7] = 0; r[2] = cx; r[3] = 0; r[4] = d; r[5] = 0;
};
