/**
 * Software floating point for the x87 unit: 80-bit extended precision, exact.
 *
 * A register value is kept in its hardware encoding: `se` (sign << 15 |
 * 15-bit biased exponent) and `m`, the 64-bit significand with its explicit
 * integer bit. Arithmetic unpacks to (sign, m, e) meaning (-1)^sign * m * 2^e
 * with m an arbitrary BigInt, computes exactly, and rounds once to the
 * destination format by the rounding control: so results are the correctly
 * rounded ones the hardware gives (IEEE 754 with x87's formats).
 *
 * BigInt is fine here: x87 code is rare and never on a hot path of
 * modern compiled code (long double formatting, some libm).
 */

/** Rounding control (FCW bits 11:10, MXCSR bits 14:13). */
export const RC_NEAREST = 0, RC_DOWN = 1, RC_UP = 2, RC_ZERO = 3;

/** A destination format: significand bits, smallest and largest normal exponent. */
export interface Fmt { prec: number; emin: number; emax: number }
export const FMT_F80: Fmt = { prec: 64, emin: -16382, emax: 16383 };
export const FMT_F64: Fmt = { prec: 53, emin: -1022, emax: 1023 };
export const FMT_F32: Fmt = { prec: 24, emin: -126, emax: 127 };

export const CLS_ZERO = 0, CLS_NUM = 1, CLS_INF = 2, CLS_NAN = 3;

/** An unpacked value. For CLS_NAN, `m` keeps the 64-bit significand (payload). */
export interface Unpacked { cls: number; s: number; m: bigint; e: number }

/** An 80-bit register value. */
export interface F80 { se: number; m: bigint }

/** Exception flags raised by the last operation (FSW/MXCSR bit positions: IE 0, DE 1, ZE 2, OE 3, UE 4, PE 5). */
export let raised = 0;
export function clearRaised(): void { raised = 0; tiny = false; up = false; }

/** Whether the last rounding increased the magnitude (x87 C1 after an inexact result: SDM vol. 1 8.1.3.1). */
export let up = false;

export const F80_INDEFINITE: F80 = { se: 0xffff, m: 0xc000000000000000n };

export function bitLength(m: bigint): number {
  if (m === 0n) return 0;
  let n = 0;
  while (m >= 0x10000000000000n) { m >>= 52n; n += 52; } // 2^52: the rest converts to a double exactly
  const v = Number(m), hi = Math.floor(v / 4294967296);
  return n + (hi > 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(v));
}

export function unpackF80(v: F80): Unpacked {
  const s = v.se >> 15, exp = v.se & 0x7fff;
  if (exp === 0x7fff) {
    return (v.m & 0x7fffffffffffffffn) === 0n ? { cls: CLS_INF, s, m: 0n, e: 0 } : { cls: CLS_NAN, s, m: v.m, e: 0 };
  }
  if (v.m === 0n) return { cls: CLS_ZERO, s, m: 0n, e: 0 };
  return { cls: CLS_NUM, s, m: v.m, e: (exp === 0 ? 1 : exp) - 16383 - 63 };
}

export function unpackF64(lo: number, hi: number): Unpacked {
  const s = hi >>> 31, exp = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo >>> 0);
  if (exp === 0x7ff) return frac === 0n ? { cls: CLS_INF, s, m: 0n, e: 0 } : { cls: CLS_NAN, s, m: (frac << 11n) | (1n << 63n), e: 0 };
  if (exp === 0) return frac === 0n ? { cls: CLS_ZERO, s, m: 0n, e: 0 } : { cls: CLS_NUM, s, m: frac, e: -1074 };
  return { cls: CLS_NUM, s, m: frac | (1n << 52n), e: exp - 1075 };
}

export function unpackF32(bits: number): Unpacked {
  const s = bits >>> 31, exp = (bits >>> 23) & 0xff, frac = BigInt(bits & 0x7fffff);
  if (exp === 0xff) return frac === 0n ? { cls: CLS_INF, s, m: 0n, e: 0 } : { cls: CLS_NAN, s, m: (frac << 40n) | (1n << 63n), e: 0 };
  if (exp === 0) return frac === 0n ? { cls: CLS_ZERO, s, m: 0n, e: 0 } : { cls: CLS_NUM, s, m: frac, e: -149 };
  return { cls: CLS_NUM, s, m: frac | (1n << 23n), e: exp - 150 };
}

