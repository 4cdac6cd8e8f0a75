/**
 * Instructions that talk to the machine rather than compute: syscall,
 * cpuid, rdtsc, the flag-bit instructions, nops and fences, and the ones
 * that end run() with an exception (ud2, hlt, int3, int n, privileged ones).
 *
 * CPUID describes exactly what this interpreter implements (DESIGN.md: report
 * a coherent model, glibc picks its routines by it): a family 6 "GenuineIntel"
 * CPU with x87, TSC, CX8, CMOV, FXSR, SSE, SSE2, CX16, POPCNT, SYSCALL, NX,
 * LM and LAHF in long mode; no MMX (not implemented, though every real
 * x86-64 CPU has it: compilers do not emit it for x86-64 and glibc and musl
 * run without it), no SSE3+, no AVX, no XSAVE/OSXSAVE, no BMI.
 */

import { getFlags, setArith } from '../flags.js';
import type { Handler } from '../insn.js';
import { Trap } from '../memory.js';
import { FLAG_CF, FLAG_DF, FLAGS_ARITH } from '../../regs.js';
import { readMem } from '../operands.js';

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
/** Privileged or I/O instructions in user mode: #GP. */
export const opPrivileged: Handler = () => { throw new Trap({ kind: 'gp' }); };
/** F4: hlt in user mode (Linux turns the resulting #GP into SIGSEGV). */
export const opHlt: Handler = () => { throw new Trap({ kind: 'hlt' }); };
/** CC: int3. RIP is left past the instruction, as #BP does. */
export const opInt3: Handler = (c) => { c.exit = EXIT_INT3; };
/** CD: int Ib. Linux's IDT gives user mode only int3 and int 0x80 (the 32-bit ABI, not emulated): #GP. */
export const opIntIb: Handler = () => { throw new Trap({ kind: 'gp' }); };

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

function str4(s: string): number {
  return (s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 24)) >>> 0;
}

const BRAND = 'kemu x86-64 TypeScript interpreter'.padEnd(48, '\0');

// Leaf 1 feature bits (EDX1 is also AT_HWCAP: Engine.hwcap).
export const EDX1 = (1 << 0) /* FPU */ | (1 << 4) /* TSC */ | (1 << 8) /* CX8 */ | (1 << 15) /* CMOV */
  | (1 << 24) /* FXSR */ | (1 << 25) /* SSE */ | (1 << 26) /* SSE2 */;
const ECX1 = (1 << 13) /* CX16 */ | (1 << 23) /* POPCNT */;

/** One cache level for leaf 4: type (1 data, 2 instruction, 3 unified), level, ways, sets, 64-byte lines. */
function leaf4(type: number, level: number, ways: number, sets: number, shared: number): number[] {
  const eax = type | (level << 5) | (1 << 8) /* self-initialising */ | ((shared - 1) << 14);
  const ebx = (63) | (0 << 12) | ((ways - 1) << 22);
  return [eax, ebx, sets - 1, 0];
}

const CACHES = [
  leaf4(1, 1, 8, 64, 1), // L1d 32 KiB
  leaf4(2, 1, 8, 64, 1), // L1i 32 KiB
  leaf4(3, 2, 8, 1024, 1), // L2 512 KiB
  leaf4(3, 3, 16, 8192, 1), // L3 8 MiB
];

function cpuid(leaf: number, sub: number): number[] {
  switch (leaf) {
    case 0: return [7, str4('Genu'), str4('ntel'), str4('ineI')];
    case 1: return [0x000306a9 /* family 6 model 58 stepping 9 */, 0x00010800 /* 1 logical CPU, clflush 64 */, ECX1, EDX1];
    case 2: return [0x00feff01, 0, 0, 0]; // "use leaf 4"
    case 4: return sub < CACHES.length ? CACHES[sub]! : [0, 0, 0, 0];
    case 0x80000000: return [0x80000008, 0, 0, 0];
    case 0x80000001: return [0, 0, 1 /* LAHF/SAHF in long mode */, (1 << 11) /* SYSCALL */ | (1 << 20) /* NX */ | (1 << 29) /* LM */];
    case 0x80000002: case 0x80000003: case 0x80000004: {
      const o = (leaf - 0x80000002) * 16;
      return [0, 1, 2, 3].map((k) => str4(BRAND.slice(o + 4 * k, o + 4 * k + 4)));
    }
    case 0x80000006: return [0, 0, (512 << 16) | (8 << 12) | 64, 0];
    case 0x80000008: return [0x3027 /* 39 physical, 48 linear address bits */, 0, 0, 0];
    default: return [0, 0, 0, 0]; // leaf 7 included: no extended features
  }
}

/** 0F A2: cpuid. */
export const opCpuid: Handler = (c) => {
  const r = c.r;
  const [a, b, cx, d] = cpuid(r[0]!, r[2]!);
  r[0] = a! >>> 0; r[1] = 0; r[6] = b! >>> 0; r[7] = 0; r[2] = cx! >>> 0; r[3] = 0; r[4] = d! >>> 0; r[5] = 0;
};
