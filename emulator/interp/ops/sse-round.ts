/**
 * SSE arithmetic under a non-default MXCSR mode: rounding control (RC,
 * bits 14:13: nearest, down, up, toward zero), flush-to-zero (FTZ, bit 15)
 * and denormals-are-zero (DAZ, bit 6). MXCSR_INITIAL (0x1f80) has none of
 * them, and the handlers branch here only when one is set, so the usual
 * round-to-nearest path pays one test of `c.mxcsr`.
 *
 * A directed result is the nearest one (what JavaScript computes) moved by
 * one unit in the last place when the exact error says the exact value lies
 * on the other side: the error's sign comes from error-free transforms
 * (TwoSum for + and -, Dekker's TwoProduct for *, the exact residuals
 * a - q*b and a - s*s for / and sqrt). Operands or results near the ends of
 * the exponent range (overflow, underflow, where those transforms are not
 * exact) go through the exact BigInt arithmetic of f80.ts instead, which
 * rounds by RC, overflows to the largest finite value when RC says so (IEEE
 * 754 7.4) and reports tininess after rounding, as x86 detects it.
 */

import * as F from '../f80.js';
import * as X from './mxcsr.js';

/** MXCSR bits that take an operation off the round-to-nearest path. */
export const MODE_BITS = 0xe040;
export const DAZ = 0x40, FTZ = 0x8000;
export const rcOf = (mxcsr: number): number => (mxcsr >> 13) & 3;

/** Flags (PE UE OE) of the last `rounded`/`narrowed` call. */
export let flags = 0;

const f64 = new Float64Array(1), w64 = new Uint32Array(f64.buffer);
const f32 = new Float32Array(1), w32 = new Uint32Array(f32.buffer);
const MIN64 = 2 ** -1022, MIN32 = 2 ** -126;

/** Denormals-are-zero: a denormal operand becomes a zero of its sign. */
export function daz(x: number, single: boolean): number {
  return x !== 0 && Math.abs(x) < (single ? MIN32 : MIN64) ? (x < 0 ? -0 : 0) : x;
}

/** The double next to finite, nonzero x toward +inf (dir 1) or -inf (dir -1). */
function step64(x: number, dir: number): number {
  f64[0] = x;
  if ((x > 0) === (dir > 0)) { // away from zero: add one to the bits
    if (w64[0] === 0xffffffff) { w64[0] = 0; w64[1] = w64[1]! + 1; } else w64[0] = w64[0]! + 1;
  } else if (w64[0] === 0) { w64[0] = 0xffffffff; w64[1] = w64[1]! - 1; } else w64[0] = w64[0]! - 1;
  return f64[0]!;
}

function step32(x: number, dir: number): number {
  f32[0] = x;
  w32[0] = (x > 0) === (dir > 0) ? w32[0]! + 1 : w32[0]! - 1;
  return f32[0]!;
}

/** Whether rounding by rc moves the nearest result r (finite, nonzero) given the exact value's side d (sign of exact - r). */
function moves(r: number, d: number, rc: number): boolean {
  switch (rc) {
    case F.RC_DOWN: return d < 0;
    case F.RC_UP: return d > 0;
    case F.RC_ZERO: return (d < 0) === (r > 0);
    default: return false;
  }
}

/** The sign of (exact result - r) for r the nearest double of `a op b` (operands and r well inside the range). */
function errSign(op: number, a: number, b: number, r: number): number {
  let e: number;
  switch (op) {
    case X.OP_ADD: e = X.sumErr(a, b, r); break;
    case X.OP_SUB: e = X.sumErr(a, -b, r); break;
    case X.OP_MUL: e = X.prodErr(a, b, r); break;
    case X.OP_DIV: { const p = r * b; e = (a - p) - X.prodErr(r, b, p); if (b < 0) e = -e; break; } // a - r*b exact (Sterbenz, Dekker)
    default: { const p = r * r; e = (b - p) - X.prodErr(r, r, p); }
  }
  return e > 0 ? 1 : e < 0 ? -1 : 0;
}

