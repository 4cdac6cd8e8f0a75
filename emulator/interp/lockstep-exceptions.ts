/**
 * Where Unicorn, not the interpreter, is wrong: each known Unicorn 2.0
 * deviation from the real CPU. The lockstep harness (lockstep-cpu.ts)
 * accepts a divergence that one of these explains instead of reporting it;
 * the interpreter keeps the real CPU's behaviour. The evidence is a probe
 * per exception run on this machine's CPU, interp and Unicorn
 * (tests/emulator/lockstep-native.test.ts), which fails should Unicorn stop
 * deviating.
 */

import type { Insn } from './insn.js';
import type { Divergence } from './lockstep.js';

export interface LockstepException {
  /** Short name, counted in the lockstep report. */
  name: string;
  /** What Unicorn does and what the real CPU does. */
  why: string;
  /** Whether this divergence is this deviation (`mxcsr`: the CPU under test's MXCSR after the instruction). */
  matches(i: Insn, d: Divergence, mxcsr: number): boolean;
}

const AF = 0x10, SF = 0x80, OF = 0x800;

/** The differences of `d` as [what, reference, under test], or null if one is not of the form "what: reference 0x.., under test 0x..". */
function parsed(d: Divergence): [string, number, number][] | null {
  const out: [string, number, number][] = [];
  for (const line of d.differences) {
    const m = /^(.*): reference 0x([0-9a-f]+), under test 0x([0-9a-f]+)$/.exec(line);
    if (!m) return null;
    out.push([m[1]!, parseInt(m[2]!, 16), parseInt(m[3]!, 16)]);
  }
  return out;
}

/** Every difference is in `what` and only in the bits of `bits`. */
function onlyBits(d: Divergence, allowed: Record<string, number>): boolean {
  const p = parsed(d);
  return p !== null && p.length > 0 && p.every(([what, x, y]) => allowed[what] !== undefined && ((x ^ y) & ~allowed[what]!) === 0);
}

/** fcom/fcomp (D8, DC /2 /3 and their register forms), fcompp (DE D9), fcomi/fcomip (DB, DF F0-F7), ftst (D9 E4). */
function isOrderedCompare(i: Insn): boolean {
  const r = i.reg & 7;
  if ((i.op === 0xd8 || i.op === 0xdc) && (r === 2 || r === 3)) return true;
  if (i.mod !== 3) return false;
  return (i.op === 0xde && r === 3) || ((i.op === 0xdb || i.op === 0xdf) && r === 6) || (i.op === 0xd9 && r === 4 && (i.rm & 7) === 4);
}

