/**
 * Shifts and rotates: group 2 (rol, ror, rcl, rcr, shl, shr, sal, sar) with
 * a count of 1, CL or Ib, and shld / shrd. Counts are masked to 5 bits (6
 * with REX.W); a masked count of 0 changes no flag. Flags are computed
 * eagerly. OF is defined by the SDM only for 1-bit shifts; for larger counts
 * we produce what the 1-bit formula gives (as QEMU does), AF is left 0.
 */

import type { InterpCpu } from '../cpu.js';
import { getCF, getFlags, setArith, signOf, szp } from '../flags.js';
import type { Handler, Insn } from '../insn.js';
import { FLAG_CF, FLAG_OF } from '../../regs.js';
import { readG, readRmw, trunc, writeRmw } from '../operands.js';

// 64-bit pair helpers; results in oLo/oHi. n in 0..63.
let oLo = 0, oHi = 0;

function shl64(lo: number, hi: number, n: number): void {
  if (n === 0) { oLo = lo; oHi = hi; } else if (n < 32) {
    oHi = ((hi << n) | (lo >>> (32 - n))) >>> 0; oLo = (lo << n) >>> 0;
  } else { oHi = (lo << (n - 32)) >>> 0; oLo = 0; }
}

function shr64(lo: number, hi: number, n: number): void {
  if (n === 0) { oLo = lo; oHi = hi; } else if (n < 32) {
    oLo = ((lo >>> n) | (hi << (32 - n))) >>> 0; oHi = hi >>> n;
  } else { oLo = hi >>> (n - 32); oHi = 0; }
}

function sar64(lo: number, hi: number, n: number): void {
  if (n === 0) { oLo = lo; oHi = hi; } else if (n < 32) {
    oLo = ((lo >>> n) | (hi << (32 - n))) >>> 0; oHi = (hi >> n) >>> 0;
  } else { oLo = (hi >> (n - 32)) >>> 0; oHi = (hi >> 31) >>> 0; }
}

function bit64(lo: number, hi: number, k: number): number {
  return k < 32 ? (lo >>> k) & 1 : (hi >>> (k - 32)) & 1;
}

const SHIFT_ROL = 0, SHIFT_ROR = 1, SHIFT_RCL = 2, SHIFT_RCR = 3, SHIFT_SHL = 4, SHIFT_SHR = 5, SHIFT_SAL = 6, SHIFT_SAR = 7;

/** Apply group-2 operation `op` to (v, vh) of `size` bytes by `count`; result in oLo/oHi, flags set. */
function shift(c: InterpCpu, op: number, size: number, v: number, vh: number, count: number): void {
  const bits = size * 8;
  const n = count & (size === 8 ? 63 : 31);
  oLo = v; oHi = vh;
  if (n === 0) return;
  let cf = 0, of = 0;
  switch (op) {
    case SHIFT_SHL: case SHIFT_SAL:
      if (size === 8) { shl64(v, vh, n); cf = bit64(v, vh, 64 - n); } else {
        oLo = n >= bits ? 0 : trunc(v << n, size);
        cf = n <= bits ? (v >>> (bits - n)) & 1 : 0;
        if (bits === 32 && n === 32) oLo = 0;
      }
      of = signOf(oLo, oHi, size) ^ cf;
      break;
    case SHIFT_SHR:
      if (size === 8) { shr64(v, vh, n); cf = bit64(v, vh, n - 1); } else {
        oLo = v >>> n; cf = (v >>> (n - 1)) & 1;
      }
      of = signOf(v, vh, size);
      break;
    case SHIFT_SAR:
      if (size === 8) { sar64(v, vh, n); cf = bit64(v, vh, n - 1); } else {
        const sv = (v << (32 - bits)) >> (32 - bits);
        oLo = trunc(sv >> n, size); cf = (sv >> (n - 1)) & 1;
      }
      break;
    case SHIFT_ROL: {
      const m = n % bits;
      if (size === 8) { shl64(v, vh, m); const a = oLo, b = oHi; shr64(v, vh, m === 0 ? 0 : 64 - m); if (m === 0) { oLo = v; oHi = vh; } else { oLo = (oLo | a) >>> 0; oHi = (oHi | b) >>> 0; } } else {
        oLo = m === 0 ? v : trunc((v << m) | (v >>> (bits - m)), size);
      }
      cf = oLo & 1;
      of = signOf(oLo, oHi, size) ^ cf;
      setArith(c, (getFlags(c) & ~(FLAG_CF | FLAG_OF)) | (cf ? FLAG_CF : 0) | (of ? FLAG_OF : 0));
      return;
    }
    case SHIFT_ROR: {
      const m = n % bits;
      if (size === 8) { shr64(v, vh, m); const a = oLo, b = oHi; shl64(v, vh, m === 0 ? 0 : 64 - m); if (m === 0) { oLo = v; oHi = vh; } else { oLo = (oLo | a) >>> 0; oHi = (oHi | b) >>> 0; } } else {
        oLo = m === 0 ? v : trunc((v >>> m) | (v << (bits - m)), size);
      }
      cf = signOf(oLo, oHi, size);
      of = cf ^ (size === 8 ? (oHi >>> 30) & 1 : (oLo >>> (bits - 2)) & 1);
      setArith(c, (getFlags(c) & ~(FLAG_CF | FLAG_OF)) | (cf ? FLAG_CF : 0) | (of ? FLAG_OF : 0));
      return;
    }
    default: { // RCL, RCR: rotate through CF, bit by bit (rare).
      const m = bits === 8 ? n % 9 : bits === 16 ? n % 17 : n;
      let lo = v, hi = vh;
      cf = getCF(c) ? 1 : 0;
      if (op === SHIFT_RCR) of = signOf(lo, hi, size) ^ cf;
      for (let k = 0; k < m; k++) {
        if (op === SHIFT_RCL) {
          const out = signOf(lo, hi, size);
          if (size === 8) { shl64(lo, hi, 1); lo = (oLo | cf) >>> 0; hi = oHi; } else lo = trunc((lo << 1) | cf, size);
          cf = out;
        } else {
          const out = lo & 1;
          if (size === 8) { shr64(lo, hi, 1); lo = oLo; hi = (oHi | (cf << 31)) >>> 0; } else lo = ((lo >>> 1) | (cf << (bits - 1))) >>> 0;
          cf = out;
        }
      }
      oLo = lo >>> 0; oHi = hi;
      if (op === SHIFT_RCL) of = signOf(oLo, oHi, size) ^ cf;
      setArith(c, (getFlags(c) & ~(FLAG_CF | FLAG_OF)) | (cf ? FLAG_CF : 0) | (of ? FLAG_OF : 0));
      return;
    }
  }
  setArith(c, szp(oLo, oHi, size) | (cf ? FLAG_CF : 0) | (of ? FLAG_OF : 0));
}

