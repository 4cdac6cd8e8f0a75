/**
 * rcpps, rcpss, rsqrtps, rsqrtss (0F 53, 0F 52): the SSE approximations of
 * 1/x and 1/sqrt(x).
 *
 * The SDM specifies only a bound (relative error at most 1.5 * 2^-12) and
 * the special cases; each CPU family has its own table, so no one answer is
 * "the hardware's". We return the float32 nearest the exact value, which is
 * within every bound, with the SDM's special cases: tiny results flushed to
 * zero, denormal and zero inputs giving infinities, a negative square root
 * the QNaN indefinite, NaNs quieted. They raise no MXCSR flags (SDM:
 * "SIMD Floating-Point Exceptions: None").
 */

import type { Handler } from '../insn.js';
import { srcW } from './sse.js';

const MIN_NORMAL = 2 ** -126;
const SIGN = 0x80000000, INF = 0x7f800000, QNAN_INDEFINITE = 0xffc00000;
const RCP_TINY_FROM = 0x7e7fd000;

/** Bits of a float32 `r` flushed to signed zero when tiny. */
function flushTiny(r: number, sign: number, buf: Float32Array, u: Uint32Array): number {
  if (Math.abs(r) < MIN_NORMAL) return sign;
  buf[0] = r;
  return u[0]!;
}

const f = new Float32Array(1), u = new Uint32Array(f.buffer);

/** 1/x of the float32 with bits `b`, as bits. */
export function rcp32(b: number): number {
  const sign = b & SIGN, mag = b & 0x7fffffff;
  if (mag > INF) return (b | 0x400000) >>> 0; // NaN: quieted
  if (mag < 0x00800000) return (sign | INF) >>> 0; // zero or denormal: infinity
  // SDM RCPPS: inputs of magnitude 1.11111111110100000000000B * 2^125 and above
  // are guaranteed to give tiny results, which are flushed to zero.
  if (mag >= RCP_TINY_FROM) return sign >>> 0;
  u[0] = b;
  return flushTiny(Math.fround(1 / f[0]!), sign, f, u) >>> 0;
}

/** 1/sqrt(x) of the float32 with bits `b`, as bits. */
export function rsqrt32(b: number): number {
  const sign = b & SIGN, mag = b & 0x7fffffff;
  if (mag > INF) return (b | 0x400000) >>> 0;
  if (mag < 0x00800000) return (sign | INF) >>> 0; // ±0 and denormals: ±infinity
  if (sign !== 0) return QNAN_INDEFINITE;
  u[0] = b;
  return flushTiny(Math.fround(1 / Math.sqrt(f[0]!)), 0, f, u) >>> 0;
}

function packed(fn: (b: number) => number): Handler {
  return (c, i) => {
    const s = srcW(c, i, 16, true), x = c.xd, d = 4 * i.reg;
    const v = [fn(x[4 * s]!), fn(x[4 * s + 1]!), fn(x[4 * s + 2]!), fn(x[4 * s + 3]!)];
    x[d] = v[0]!; x[d + 1] = v[1]!; x[d + 2] = v[2]!; x[d + 3] = v[3]!;
  };
}

function scalar(fn: (b: number) => number): Handler {
  return (c, i) => {
    const s = srcW(c, i, 4, false);
    c.xd[4 * i.reg] = fn(c.xd[4 * s]!);
  };
}

export const opRcpps = packed(rcp32);
export const opRcpss = scalar(rcp32);
export const opRsqrtps = packed(rsqrt32);
export const opRsqrtss = scalar(rsqrt32);