export const EXCEPTIONS: LockstepException[] = [
  {
    name: 'x87-compare-flags',
    why: 'fcomi/fucomi/fcomip/fucomip: the CPU clears OF, SF and AF (SDM FCOMI); Unicorn leaves them as they were',
    matches: (i, d) => (i.op === 0xdb || i.op === 0xdf) && i.mod === 3 && ((i.reg & 7) === 5 || (i.reg & 7) === 6)
      && onlyBits(d, { rflags: AF | SF | OF }),
  },
  {
    name: 'x87-precision-flag',
    why: 'an inexact x87 result (fist of 1.5): the CPU sets PE and, rounded up, C1 in FSW; Unicorn sets neither',
    matches: (i, d) => i.op >= 0xd8 && i.op <= 0xdf && onlyBits(d, { 'fxsave byte 2': 0x20, 'fxsave byte 3': 0x02 })
      && parsed(d)!.every(([what, x, y]) => what !== 'fxsave byte 2' || ((x & 0x20) === 0 && (y & 0x20) !== 0)),
  },
  {
    name: 'x87-fprem',
    why: 'fprem (2048 into -0x83126e978d4fdf3b * 2^1): the CPU gives the exact remainder and its quotient bits in C0 C3 C1; Unicorn 2.0 a different ST0 and condition codes',
    matches: (i, d) => i.op === 0xd9 && i.mod === 3 && (i.reg & 7) === 7 && (i.rm & 7) === 0
      && onlyBits(d, Object.fromEntries([2, 3, ...Array.from({ length: 10 }, (_, k) => 32 + k)].map((b) => [`fxsave byte ${b}`, 0xff]))),
  },
  {
    name: 'sse-exception-flags',
    why: 'SSE arithmetic, comparisons and conversions: the CPU sets MXCSR\'s sticky PE, UE, DE, ... as the operands require; Unicorn misses some (divsd 1/3: PE; ucomisd of a denormal: DE; mulsd of 1e-200 squared: UE)',
    matches: (i, d) => i.op >= 0x100 && onlyBits(d, { 'fxsave byte 24': 0x3f }),
  },
  {
    name: 'sse-ftz',
    why: 'SSE arithmetic with MXCSR.FTZ set: the CPU returns zero for a tiny result (mulsd of 2^-1022 by 0.5 gives +0, UE and PE set); Unicorn 2.0 returns the denormal (it does honour DAZ)',
    matches: (i, d, mxcsr) => (mxcsr & 0x8000) !== 0 && i.op >= 0x100
      && d.differences.every((l) => /^fxsave byte (24|1[6-9][0-9]|[2-3][0-9][0-9]|40[0-9]|41[0-5]):/.test(l)),
  },
  {
    name: 'x87-denormal-flag',
    why: 'an x87 operand that is denormal (fld m64 of the double 2^-1074, fadd of a denormal register): the CPU sets DE in FSW; Unicorn does not',
    matches: (i, d) => i.op >= 0xd8 && i.op <= 0xdf && onlyBits(d, { 'fxsave byte 2': 0x02 })
      && parsed(d)!.every(([, x, y]) => (x & 0x02) === 0 && (y & 0x02) !== 0),
  },
  {
    name: 'x87-compare-invalid',
    why: 'fcom, fcomi and ftst (the ordered compares) of a quiet NaN: the CPU sets IE in FSW (ftst of 0x7ff8000000000000: IE); Unicorn sets it for a signalling NaN only',
    matches: (i, d) => isOrderedCompare(i) && onlyBits(d, { 'fxsave byte 2': 0x01 })
      && parsed(d)!.every(([, x, y]) => (x & 0x01) === 0 && (y & 0x01) !== 0),
  },
  {
    name: 'x87-load-snan',
    why: 'fld m32/m64 of a signalling NaN: the CPU loads it quieted (significand bit 62 set; 0xfff5555555555555 loads as 0xffff eaaaaaaaaaaaa800); Unicorn keeps it signalling',
    matches: (i, d) => (i.op === 0xd9 || i.op === 0xdd) && i.mod !== 3 && (i.reg & 7) === 0
      && onlyBits(d, { 'fxsave byte 39': 0x40 }) && parsed(d)!.every(([, x, y]) => (x & 0x40) === 0 && (y & 0x40) !== 0),
  },
  {
    name: 'x87-range-flags',
    why: 'fst/fstp m64 of a value too small (too large) for a double: the CPU sets UE (OE) and PE in FSW; Unicorn PE at most',
    matches: (i, d) => i.op >= 0xd8 && i.op <= 0xdf && onlyBits(d, { 'fxsave byte 2': 0x38 })
      && parsed(d)!.every(([, x, y]) => (x & ~y & 0x38) === 0 && (y & 0x18) !== 0),
  },
  {
    name: 'shift-carry',
    why: 'shl/shr/sar r/m, cl: the CPU sets CF to the last bit shifted out (sar qword [m], 5 of 0x10: CF 1); Unicorn 2.0 sometimes leaves it 0 (OF and AF are undefined there)',
    matches: (i, d) => (i.op === 0xd2 || i.op === 0xd3) && (i.reg & 7) >= 4 && onlyBits(d, { rflags: 0x1 | 0x10 | 0x800 }),
  },
  {
    name: 'cmpxchg32-upper',
    why: 'cmpxchg r32, r32 that fails (EAX differs): the CPU loads EAX and leaves the destination register whole, upper half included; Unicorn zero-extends the destination',
    matches: (i, d) => i.name === 'cmpxchg' && i.osize === 4 && i.mod === 3 && d.differences.length === 1
      && /^(r\w+): reference 0x[0-9a-f]{1,8}, under test 0x[0-9a-f]{9,16}$/.test(d.differences[0]!)
      && (() => { const m = /reference (0x[0-9a-f]+), under test (0x[0-9a-f]+)$/.exec(d.differences[0]!)!; return BigInt(m[1]!) === BigInt.asUintN(32, BigInt(m[2]!)); })(),
  },
  {
    name: 'mmx-exponent-bits',
    why: 'an MMX instruction writing mmN: the CPU sets bits 79:64 of x87 register N to ones (SDM vol. 1 9.5.1); Unicorn leaves them',
    matches: (i, d) => i.op >= 0x100 && onlyBits(d, Object.fromEntries(Array.from({ length: 8 }, (_, r) => [[`fxsave byte ${40 + 16 * r}`, 0xff], [`fxsave byte ${41 + 16 * r}`, 0xff]]).flat())),
  },
  {
    name: 'sse-nan-choice',
    why: 'SSE arithmetic on two NaNs: the CPU returns the first source operand\'s (quieted; SDM vol. 1 table 4-7: mulps of 0xfffe0000 by 0xffffffff gives 0xfffe0000); Unicorn picks another',
    matches: (i, d) => i.op >= 0x150 && i.op <= 0x15f && d.differences.every((l) => /^fxsave byte (1[6-9][0-9]|[2-3][0-9][0-9]|40[0-9]|41[0-5]):/.test(l)),
  },
  {
    name: 'unicorn-popcnt-ud',
    why: 'popcnt: CPUID (emulator/cpuid.ts) and the real CPU have POPCNT (tests/emulator/interp-native.test.ts runs it natively); Unicorn 2.0 raises #UD, its fixed feature set lacking POPCNT',
    matches: (i, d) => i.name === 'popcnt' && d.differences[0]!.startsWith('exit: reference {"kind":"ud"}'),
  },
  {
    name: 'unicorn-icebp-ud',
    why: 'int1/icebp (F1): the CPU raises #DB, a trap (Linux: SIGTRAP, TRAP_BRKPT, si_addr past it; fixtures/cpu-trap icebp, captured natively); Unicorn 2.0 raises #UD',
    matches: (i, d) => i.op === 0xf1 && d.differences[0]!.startsWith('exit: reference {"kind":"ud"}'),
  },
  {
    name: 'no-bmi-tzcnt-lzcnt',
    why: 'F3 0F BC / F3 0F BD: the CPU model has no BMI1 and no LZCNT (emulator/cpuid.ts), where the SDM says the F3 prefix is ignored and they run as bsf / bsr; Unicorn runs them as tzcnt / lzcnt whatever CPUID says',
    matches: (i) => i.rep === 0xf3 && (i.op === 0x1bc || i.op === 0x1bd),
  },
];

/**
 * The name(s) of the exception(s) that explain `d`, or null: one that
 * explains all of it, or one for each difference (cvttpd2pi can meet two
 * deviations at once: MXCSR flags and the MMX exponent bits).
 */
export function excepted(i: Insn, d: Divergence, mxcsr: number): string | null {
  for (const e of EXCEPTIONS) if (e.matches(i, d, mxcsr)) return e.name;
  const names = new Set<string>();
  for (const line of d.differences) {
    const e = EXCEPTIONS.find((x) => x.matches(i, { ...d, differences: [line] }, mxcsr));
    if (!e) return null;
    names.add(e.name);
  }
  return [...names].join('+');
}