/** m * 2^e as an integer, rounded by rc (for fist/frndint). Returns the signed BigInt. */
export function roundToInt(u: Unpacked, rc: number): bigint {
  if (u.cls === CLS_ZERO) return 0n;
  let q: bigint;
  if (u.e >= 0) q = u.m << BigInt(u.e);
  else q = shiftRound(u.m, -u.e, u.s, rc);
  return u.s ? -q : q;
}

/** m >> sh rounded by rc (s: sign of the value, for directed modes); sets PE when inexact. */
function shiftRound(m: bigint, sh: number, s: number, rc: number): bigint {
  if (sh <= 0) return m << BigInt(-sh);
  const big = BigInt(sh);
  const rem = m & ((1n << big) - 1n);
  let q = m >> big;
  if (rem === 0n) return q;
  raised |= 0x20;
  switch (rc) {
    case RC_NEAREST: {
      const half = 1n << (big - 1n);
      if (rem > half || (rem === half && (q & 1n) === 1n)) { q++; up = true; }
      break;
    }
    case RC_DOWN: if (s) { q++; up = true; } break;
    case RC_UP: if (!s) { q++; up = true; } break;
  }
  return q;
}

/**
 * Whether the last rounded result was tiny (SDM vol. 1 4.9.1.5: x86 detects
 * tininess after rounding, as if the exponent range were unbounded). With
 * MXCSR.FTZ a tiny result becomes zero, exact or not.
 */
export let tiny = false;

/** Tininess after rounding: (-1)^s m 2^e (leading bit at 2^top) rounded to fmt.prec bits with no exponent limit is below 2^emin. */
function isTiny(s: number, m: bigint, e: number, top: number, fmt: Fmt, rc: number): boolean {
  const saved = raised, savedUp = up;
  const q = shiftRound(m, top - (fmt.prec - 1) - e, s, rc);
  raised = saved; up = savedUp;
  return bitLength(q) <= fmt.prec || top + 1 < fmt.emin;
}

/**
 * Round (-1)^s * m * 2^e to `fmt`: returns the rounded significand q and the
 * exponent of its last place, or an infinity / largest finite on overflow.
 */
export function round(s: number, m: bigint, e: number, fmt: Fmt, rc: number): Unpacked {
  tiny = false; up = false;
  if (m === 0n) return { cls: CLS_ZERO, s, m: 0n, e: 0 };
  const len = bitLength(m);
  const top = e + len - 1; // exponent of the leading bit
  const minUlp = fmt.emin - (fmt.prec - 1);
  let ulp = Math.max(top - (fmt.prec - 1), minUlp);
  let q = shiftRound(m, ulp - e, s, rc);
  if (bitLength(q) > fmt.prec) { q >>= 1n; ulp++; } // carry out of rounding (exact: low bit was 0)
  tiny = top < fmt.emin && isTiny(s, m, e, top, fmt, rc);
  if (tiny && (raised & 0x20)) raised |= 0x10; // tiny and inexact: underflow
  if (q === 0n) return { cls: CLS_ZERO, s, m: 0n, e: 0 };
  const newTop = ulp + bitLength(q) - 1;
  if (newTop > fmt.emax) {
    raised |= 0x28;
    const toInf = rc === RC_NEAREST || (rc === RC_UP && s === 0) || (rc === RC_DOWN && s === 1);
    up = toInf;
    if (toInf) return { cls: CLS_INF, s, m: 0n, e: 0 };
    return { cls: CLS_NUM, s, m: (1n << BigInt(fmt.prec)) - 1n, e: fmt.emax - (fmt.prec - 1) };
  }
  return { cls: CLS_NUM, s, m: q, e: ulp };
}

/** Pack an already rounded value into the 80-bit format. */
export function packF80(u: Unpacked): F80 {
  const sign = u.s << 15;
  switch (u.cls) {
    case CLS_ZERO: return { se: sign, m: 0n };
    case CLS_INF: return { se: sign | 0x7fff, m: 1n << 63n };
    case CLS_NAN: return { se: sign | 0x7fff, m: u.m | (3n << 62n) };
  }
  const len = bitLength(u.m);
  const top = u.e + len - 1;
  if (top < -16382) return { se: sign, m: u.m << BigInt(u.e + 16445) };
  return { se: sign | (top + 16383), m: u.m << BigInt(64 - len) };
}

