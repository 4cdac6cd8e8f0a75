/**
 * The SSE exception flags (MXCSR bits 5:0: PE UE OE ZE DE IE) that an
 * operation raises, with every exception masked as Linux starts a task
 * (SDM vol. 1 11.5: masked responses, flags still set).
 *
 * The common case is decided with cheap exact arithmetic on doubles: a
 * TwoSum or Dekker TwoProduct error term tells whether the rounded JS
 * result was exact. Results near the ends of the exponent range, where
 * those error terms underflow or overflow, are checked exactly with the
 * BigInt software floating point of f80.ts.
 */

import * as F from '../f80.js';

export const IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32;
export const OP_ADD = 0, OP_SUB = 1, OP_MUL = 2, OP_DIV = 3, OP_SQRT = 4;

const MIN64 = 2 ** -1022, MIN32 = 2 ** -126;
const SPLIT = 134217729; // 2^27 + 1 (Veltkamp)

/** a + b = s + err exactly (Knuth TwoSum). */
export function sumErr(a: number, b: number, s: number): number {
  const bb = s - a;
  return (a - (s - bb)) + (b - bb);
}

/** a * b = p + err exactly (Dekker TwoProduct; operands well inside the exponent range). */
export function prodErr(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a), al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b), bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

function isDenormal(x: number, single: boolean): boolean {
  return x !== 0 && Math.abs(x) < (single ? MIN32 : MIN64);
}

/** Exact flags of a double operation through f80.ts (slow; for the edges of the range). */
function exactFlags64(op: number, a: number, b: number): number {
  F.clearRaised();
  const ua = F.fromNumber(a), ub = F.fromNumber(b);
  switch (op) {
    case OP_ADD: F.add(ua, ub, F.FMT_F64, F.RC_NEAREST); break;
    case OP_SUB: F.sub(ua, ub, F.FMT_F64, F.RC_NEAREST); break;
    case OP_MUL: F.mul(ua, ub, F.FMT_F64, F.RC_NEAREST); break;
    case OP_DIV: F.div(ua, ub, F.FMT_F64, F.RC_NEAREST); break;
    default: F.sqrt(ub, F.FMT_F64, F.RC_NEAREST);
  }
  return F.raised & (PE | UE | OE);
}

/**
 * Flags of `a op b` whose correctly rounded result is `res` (double) or
 * `Math.fround` of `r` (single: `r` is the double result of the float
 * operands). `snan`: an operand is a signalling NaN. For sqrt, b is the
 * operand.
 */
export function arithFlags(op: number, single: boolean, a: number, b: number, r: number, snan: boolean): number {
  const unary = op === OP_SQRT;
  if (b !== b || (!unary && a !== a)) return snan ? IE : 0;
  if (r !== r) return IE; // invalid operation: inf - inf, 0 * inf, 0 / 0, inf / inf, sqrt(-x)
  let f = isDenormal(b, single) || (!unary && isDenormal(a, single)) ? DE : 0;
  // x / 0 raises ZE alone, even when x is a denormal (this machine's CPU; divsd 0x0004ef389d2d3c42 / 0 gives ZE only).
  if (op === OP_DIV && b === 0 && a === a && Math.abs(a) !== Infinity) return a === 0 ? IE : ZE;
  const res = single ? Math.fround(r) : r;
  const inputsFinite = Math.abs(b) !== Infinity && (unary || Math.abs(a) !== Infinity);
  if (!inputsFinite) return f;
  if (Math.abs(res) === Infinity) return f | OE | PE;
  const min = single ? MIN32 : MIN64;
  if (!single && (Math.abs(res) < 2 ** -960 || Math.abs(res) > 2 ** 960 || Math.abs(a) > 2 ** 960 || Math.abs(b) > 2 ** 960
    || (a !== 0 && Math.abs(a) < 2 ** -960) || (b !== 0 && Math.abs(b) < 2 ** -960))) {
    return f | exactFlags64(op, a, b);
  }
  let inexact: boolean;
  switch (op) {
    case OP_ADD: inexact = sumErr(a, b, r) !== 0 || res !== r; break;
    case OP_SUB: inexact = sumErr(a, -b, r) !== 0 || res !== r; break;
    case OP_MUL: inexact = single ? res !== r : prodErr(a, b, r) !== 0; break;
    case OP_DIV: {
      const p = res * b;
      inexact = p !== a || (!single && prodErr(res, b, p) !== 0);
      break;
    }
    default: {
      const p = res * res;
      inexact = p !== b || (!single && prodErr(res, res, p) !== 0);
    }
  }
  if (!inexact) return f;
  f |= PE;
  if (res === 0 || Math.abs(res) < min) f |= UE;
  return f;
}

/** Flags of comparing a and b: comis and the ordered cmpps predicates signal on any NaN, ucomis and the others on SNaN only. */
export function compareFlags(single: boolean, a: number, b: number, snan: boolean, signalQuiet: boolean): number {
  if (a !== a || b !== b) return snan || signalQuiet ? IE : 0;
  return isDenormal(a, single) || isDenormal(b, single) ? DE : 0;
}

/** Flags of converting x to an integer of `bits` by rounding to `v` (NaN or out of range: IE). */
export function toIntFlags(x: number, v: number, bits: number): number {
  if (x !== x || v >= 2 ** (bits - 1) || v < -(2 ** (bits - 1))) return IE;
  return v !== x ? PE : 0;
}

/** Flags of narrowing a double to float: x the double, y = Math.fround(x). */
export function narrowFlags(x: number, y: number, snan: boolean): number {
  if (x !== x) return snan ? IE : 0;
  let f = isDenormal(x, false) ? DE : 0;
  if (Math.abs(x) !== Infinity && Math.abs(y) === Infinity) return f | OE | PE;
  if (y !== x) {
    f |= PE;
    if (y === 0 || Math.abs(y) < MIN32) f |= UE;
  }
  return f;
}