function grp2(byte: boolean, count: (c: InterpCpu, i: Insn) => number): Handler {
  return (c, i) => {
    const s = byte ? 1 : i.osize;
    const n = count(c, i);
    const v = readRmw(c, i, s), vh = c.hi;
    shift(c, i.reg & 7, s, v, vh, n);
    writeRmw(c, i, s, oLo, oHi);
  };
}

const one = (): number => 1;
const cl = (c: InterpCpu): number => c.r[2]! & 0xff;
const ib = (_c: InterpCpu, i: Insn): number => i.imm & 0xff;

/** Group 2 (C0, C1, D0-D3): the reg field picks rol/ror/rcl/rcr/shl/shr/sal/sar. */
export const opGrp2EbIb = grp2(true, ib), opGrp2EvIb = grp2(false, ib);
export const opGrp2Eb1 = grp2(true, one), opGrp2Ev1 = grp2(false, one);
export const opGrp2EbCl = grp2(true, cl), opGrp2EvCl = grp2(false, cl);

/** shld / shrd Ev,Gv,count. */
function shiftDouble(left: boolean, count: (c: InterpCpu, i: Insn) => number): Handler {
  return (c, i) => {
    const s = i.osize;
    const n = count(c, i) & (s === 8 ? 63 : 31);
    const src = readG(c, i, s), srch = c.hi;
    const d = readRmw(c, i, s), dh = c.hi;
    if (n === 0) { writeRmw(c, i, s, d, dh); return; }
    let lo: number, hi = 0, cf: number;
    if (s === 8) {
      if (left) {
        shl64(d, dh, n); const a = oLo, b = oHi; shr64(src, srch, 64 - n);
        lo = (a | oLo) >>> 0; hi = (b | oHi) >>> 0; cf = bit64(d, dh, 64 - n);
      } else {
        shr64(d, dh, n); const a = oLo, b = oHi; shl64(src, srch, 64 - n);
        lo = (a | oLo) >>> 0; hi = (b | oHi) >>> 0; cf = bit64(d, dh, n - 1);
      }
    } else if (s === 4) {
      lo = left ? ((d << n) | (src >>> (32 - n))) >>> 0 : ((d >>> n) | (src << (32 - n))) >>> 0;
      cf = left ? (d >>> (32 - n)) & 1 : (d >>> (n - 1)) & 1;
    } else {
      // 16-bit: shift the 32-bit concatenation (counts above 16 are undefined).
      if (left) {
        const w = ((d << 16) | src) >>> 0;
        lo = n <= 16 ? (w << n) >>> 16 & 0xffff : ((w << (n - 16)) >>> 0) & 0xffff;
        cf = n <= 16 ? (d >>> (16 - n)) & 1 : 0;
      } else {
        const w = ((src << 16) | d) >>> 0;
        lo = (w >>> n) & 0xffff;
        cf = (w >>> (n - 1)) & 1;
      }
    }
    writeRmw(c, i, s, lo, hi);
    const of = signOf(lo, hi, s) ^ signOf(d, dh, s);
    setArith(c, szp(lo, hi, s) | (cf ? FLAG_CF : 0) | (of ? FLAG_OF : 0));
  };
}

export const opShldEvGvIb = shiftDouble(true, ib), opShldEvGvCl = shiftDouble(true, cl);
export const opShrdEvGvIb = shiftDouble(false, ib), opShrdEvGvCl = shiftDouble(false, cl);