/** Pack a value rounded to FMT_F64 into (lo, hi) words; NaNs keep the top 52 payload bits, quieted. */
export function packF64(u: Unpacked): [number, number] {
  const sign = u.s ? 0x80000000 : 0;
  switch (u.cls) {
    case CLS_ZERO: return [0, sign >>> 0];
    case CLS_INF: return [0, (sign | 0x7ff00000) >>> 0];
    case CLS_NAN: {
      const f = (u.m >> 11n) & 0xfffffffffffffn;
      return [Number(f & 0xffffffffn), (sign | 0x7ff80000 | Number(f >> 32n)) >>> 0];
    }
  }
  const len = bitLength(u.m);
  const top = u.e + len - 1;
  let bits: bigint;
  if (top < -1022) bits = u.m << BigInt(u.e + 1074);
  else bits = (BigInt(top + 1023) << 52n) | ((u.m << BigInt(53 - len)) & 0xfffffffffffffn);
  return [Number(bits & 0xffffffffn), (sign | Number(bits >> 32n)) >>> 0];
}

export function packF32(u: Unpacked): number {
  const sign = u.s ? 0x80000000 : 0;
  switch (u.cls) {
    case CLS_ZERO: return sign >>> 0;
    case CLS_INF: return (sign | 0x7f800000) >>> 0;
    case CLS_NAN: return (sign | 0x7fc00000 | Number((u.m >> 40n) & 0x7fffffn)) >>> 0;
  }
  const len = bitLength(u.m);
  const top = u.e + len - 1;
  if (top < -126) return (sign | Number(u.m << BigInt(u.e + 149))) >>> 0;
  return (sign | ((top + 127) << 23) | Number((u.m << BigInt(24 - len)) & 0x7fffffn)) >>> 0;
}

// ---- arithmetic on unpacked values ---------------------------------------------------------

const NAN_DEFAULT: Unpacked = { cls: CLS_NAN, s: 1, m: 0xc000000000000000n, e: 0 };

/** NaN result of a two-operand operation (x87: the NaN with the larger significand, quieted). */
export function nanOf(a: Unpacked, b: Unpacked): Unpacked {
  if (((a.cls === CLS_NAN && (a.m & (1n << 62n)) === 0n)) || (b.cls === CLS_NAN && (b.m & (1n << 62n)) === 0n)) raised |= 1;
  if (a.cls === CLS_NAN && b.cls === CLS_NAN) {
    // The larger significand; equal ones: the positive (SoftFloat's propagateFloatx80NaN, as the hardware).
    const ma = a.m | (1n << 62n), mb = b.m | (1n << 62n);
    const pick = ma !== mb ? (ma > mb ? a : b) : a.s <= b.s ? a : b;
    return { ...pick, m: pick.m | (1n << 62n) };
  }
  const n = a.cls === CLS_NAN ? a : b;
  return { ...n, m: n.m | (1n << 62n) };
}

function invalid(): Unpacked { raised |= 1; return NAN_DEFAULT; }

export function add(a: Unpacked, b: Unpacked, fmt: Fmt, rc: number): Unpacked {
  if (a.cls === CLS_NAN || b.cls === CLS_NAN) return nanOf(a, b);
  if (a.cls === CLS_INF || b.cls === CLS_INF) {
    if (a.cls === CLS_INF && b.cls === CLS_INF && a.s !== b.s) return invalid();
    return a.cls === CLS_INF ? a : b;
  }
  if (a.cls === CLS_ZERO && b.cls === CLS_ZERO) return { cls: CLS_ZERO, s: a.s === b.s ? a.s : rc === RC_DOWN ? 1 : 0, m: 0n, e: 0 };
  if (a.cls === CLS_ZERO) return round(b.s, b.m, b.e, fmt, rc);
  if (b.cls === CLS_ZERO) return round(a.s, a.m, a.e, fmt, rc);
  let { m: ma, e: ea } = a, { m: mb, e: eb } = b;
  // A far smaller operand only matters as a sticky bit below the rounding point.
  const ta = ea + bitLength(ma), tb = eb + bitLength(mb);
  if (ta - tb > 200) { mb = 1n; eb = ta - 200; } else if (tb - ta > 200) { ma = 1n; ea = tb - 200; }
  const e = Math.min(ea, eb);
  const va = (ma << BigInt(ea - e)) * (a.s ? -1n : 1n), vb = (mb << BigInt(eb - e)) * (b.s ? -1n : 1n);
  const v = va + vb;
  if (v === 0n) return { cls: CLS_ZERO, s: rc === RC_DOWN ? 1 : 0, m: 0n, e: 0 };
  return round(v < 0n ? 1 : 0, v < 0n ? -v : v, e, fmt, rc);
}

export function neg(a: Unpacked): Unpacked { return { ...a, s: a.s ^ 1 }; }

