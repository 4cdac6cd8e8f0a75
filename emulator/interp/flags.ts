/**
 * Lazy arithmetic flags.
 *
 * The common flag-setting instructions (add, adc, sub, sbb, cmp, and, or,
 * xor, test, inc, dec, neg) do not compute RFLAGS: they record the operation,
 * its size, operands and result in the CPU (`fOp`, `fSize`, `fDst*`, `fSrc*`,
 * `fRes*`, `fCin`), and the six arithmetic flags are materialised from that
 * record only when something reads them (jcc, setcc, cmov, adc, pushf, ...).
 * Everything else (shifts, multiplies, bit tests) computes its flags eagerly
 * into `c.flags` and sets `fOp = F_NONE`.
 *
 * 64-bit values are (lo, hi) pairs of unsigned 32-bit numbers; for smaller
 * sizes hi is 0 and lo is masked to the size.
 */

import { FLAG_AF, FLAG_CF, FLAG_OF, FLAG_PF, FLAG_SF, FLAG_ZF, FLAGS_ARITH } from '../regs.js';
import type { InterpCpu } from './cpu.js';

/** RFLAGS bits user code can change (popf): arithmetic, TF, DF, AC, ID. */
export const FLAGS_USER = 0x0dd5 | 0x40000 | 0x200000;

/** `c.flags` holds every flag; nothing is pending. */
export const F_NONE = 0;
export const F_ADD = 1;
export const F_ADC = 2;
export const F_SUB = 3;
export const F_SBB = 4;
export const F_LOGIC = 5;
/** inc/dec: as add/sub of 1, but CF is the one saved in fCin. */
export const F_INC = 6;
export const F_DEC = 7;
/** shl/shr/sar with a nonzero count (compiled blocks): SF ZF PF of the result, CF in fCin, OF in fSrcLo, AF 0. */
export const F_SHIFT = 8;

/** PARITY[b] is FLAG_PF when b has an even number of set bits. */
export const PARITY = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  let n = 0;
  for (let k = 0; k < 8; k++) n += (b >> k) & 1;
  PARITY[b] = n % 2 === 0 ? FLAG_PF : 0;
}

/** Sign bit of a (lo, hi) value of `size` bytes, as 0 or 1. */
export function signOf(lo: number, hi: number, size: number): number {
  switch (size) {
    case 1: return (lo >>> 7) & 1;
    case 2: return (lo >>> 15) & 1;
    case 4: return lo >>> 31;
    default: return hi >>> 31;
  }
}

/** (alo, ahi) < (blo, bhi) unsigned. */
function ult(alo: number, ahi: number, blo: number, bhi: number): boolean {
  return ahi !== bhi ? ahi < bhi : alo < blo;
}

/** Record a lazily evaluated flag-setting operation. */
export function setLazy(c: InterpCpu, op: number, size: number,
  dlo: number, dhi: number, slo: number, shi: number, rlo: number, rhi: number): void {
  c.fOp = op; c.fSize = size;
  c.fDstLo = dlo; c.fDstHi = dhi; c.fSrcLo = slo; c.fSrcHi = shi; c.fResLo = rlo; c.fResHi = rhi;
}

/** Compute the arithmetic flags of the pending lazy operation. */
function computeArith(c: InterpCpu): number {
  const size = c.fSize;
  const rl = c.fResLo, rh = c.fResHi, dl = c.fDstLo, dh = c.fDstHi, sl = c.fSrcLo, sh = c.fSrcHi;
  let f = PARITY[rl & 0xff]!;
  if ((rl | rh) === 0) f |= FLAG_ZF;
  if (signOf(rl, rh, size)) f |= FLAG_SF;
  let cf = false, of = 0;
  switch (c.fOp) {
    case F_ADD:
      cf = ult(rl, rh, dl, dh);
      of = signOf((dl ^ rl) & (sl ^ rl), (dh ^ rh) & (sh ^ rh), size);
      break;
    case F_ADC:
      cf = ult(rl, rh, dl, dh) || (c.fCin !== 0 && rl === dl && rh === dh);
      of = signOf((dl ^ rl) & (sl ^ rl), (dh ^ rh) & (sh ^ rh), size);
      break;
    case F_SUB:
      cf = ult(dl, dh, sl, sh);
      of = signOf((dl ^ sl) & (dl ^ rl), (dh ^ sh) & (dh ^ rh), size);
      break;
    case F_SBB:
      cf = ult(dl, dh, sl, sh) || (c.fCin !== 0 && dl === sl && dh === sh);
      of = signOf((dl ^ sl) & (dl ^ rl), (dh ^ sh) & (dh ^ rh), size);
      break;
    case F_INC:
      cf = c.fCin !== 0;
      of = signOf((dl ^ rl) & (sl ^ rl), (dh ^ rh) & (sh ^ rh), size);
      break;
    case F_DEC:
      cf = c.fCin !== 0;
      of = signOf((dl ^ sl) & (dl ^ rl), (dh ^ sh) & (dh ^ rh), size);
      break;
    case F_LOGIC:
      return f;
    case F_SHIFT:
      return f | (c.fCin ? FLAG_CF : 0) | (c.fSrcLo ? FLAG_OF : 0);
  }
  if (cf) f |= FLAG_CF;
  if (of) f |= FLAG_OF;
  f |= (dl ^ sl ^ rl) & FLAG_AF;
  return f;
}

