/**
 * SSE/SSE2 floating point: arithmetic (add, sub, mul, div, min, max, sqrt
 * in ps/pd/ss/sd forms), comparisons (cmpps.., comis, ucomis) and the
 * conversions between integers, floats and doubles.
 *
 * Results are exact IEEE: a float32 operation is computed in float64 and
 * rounded once (for + - * / and sqrt that is the correctly rounded float32
 * result). NaNs follow the SDM (table 4-7): a NaN operand propagates,
 * quieted, the first operand's first; an invalid operation makes the default
 * "QNaN floating-point indefinite" (sign set). min/max return the second
 * operand when either is NaN or both are zero.
 *
 * MXCSR: rounding control, FTZ and DAZ apply to the arithmetic and the
 * conversions (sse-round.ts; the default mode costs one test of c.mxcsr),
 * the sticky exception flags are set as this machine's CPU sets them
 * (mxcsr.ts), all exceptions masked as Linux starts a task.
 */

import type { InterpCpu } from '../cpu.js';
import { setArith } from '../flags.js';
import type { Handler, Insn } from '../insn.js';
import { FLAG_CF, FLAG_PF, FLAG_ZF } from '../../regs.js';
import { readE, writeG } from '../operands.js';
import * as F from '../f80.js';
import * as X from './mxcsr.js';
import * as R from './sse-round.js';
import { srcW } from './sse.js';

const PS = 0, PD = 1, SS = 2, SD = 3;
const TWO32 = 4294967296;

function isNaN64(x: Uint32Array, w: number): boolean {
  const hi = x[w + 1]!;
  return (hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) | x[w]!) !== 0;
}
function isNaN32(x: Uint32Array, w: number): boolean {
  const v = x[w]!;
  return (v & 0x7f800000) === 0x7f800000 && (v & 0x7fffff) !== 0;
}
const isSNaN64 = (x: Uint32Array, w: number): boolean => isNaN64(x, w) && (x[w + 1]! & 0x80000) === 0;
const isSNaN32 = (x: Uint32Array, w: number): boolean => isNaN32(x, w) && (x[w]! & 0x400000) === 0;

const OPS: ((a: number, b: number) => number)[] = [(a, b) => a + b, (a, b) => a - b, (a, b) => a * b, (a, b) => a / b, (_a, b) => Math.sqrt(b)];

/** Write op(a, b) of the double lanes at dword offsets d (also the destination) and s; MXCSR flags raised. */
function lane64(c: InterpCpu, d: number, s: number, op: number, unary: boolean): void {
  const x = c.xd, p = c.xpd;
  let a = p[d / 2]!, b = p[s / 2]!;
  const mode = c.mxcsr & R.MODE_BITS;
  if (mode & R.DAZ) { a = R.daz(a, false); b = R.daz(b, false); }
  const r = OPS[op]!(a, b);
  if (r === r) {
    const f = X.arithFlags(op, false, a, b, r, false);
    if (mode === 0) { c.mxcsr |= f; p[d / 2] = r; return; }
    p[d / 2] = R.rounded(op, false, a, b, r, c.mxcsr);
    c.mxcsr |= (f & ~(X.PE | X.UE | X.OE)) | R.flags;
    return;
  }
  c.mxcsr |= X.arithFlags(op, false, a, b, r, (!unary && isSNaN64(x, d)) || isSNaN64(x, s));
  if (!unary && isNaN64(x, d)) x[d + 1] = x[d + 1]! | 0x80000;
  else if (isNaN64(x, s)) { x[d] = x[s]!; x[d + 1] = x[s + 1]! | 0x80000; } else { x[d] = 0; x[d + 1] = 0xfff80000; }
}

function lane32(c: InterpCpu, d: number, s: number, op: number, unary: boolean): void {
  const x = c.xd, p = c.xf;
  let a = p[d]!, b = p[s]!;
  const mode = c.mxcsr & R.MODE_BITS;
  if (mode & R.DAZ) { a = R.daz(a, true); b = R.daz(b, true); }
  const r = OPS[op]!(a, b);
  if (r === r) {
    const f = X.arithFlags(op, true, a, b, r, false);
    if (mode === 0) { c.mxcsr |= f; p[d] = r; return; }
    p[d] = R.rounded(op, true, a, b, r, c.mxcsr);
    c.mxcsr |= (f & ~(X.PE | X.UE | X.OE)) | R.flags;
    return;
  }
  c.mxcsr |= X.arithFlags(op, true, a, b, r, (!unary && isSNaN32(x, d)) || isSNaN32(x, s));
  if (!unary && isNaN32(x, d)) x[d] = x[d]! | 0x400000;
  else if (isNaN32(x, s)) x[d] = x[s]! | 0x400000;
  else x[d] = 0xffc00000;
}