/** a - b (a NaN operand keeps its sign: the subtraction is not a negation). */
export function sub(a: Unpacked, b: Unpacked, fmt: Fmt, rc: number): Unpacked {
  if (a.cls === CLS_NAN || b.cls === CLS_NAN) return nanOf(a, b);
  return add(a, neg(b), fmt, rc);
}

export function mul(a: Unpacked, b: Unpacked, fmt: Fmt, rc: number): Unpacked {
  if (a.cls === CLS_NAN || b.cls === CLS_NAN) return nanOf(a, b);
  const s = a.s ^ b.s;
  if (a.cls === CLS_INF || b.cls === CLS_INF) {
    if (a.cls === CLS_ZERO || b.cls === CLS_ZERO) return invalid();
    return { cls: CLS_INF, s, m: 0n, e: 0 };
  }
  if (a.cls === CLS_ZERO || b.cls === CLS_ZERO) return { cls: CLS_ZERO, s, m: 0n, e: 0 };
  return round(s, a.m * b.m, a.e + b.e, fmt, rc);
}

export function div(a: Unpacked, b: Unpacked, fmt: Fmt, rc: number): Unpacked {
  if (a.cls === CLS_NAN || b.cls === CLS_NAN) return nanOf(a, b);
  const s = a.s ^ b.s;
  if (a.cls === CLS_INF) return b.cls === CLS_INF ? invalid() : { cls: CLS_INF, s, m: 0n, e: 0 };
  if (b.cls === CLS_INF) return { cls: CLS_ZERO, s, m: 0n, e: 0 };
  if (b.cls === CLS_ZERO) {
    if (a.cls === CLS_ZERO) return invalid();
    raised |= 4;
    return { cls: CLS_INF, s, m: 0n, e: 0 };
  }
  if (a.cls === CLS_ZERO) return { cls: CLS_ZERO, s, m: 0n, e: 0 };
  const sh = 140 + bitLength(b.m) - bitLength(a.m);
  const n = a.m << BigInt(Math.max(sh, 0));
  let q = n / b.m;
  if (q * b.m !== n) q = (q << 1n) | 1n; else q <<= 1n; // one more bit, sticky
  return round(s, q, a.e - b.e - Math.max(sh, 0) - 1, fmt, rc);
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function sqrt(a: Unpacked, fmt: Fmt, rc: number): Unpacked {
  if (a.cls === CLS_NAN) return nanOf(a, a);
  if (a.cls === CLS_ZERO) return a;
  if (a.s) return invalid();
  if (a.cls === CLS_INF) return a;
  let m = a.m, e = a.e;
  if (e % 2 !== 0) { m <<= 1n; e--; }
  const extra = 2 * (140 - Math.floor(bitLength(m) / 2));
  const n = m << BigInt(Math.max(extra, 0));
  let q = isqrt(n);
  q = q * q === n ? q << 1n : (q << 1n) | 1n;
  return round(0, q, (e - Math.max(extra, 0)) / 2 - 1, fmt, rc);
}

/** Compare: -1 less, 0 equal, 1 greater, 2 unordered. */
export function compare(a: Unpacked, b: Unpacked): number {
  if (a.cls === CLS_NAN || b.cls === CLS_NAN) return 2;
  const sv = (u: Unpacked): number => (u.cls === CLS_ZERO ? 0 : u.s ? -1 : 1);
  const sa = sv(a), sb = sv(b);
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  let mag: number;
  if (a.cls === CLS_INF || b.cls === CLS_INF) mag = a.cls === b.cls ? 0 : a.cls === CLS_INF ? 1 : -1;
  else {
    const ta = a.e + bitLength(a.m), tb = b.e + bitLength(b.m);
    if (ta !== tb) mag = ta > tb ? 1 : -1;
    else {
      const e = Math.min(a.e, b.e);
      const x = a.m << BigInt(a.e - e), y = b.m << BigInt(b.e - e);
      mag = x === y ? 0 : x > y ? 1 : -1;
    }
  }
  return sa < 0 ? -mag : mag;
}

/** A JS double as an unpacked value (exact). */
export function fromNumber(x: number): Unpacked {
  numF64[0] = x;
  return unpackF64(numW32[0]!, numW32[1]!);
}
const numF64 = new Float64Array(1), numW32 = new Uint32Array(numF64.buffer);

/** An unpacked value rounded to the nearest double (for transcendental approximations). */
export function toNumber(u: Unpacked): number {
  const [lo, hi] = packF64(u.cls === CLS_NUM ? round(u.s, u.m, u.e, FMT_F64, RC_NEAREST) : u);
  const w = new Uint32Array([lo, hi]);
  return new Float64Array(w.buffer)[0]!;
}