/** The whole RFLAGS value; materialises pending lazy flags. */
export function getFlags(c: InterpCpu): number {
  if (c.fOp !== F_NONE) {
    c.flags = (c.flags & ~FLAGS_ARITH) | computeArith(c);
    c.fOp = F_NONE;
  }
  return c.flags;
}

/** Replace the arithmetic flags (others kept): for instructions that compute them eagerly. */
export function setArith(c: InterpCpu, arith: number): void {
  c.fOp = F_NONE;
  c.flags = (c.flags & ~FLAGS_ARITH) | arith;
}

/** SF, ZF, PF of a result, as flag bits. */
export function szp(lo: number, hi: number, size: number): number {
  let f = PARITY[lo & 0xff]!;
  if ((lo | hi) === 0) f |= FLAG_ZF;
  if (signOf(lo, hi, size)) f |= FLAG_SF;
  return f;
}

export function getCF(c: InterpCpu): number {
  return getFlags(c) & FLAG_CF;
}

/** Signed value of a size-byte operand held as (lo, hi), compared as a pair: returns a < b. */
function slt(alo: number, ahi: number, blo: number, bhi: number, size: number): boolean {
  switch (size) {
    case 1: return ((alo << 24) >> 24) < ((blo << 24) >> 24);
    case 2: return ((alo << 16) >> 16) < ((blo << 16) >> 16);
    case 4: return (alo | 0) < (blo | 0);
    default: return ahi !== bhi ? (ahi | 0) < (bhi | 0) : alo < blo;
  }
}

/**
 * The common case of a condition after cmp/sub or test/and/or/xor, read
 * straight from the operands without materialising RFLAGS; -1 when the
 * pending operation or the condition is not one of those.
 */
function fastCond(c: InterpCpu, cc: number): number {
  const op = c.fOp;
  let r: boolean;
  if (op === F_NONE) return -1;
  // ZF and SF come from the result whatever the pending operation.
  const z = cc >> 1;
  if (z === 2 || z === 4) {
    r = z === 2 ? (c.fResLo | c.fResHi) === 0 : signOf(c.fResLo, c.fResHi, c.fSize) !== 0;
    return ((cc & 1) !== 0 ? !r : r) ? 1 : 0;
  }
  if (op === F_SUB) {
    const dl = c.fDstLo, dh = c.fDstHi, sl = c.fSrcLo, sh = c.fSrcHi;
    switch (cc >> 1) {
      case 1: r = ult(dl, dh, sl, sh); break; // B
      case 2: r = dl === sl && dh === sh; break; // E
      case 3: r = !ult(sl, sh, dl, dh); break; // BE: dst <= src
      case 4: r = signOf(c.fResLo, c.fResHi, c.fSize) !== 0; break; // S
      case 6: r = slt(dl, dh, sl, sh, c.fSize); break; // L
      case 7: r = (dl === sl && dh === sh) || slt(dl, dh, sl, sh, c.fSize); break; // LE
      default: return -1;
    }
  } else if (op === F_LOGIC) {
    const z = (c.fResLo | c.fResHi) === 0, s = signOf(c.fResLo, c.fResHi, c.fSize) !== 0;
    switch (cc >> 1) {
      case 0: case 1: r = false; break; // O, B: OF = CF = 0
      case 2: case 3: r = z; break; // E, BE
      case 4: case 6: r = s; break; // S, L (OF = 0)
      case 7: r = z || s; break; // LE
      default: return -1;
    }
  } else return -1;
  return ((cc & 1) !== 0 ? !r : r) ? 1 : 0;
}

/** Evaluate condition code `cc` (the low nibble of jcc/setcc/cmovcc). */
export function cond(c: InterpCpu, cc: number): boolean {
  const fast = fastCond(c, cc);
  if (fast >= 0) return fast === 1;
  const f = getFlags(c);
  let r: boolean;
  switch (cc >> 1) {
    case 0: r = (f & FLAG_OF) !== 0; break; // O
    case 1: r = (f & FLAG_CF) !== 0; break; // B
    case 2: r = (f & FLAG_ZF) !== 0; break; // E
    case 3: r = (f & (FLAG_CF | FLAG_ZF)) !== 0; break; // BE
    case 4: r = (f & FLAG_SF) !== 0; break; // S
    case 5: r = (f & FLAG_PF) !== 0; break; // P
    case 6: r = ((f & FLAG_SF) !== 0) !== ((f & FLAG_OF) !== 0); break; // L
    default: r = (f & FLAG_ZF) !== 0 || ((f & FLAG_SF) !== 0) !== ((f & FLAG_OF) !== 0); break; // LE
  }
  return (cc & 1) !== 0 ? !r : r;
}