const MEM_SIZE = [16, 16, 4, 8];

/** An arithmetic instruction in one of the four forms (`unary`: sqrt, only the source counts). */
function arith(kind: number, f: number, unary: boolean): Handler {
  return (c, i) => {
    const s = srcW(c, i, MEM_SIZE[kind]!);
    const d = 4 * i.reg, o = 4 * s;
    switch (kind) {
      case PS: for (let k = 0; k < 4; k++) lane32(c, d + k, o + k, f, unary); break;
      case PD: lane64(c, d, o, f, unary); lane64(c, d + 2, o + 2, f, unary); break;
      case SS: lane32(c, d, o, f, unary); break;
      default: lane64(c, d, o, f, unary);
    }
  };
}

function four(op: number): Handler[] {
  const unary = op === X.OP_SQRT;
  return [arith(PS, op, unary), arith(PD, op, unary), arith(SS, op, unary), arith(SD, op, unary)];
}

export const [opAddps, opAddpd, opAddss, opAddsd] = four(X.OP_ADD);
export const [opSubps, opSubpd, opSubss, opSubsd] = four(X.OP_SUB);
export const [opMulps, opMulpd, opMulss, opMulsd] = four(X.OP_MUL);
export const [opDivps, opDivpd, opDivss, opDivsd] = four(X.OP_DIV);
export const [opSqrtps, opSqrtpd, opSqrtss, opSqrtsd] = four(X.OP_SQRT);

/**
 * min/max: the second operand unless the first compares strictly less/greater (so NaN or ±0 pairs give the second).
 * Under DAZ a denormal operand is a zero of its sign, and that zero is what is returned (this machine's CPU:
 * minsd(+0, -denormal) gives -0, maxsd(denormal, -1) gives +0).
 */
function minmax(kind: number, max: boolean): Handler {
  return (c, i) => {
    const s = srcW(c, i, MEM_SIZE[kind]!);
    const x = c.xd, d = 4 * i.reg, o = 4 * s, daz = (c.mxcsr & R.DAZ) !== 0;
    const pick = (a: number, b: number) => max ? a > b : a < b;
    if (kind === PD || kind === SD) {
      for (let k = 0; k < (kind === PD ? 4 : 2); k += 2) {
        let a = c.xpd[(d + k) / 2]!, b = c.xpd[(o + k) / 2]!;
        if (daz) { a = R.daz(a, false); b = R.daz(b, false); }
        c.mxcsr |= X.compareFlags(false, a, b, isSNaN64(x, d + k) || isSNaN64(x, o + k), true);
        if (!pick(a, b)) { x[d + k] = x[o + k]!; x[d + k + 1] = x[o + k + 1]!; }
        if (daz) flushLane(c, (d + k) / 2, false);
      }
    } else {
      for (let k = 0; k < (kind === PS ? 4 : 1); k++) {
        let a = c.xf[d + k]!, b = c.xf[o + k]!;
        if (daz) { a = R.daz(a, true); b = R.daz(b, true); }
        c.mxcsr |= X.compareFlags(true, a, b, isSNaN32(x, d + k) || isSNaN32(x, o + k), true);
        if (!pick(a, b)) x[d + k] = x[o + k]!;
        if (daz) flushLane(c, d + k, true);
      }
    }
  };
}

/** A denormal in the double (or float) lane n becomes a zero of its sign; anything else, NaNs included, is left alone. */
function flushLane(c: InterpCpu, n: number, single: boolean): void {
  const v = single ? c.xf[n]! : c.xpd[n]!;
  if (v !== 0 && Math.abs(v) < (single ? 2 ** -126 : 2 ** -1022)) {
    if (single) c.xf[n] = v < 0 ? -0 : 0; else c.xpd[n] = v < 0 ? -0 : 0;
  }
}
export const opMinps = minmax(PS, false), opMinpd = minmax(PD, false), opMinss = minmax(SS, false), opMinsd = minmax(SD, false);
export const opMaxps = minmax(PS, true), opMaxpd = minmax(PD, true), opMaxss = minmax(SS, true), opMaxsd = minmax(SD, true);