const inRange64 = (x: number): boolean => { const m = Math.abs(x); return m >= 2 ** -900 && m <= 2 ** 900; };

/**
 * `a op b` rounded by mxcsr's RC (FTZ applied); r is the nearest double
 * result, not NaN. Sets `flags` to PE/UE/OE; DE/ZE/IE are the caller's
 * (they do not depend on the mode).
 */
export function rounded(op: number, single: boolean, a: number, b: number, r: number, mxcsr: number): number {
  const rc = rcOf(mxcsr);
  if (single) {
    const m = Math.abs(r);
    if (m >= 2 ** -120 && m <= 2 ** 120) return roundSingle(r, errSign(op, a, b, r), rc);
  } else if (inRange64(r) && inRange64(b) && (op === X.OP_SQRT || inRange64(a))) {
    const d = errSign(op, a, b, r);
    flags = d === 0 ? 0 : X.PE;
    return d !== 0 && moves(r, d, rc) ? step64(r, d) : r;
  }
  return exact(op, single, a, b, mxcsr);
}

/** Round the double r (exact value on side e of it) to float by rc: r's own distance to the float decides first. */
function roundSingle(r: number, e: number, rc: number): number {
  const y = Math.fround(r);
  const d = r !== y ? (r > y ? 1 : -1) : e;
  flags = d === 0 ? 0 : X.PE;
  return d !== 0 && moves(y, d, rc) ? step32(y, d) : y;
}

/** The exact path (f80.ts): every case the fast one does not cover. */
function exact(op: number, single: boolean, a: number, b: number, mxcsr: number): number {
  const fmt = single ? F.FMT_F32 : F.FMT_F64, rc = rcOf(mxcsr);
  const ua = F.fromNumber(a), ub = F.fromNumber(b);
  F.clearRaised();
  let u: F.Unpacked;
  switch (op) {
    case X.OP_ADD: u = F.add(ua, ub, fmt, rc); break;
    case X.OP_SUB: u = F.sub(ua, ub, fmt, rc); break;
    case X.OP_MUL: u = F.mul(ua, ub, fmt, rc); break;
    case X.OP_DIV: u = F.div(ua, ub, fmt, rc); break;
    default: u = F.sqrt(ub, fmt, rc);
  }
  return packed(u, single, mxcsr);
}

/** A rounded f80.ts value as a number, flushed to zero when tiny under FTZ; flags from F.raised. */
function packed(u: F.Unpacked, single: boolean, mxcsr: number): number {
  flags = F.raised & (X.PE | X.UE | X.OE);
  if (F.tiny && (mxcsr & FTZ) !== 0) { flags |= X.UE | X.PE; return u.s ? -0 : 0; }
  if (single) { w32[0] = F.packF32(u); return f32[0]!; }
  const [lo, hi] = F.packF64(u);
  w64[0] = lo; w64[1] = hi;
  return f64[0]!;
}

/** Double x (not NaN) to float by mxcsr's RC and FTZ (cvtsd2ss, cvtpd2ps); sets `flags` (PE UE OE). */
export function narrowed(x: number, mxcsr: number): number {
  const m = Math.abs(x);
  if (m >= 2 ** -120 && m <= 2 ** 120) return roundSingle(x, 0, rcOf(mxcsr));
  if (m === 0 || m === Infinity) { flags = 0; return x; }
  F.clearRaised();
  const u = F.fromNumber(x);
  return packed(F.round(u.s, u.m, u.e, F.FMT_F32, rcOf(mxcsr)), true, mxcsr);
}

/** The integer n (|n| beyond what the target holds exactly) rounded by rc to a double or float; sets `flags` (PE). */
export function fromBigInt(n: bigint, single: boolean, rc: number): number {
  F.clearRaised();
  const u = F.round(n < 0n ? 1 : 0, n < 0n ? -n : n, 0, single ? F.FMT_F32 : F.FMT_F64, rc);
  return packed(u, single, 0);
}