// ---- comparisons ------------------------------------------------------------------------------

/** CMPPS predicates 0-7: eq, lt, le, unord, neq, nlt, nle, ord. */
function predicate(p: number, a: number, b: number): boolean {
  const un = a !== a || b !== b;
  switch (p & 7) {
    case 0: return !un && a === b;
    case 1: return !un && a < b;
    case 2: return !un && a <= b;
    case 3: return un;
    case 4: return un || a !== b;
    case 5: return un || !(a < b);
    case 6: return un || !(a <= b);
    default: return !un;
  }
}

function cmp(kind: number): Handler {
  return (c, i) => {
    const s = srcW(c, i, MEM_SIZE[kind]!);
    const x = c.xd, d = 4 * i.reg, o = 4 * s, p = i.imm;
    const loud = [1, 2, 5, 6].includes(p & 7); // lt, le, nlt, nle signal on a QNaN too
    if (kind === PD || kind === SD) {
      for (let k = 0; k < (kind === PD ? 4 : 2); k += 2) {
        let a = c.xpd[(d + k) / 2]!, b = c.xpd[(o + k) / 2]!;
        if (c.mxcsr & R.DAZ) { a = R.daz(a, false); b = R.daz(b, false); }
        c.mxcsr |= X.compareFlags(false, a, b, isSNaN64(x, d + k) || isSNaN64(x, o + k), loud);
        const m = predicate(p, a, b) ? 0xffffffff : 0;
        x[d + k] = m; x[d + k + 1] = m;
      }
    } else {
      for (let k = 0; k < (kind === PS ? 4 : 1); k++) {
        let a = c.xf[d + k]!, b = c.xf[o + k]!;
        if (c.mxcsr & R.DAZ) { a = R.daz(a, true); b = R.daz(b, true); }
        c.mxcsr |= X.compareFlags(true, a, b, isSNaN32(x, d + k) || isSNaN32(x, o + k), loud);
        x[d + k] = predicate(p, a, b) ? 0xffffffff : 0;
      }
    }
  };
}
export const opCmpps = cmp(PS), opCmppd = cmp(PD), opCmpss = cmp(SS), opCmpsd = cmp(SD);

/** comiss/ucomiss/comisd/ucomisd: ZF PF CF = 111 unordered, 000 greater, 001 less, 100 equal; OF SF AF cleared. */
function comis(double: boolean, ordered: boolean): Handler {
  return (c, i) => {
    const s = srcW(c, i, double ? 8 : 4);
    let a = double ? c.xpd[2 * i.reg]! : c.xf[4 * i.reg]!;
    let b = double ? c.xpd[2 * s]! : c.xf[4 * s]!;
    if (c.mxcsr & R.DAZ) { a = R.daz(a, !double); b = R.daz(b, !double); }
    const snan = double ? isSNaN64(c.xd, 4 * i.reg) || isSNaN64(c.xd, 4 * s) : isSNaN32(c.xd, 4 * i.reg) || isSNaN32(c.xd, 4 * s);
    c.mxcsr |= X.compareFlags(!double, a, b, snan, ordered);
    let f: number;
    if (a !== a || b !== b) f = FLAG_ZF | FLAG_PF | FLAG_CF;
    else if (a > b) f = 0;
    else if (a < b) f = FLAG_CF;
    else f = FLAG_ZF;
    setArith(c, f);
  };
}
export const opUcomiss = comis(false, false), opComiss = comis(false, true), opUcomisd = comis(true, false), opComisd = comis(true, true);

// ---- conversions --------------------------------------------------------------------------------

/** Round to an integer by MXCSR.RC (or truncate). */
function roundRC(c: InterpCpu, x: number, truncate: boolean): number {
  if (truncate) return Math.trunc(x);
  switch ((c.mxcsr >> 13) & 3) {
    case 0: {
      const f = Math.floor(x), d = x - f;
      return d < 0.5 ? f : d > 0.5 ? f + 1 : (f % 2 === 0 ? f : f + 1);
    }
    case 1: return Math.floor(x);
    case 2: return Math.ceil(x);
    default: return Math.trunc(x);
  }
}

/** Double (or float, `single`) -> int32 or int64 in (lo, c.hi); out of range or NaN gives the integer indefinite. */
function toInt(c: InterpCpu, x: number, size: number, truncate: boolean, single: boolean): number {
  if (c.mxcsr & R.DAZ) x = R.daz(x, single);
  const r = roundRC(c, x, truncate);
  c.mxcsr |= X.toIntFlags(x, r, size * 8);
  if (size === 4) {
    c.hi = 0;
    return r !== r || r >= 2147483648 || r < -2147483648 ? 0x80000000 : r >>> 0;
  }
  if (r !== r || r >= 9223372036854775808 || r < -9223372036854775808) { c.hi = 0x80000000; return 0; }
  const hi = Math.floor(r / TWO32);
  c.hi = hi >>> 0;
  return (r - hi * TWO32) >>> 0;
}

/** Int32/int64 operand (Ey) as a double. */
/** The Ey operand as an exact BigInt when it has more bits than a double holds, else null (fromIntNumber is exact). */
let wideInt: bigint | null = null;

function fromInt(c: InterpCpu, i: Insn): number {
  wideInt = null;
  if (i.osize === 8) {
    const lo = readE(c, i, 8), hi = c.hi | 0;
    const v = hi * TWO32 + lo;
    if (Math.abs(v) >= 2 ** 53) wideInt = (BigInt(hi) << 32n) + BigInt(lo);
    return v;
  }
  return readE(c, i, 4) | 0;
}

/** F2 0F 2A cvtsi2sd V,Ey: one rounding (the sum of the exact halves), PE when it was inexact. */
export const opCvtsi2sd: Handler = (c, i) => {
  let v = fromInt(c, i);
  if (wideInt !== null && BigInt(v) !== wideInt) {
    c.mxcsr |= X.PE;
    if (R.rcOf(c.mxcsr) !== 0) v = R.fromBigInt(wideInt, false, R.rcOf(c.mxcsr));
  }
  c.xpd[2 * i.reg] = v;
};
/** F3 0F 2A cvtsi2ss V,Ey: wide integers round once, exactly (int -> double -> float could round twice). */
export const opCvtsi2ss: Handler = (c, i) => {
  const v = fromInt(c, i);
  if (Math.abs(v) < 2 ** 24) { c.xf[4 * i.reg] = v; return; }
  const n = wideInt ?? BigInt(v);
  F.clearRaised();
  const u = F.round(n < 0n ? 1 : 0, n < 0n ? -n : n, 0, F.FMT_F32, (c.mxcsr >> 13) & 3);
  c.xd[4 * i.reg] = F.packF32(u);
  c.mxcsr |= F.raised & X.PE;
};

/** cvt(t)sd2si / cvt(t)ss2si Gy,W. */
function toSi(double: boolean, truncate: boolean): Handler {
  return (c, i) => {
    const s = srcW(c, i, double ? 8 : 4);
    const x = double ? c.xpd[2 * s]! : c.xf[4 * s]!;
    const size = i.osize === 8 ? 8 : 4;
    const lo = toInt(c, x, size, truncate, !double);
    writeG(c, i, size, lo, c.hi);
  };
}
export const opCvttsd2si = toSi(true, true), opCvtsd2si = toSi(true, false);
export const opCvttss2si = toSi(false, true), opCvtss2si = toSi(false, false);

/** F3 0F 5A cvtss2sd / F2 0F 5A cvtsd2ss (low lane; NaNs quieted, sign kept). */
export const opCvtss2sd: Handler = (c, i) => {
  const s = srcW(c, i, 4);
  const v = c.mxcsr & R.DAZ ? R.daz(c.xf[4 * s]!, true) : c.xf[4 * s]!;
  c.mxcsr |= widenFlags(c, 4 * s);
  if (v === v) c.xpd[2 * i.reg] = v;
  else { const b = c.xd[4 * s]!; c.xd[4 * i.reg] = (b << 29) >>> 0; c.xd[4 * i.reg + 1] = ((b & 0x80000000) | 0x7ff80000 | ((b & 0x3fffff) >>> 3)) >>> 0; }
};
export const opCvtsd2ss: Handler = (c, i) => narrowLane(c, 4 * srcW(c, i, 8), 4 * i.reg);

/** The double at dword w to the float at dword d: NaNs quieted and cut, the rest rounded by MXCSR. */
function narrowLane(c: InterpCpu, w: number, d: number): void {
  const v = c.xd, x = c.xpd[w / 2]!;
  if (x !== x) {
    c.mxcsr |= isSNaN64(v, w) ? X.IE : 0;
    v[d] = ((v[w + 1]! & 0x80000000) | 0x7fc00000 | ((v[w + 1]! & 0x7ffff) << 3) | (v[w]! >>> 29)) >>> 0;
  } else if ((c.mxcsr & R.MODE_BITS) === 0) {
    c.mxcsr |= X.narrowFlags(x, Math.fround(x), false);
    c.xf[d] = x;
  } else c.xf[d] = narrowMode(c, x);
}

/** 0F 5A cvtps2pd: two floats -> two doubles. */
export const opCvtps2pd: Handler = (c, i) => {
  const s = srcW(c, i, 8);
  let a = c.xf[4 * s]!, b = c.xf[4 * s + 1]!;
  if (c.mxcsr & R.DAZ) { a = R.daz(a, true); b = R.daz(b, true); }
  c.mxcsr |= widenFlags(c, 4 * s) | widenFlags(c, 4 * s + 1);
  c.xpd[2 * i.reg] = a; c.xpd[2 * i.reg + 1] = b;
};

/** Flags of widening the float at dword w: IE for an SNaN, DE for a denormal (none under DAZ, which made it zero). */
function widenFlags(c: InterpCpu, w: number): number {
  if (isSNaN32(c.xd, w)) return X.IE;
  const v = c.xd[w]! & 0x7fffffff;
  return v !== 0 && v < 0x800000 && (c.mxcsr & R.DAZ) === 0 ? X.DE : 0;
}

/** Double v (not NaN) to float under a non-default MXCSR mode (RC, FTZ, DAZ). */
function narrowMode(c: InterpCpu, v: number): number {
  if (c.mxcsr & R.DAZ) v = R.daz(v, false);
  const de = X.narrowFlags(v, Math.fround(v), false) & X.DE;
  const y = R.narrowed(v, c.mxcsr);
  c.mxcsr |= de | R.flags;
  return y;
}
/** 66 0F 5A cvtpd2ps: two doubles -> two floats, upper half zeroed. */
export const opCvtpd2ps: Handler = (c, i) => {
  const s = 4 * srcW(c, i, 16), d = 4 * i.reg;
  narrowLane(c, s, d); narrowLane(c, s + 2, d + 1); // lane 0's result overwrites only dword d, never lane 1's source
  c.xd[d + 2] = 0; c.xd[d + 3] = 0;
};
/** 0F 5B cvtdq2ps. */
export const opCvtdq2ps: Handler = (c, i) => {
  const s = srcW(c, i, 16);
  for (let k = 0; k < 4; k++) {
    const v = c.xsd[4 * s + k]!;
    if (Math.fround(v) !== v) {
      c.mxcsr |= X.PE;
      if (R.rcOf(c.mxcsr) !== 0) { c.xf[4 * i.reg + k] = R.fromBigInt(BigInt(v), true, R.rcOf(c.mxcsr)); continue; }
    }
    c.xf[4 * i.reg + k] = v;
  }
};
/** 66 0F 5B cvtps2dq / F3 0F 5B cvttps2dq. */
function ps2dq(truncate: boolean): Handler {
  return (c, i) => {
    const s = srcW(c, i, 16);
    for (let k = 0; k < 4; k++) c.xd[4 * i.reg + k] = toInt(c, c.xf[4 * s + k]!, 4, truncate, true);
  };
}
export const opCvtps2dq = ps2dq(false), opCvttps2dq = ps2dq(true);
/** F3 0F E6 cvtdq2pd: two int32 -> two doubles. */
export const opCvtdq2pd: Handler = (c, i) => {
  const s = srcW(c, i, 8);
  const a = c.xsd[4 * s]!, b = c.xsd[4 * s + 1]!;
  c.xpd[2 * i.reg] = a; c.xpd[2 * i.reg + 1] = b;
};
/** 66 0F E6 cvttpd2dq / F2 0F E6 cvtpd2dq: two doubles -> two int32, upper half zeroed. */
function pd2dq(truncate: boolean): Handler {
  return (c, i) => {
    const s = srcW(c, i, 16);
    const a = toInt(c, c.xpd[2 * s]!, 4, truncate, false), b = toInt(c, c.xpd[2 * s + 1]!, 4, truncate, false);
    c.xd[4 * i.reg] = a; c.xd[4 * i.reg + 1] = b; c.xd[4 * i.reg + 2] = 0; c.xd[4 * i.reg + 3] = 0;
  };
}
export const opCvttpd2dq = pd2dq(true), opCvtpd2dq = pd2dq(false);
