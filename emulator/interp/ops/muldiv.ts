/**
 * Group 3 (F6, F7: test, not, neg, mul, imul, div, idiv) and the two- and
 * three-operand imul.
 *
 * Products are exact: 32x32 bits in 16-bit limbs, 64x64 bits in 32-bit limbs
 * (no BigInt). Division by a 64-bit value of a 128-bit dividend falls back
 * to BigInt unless both fit a double exactly. mul/imul set CF and OF as
 * defined; SF, ZF and PF (undefined) come from the low half of the result,
 * AF is 0. div/idiv leave the (undefined) flags as they were.
 */

import type { InterpCpu } from '../cpu.js';
import { setArith, szp } from '../flags.js';
import type { Handler, Insn } from '../insn.js';
import { Trap } from '../memory.js';
import { FLAG_CF, FLAG_OF } from '../../regs.js';
import { getReg, readE, readG, setReg, trunc, writeG } from '../operands.js';
import { incDecE, negE, notE, testEI } from './alu.js';

const TWO32 = 4294967296;
let pLo = 0, pHi = 0;

/** Unsigned 32x32 -> 64 product into (pLo, pHi). */
function mul32(a: number, b: number): void {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
  const cross = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  pLo = (((cross & 0xffff) << 16) | (ll & 0xffff)) >>> 0;
  pHi = (hh + (lh >>> 16) + (hl >>> 16) + (cross >>> 16)) >>> 0;
}

/** Unsigned 64x64 -> 128 product as four 32-bit words w0 (low) .. w3. */
const w = new Uint32Array(4);
function mul64(a0: number, a1: number, b0: number, b1: number): void {
  mul32(a0, b0); const p00l = pLo, p00h = pHi;
  mul32(a0, b1); const p01l = pLo, p01h = pHi;
  mul32(a1, b0); const p10l = pLo, p10h = pHi;
  mul32(a1, b1); const p11l = pLo, p11h = pHi;
  w[0] = p00l;
  const c1 = p00h + p01l + p10l;
  w[1] = c1 >>> 0;
  const c2 = Math.floor(c1 / TWO32) + p01h + p10h + p11l;
  w[2] = c2 >>> 0;
  w[3] = (Math.floor(c2 / TWO32) + p11h) >>> 0;
}

/** Signed 64x64 -> 128: unsigned product, then subtract the other operand from the high half per negative input. */
function imul64(a0: number, a1: number, b0: number, b1: number): void {
  mul64(a0, a1, b0, b1);
  if (a1 >>> 31) sub64hi(b0, b1);
  if (b1 >>> 31) sub64hi(a0, a1);
}

function sub64hi(lo: number, hi: number): void {
  const s = w[2]! - lo;
  w[2] = s >>> 0;
  w[3] = (w[3]! - hi - (s < 0 ? 1 : 0)) >>> 0;
}

function mulFlags(c: InterpCpu, overflow: boolean, lo: number, hi: number, size: number): void {
  setArith(c, szp(lo, hi, size) | (overflow ? FLAG_CF | FLAG_OF : 0));
}

const sx = (v: number, size: number): number => size === 4 ? v | 0 : size === 2 ? (v << 16) >> 16 : (v << 24) >> 24;

/** mul: rDX:rAX = rAX * E (AX = AL * Eb). */
function mulE(c: InterpCpu, i: Insn, s: number, signed: boolean): void {
  const b = readE(c, i, s), bh = c.hi;
  const r = c.r;
  if (s === 8) {
    if (signed) imul64(r[0]!, r[1]!, b, bh); else mul64(r[0]!, r[1]!, b, bh);
    r[0] = w[0]!; r[1] = w[1]!; r[4] = w[2]!; r[5] = w[3]!;
    const ext = (w[1]! >>> 31) ? 0xffffffff : 0;
    mulFlags(c, signed ? w[2] !== ext || w[3] !== ext : (w[2]! | w[3]!) !== 0, w[0]!, w[1]!, 8);
    return;
  }
  const a = getReg(c, 0, s, 1);
  if (s === 4) {
    let lo: number, hi: number;
    if (signed) {
      mul32(a, b); lo = pLo; hi = pHi;
      if (a >>> 31) hi = (hi - b) >>> 0;
      if (b >>> 31) hi = (hi - a) >>> 0;
    } else { mul32(a, b); lo = pLo; hi = pHi; }
    r[0] = lo; r[1] = 0; r[4] = hi; r[5] = 0;
    mulFlags(c, signed ? hi !== ((lo >>> 31) ? 0xffffffff : 0) : hi !== 0, lo, 0, 4);
    return;
  }
  const p = signed ? sx(a, s) * sx(b, s) : a * b; // exact: at most 32 bits
  const bits = s * 8;
  const lo = trunc(p, s), hi = trunc(Math.floor(p / 2 ** bits), s);
  if (s === 1) setReg(c, 0, 2, 1, (hi << 8) | lo, 0);
  else { setReg(c, 0, 2, 1, lo, 0); setReg(c, 2, 2, 1, hi, 0); }
  mulFlags(c, signed ? p !== sx(lo, s) : hi !== 0, lo, 0, s);
}

/** div / idiv: rAX = rDX:rAX / E, rDX = remainder (AL, AH for bytes). #DE on zero or overflow. */
function divE(c: InterpCpu, i: Insn, s: number, signed: boolean): void {
  const b = readE(c, i, s), bh = c.hi;
  if (b === 0 && bh === 0) throw new Trap({ kind: 'de' });
  const r = c.r;
  if (s === 8) { div128(c, b, bh, signed); return; }
  const bits = s * 8;
  let nLo: number, nHi: number;
  if (s === 1) { nLo = r[0]! & 0xffff; nHi = 0; } else if (s === 2) { nLo = ((r[4]! & 0xffff) << 16 | (r[0]! & 0xffff)) >>> 0; nHi = 0; } else { nLo = r[0]!; nHi = r[4]!; }
  let q: number, rem: number;
  if (!signed) {
    if (nHi < 0x200000) {
      const n = nHi * TWO32 + nLo;
      q = Math.floor(n / b); rem = n - q * b;
      // n / b may round to the next integer; fix the quotient from the exact remainder.
      if (rem < 0) { q--; rem += b; } else if (rem >= b) { q++; rem -= b; }
    } else {
      const n = (BigInt(nHi) << 32n) | BigInt(nLo), d = BigInt(b);
      q = Number(n / d); rem = Number(n % d);
    }
    if (q >= 2 ** bits) throw new Trap({ kind: 'de' });
  } else {
    const d = sx(b, s);
    const dividendBits = bits * 2;
    let n: number;
    if (s === 4) {
      const neg = (nHi >>> 31) !== 0;
      if (!neg && nHi < 0x200000) n = nHi * TWO32 + nLo;
      else if (neg && nHi >= 0xffe00000) n = (nHi - TWO32) * TWO32 + nLo;
      else {
        const bn = BigInt.asIntN(64, (BigInt(nHi) << 32n) | BigInt(nLo)), bd = BigInt(d);
        const bq = bn / bd;
        if (bq >= 2n ** 31n || bq < -(2n ** 31n)) throw new Trap({ kind: 'de' });
        q = Number(bq); rem = Number(bn % bd);
        r[0] = q >>> 0; r[1] = 0; r[4] = rem >>> 0; r[5] = 0;
        return;
      }
    } else n = (nLo << (32 - dividendBits)) >> (32 - dividendBits);
    q = Math.trunc(n / d); rem = n - q * d;
    if (rem !== 0 && (rem < 0) !== (n < 0)) { q += (n < 0) === (d < 0) ? -1 : 1; rem = n - q * d; }
    else if (Math.abs(rem) >= Math.abs(d)) { q += (n < 0) === (d < 0) ? 1 : -1; rem = n - q * d; }
    if (q >= 2 ** (bits - 1) || q < -(2 ** (bits - 1))) throw new Trap({ kind: 'de' });
  }
  if (s === 1) setReg(c, 0, 2, 1, ((rem & 0xff) << 8) | (q & 0xff), 0);
  else if (s === 2) { setReg(c, 0, 2, 1, q & 0xffff, 0); setReg(c, 2, 2, 1, rem & 0xffff, 0); } else { r[0] = q >>> 0; r[1] = 0; r[4] = rem >>> 0; r[5] = 0; }
}

function div128(c: InterpCpu, b: number, bh: number, signed: boolean): void {
  const r = c.r;
  if (!signed && r[4] === 0 && r[5] === 0 && r[1]! < 0x100000 && bh < 0x100000) {
    const n = r[1]! * TWO32 + r[0]!, d = bh * TWO32 + b;
    let q = Math.floor(n / d), rem = n - q * d;
    if (rem < 0) { q--; rem += d; } else if (rem >= d) { q++; rem -= d; }
    r[0] = q >>> 0; r[1] = Math.floor(q / TWO32); r[4] = rem >>> 0; r[5] = Math.floor(rem / TWO32);
    return;
  }
  const u = (lo: number, hi: number) => (BigInt(hi) << 32n) | BigInt(lo);
  let n = (u(r[4]!, r[5]!) << 64n) | u(r[0]!, r[1]!);
  let d = u(b, bh);
  if (signed) { n = BigInt.asIntN(128, n); d = BigInt.asIntN(64, d); }
  const q = n / d, rem = n % d;
  if (signed ? q >= 2n ** 63n || q < -(2n ** 63n) : q >= 2n ** 64n) throw new Trap({ kind: 'de' });
  const qu = BigInt.asUintN(64, q), ru = BigInt.asUintN(64, rem);
  r[0] = Number(qu & 0xffffffffn); r[1] = Number(qu >> 32n);
  r[4] = Number(ru & 0xffffffffn); r[5] = Number(ru >> 32n);
}

function grp3(byte: boolean): Handler {
  return (c, i) => {
    const s = byte ? 1 : i.osize;
    switch (i.reg & 7) {
      case 0: case 1: testEI(c, i, s); return;
      case 2: notE(c, i, s); return;
      case 3: negE(c, i, s); return;
      case 4: mulE(c, i, s, false); return;
      case 5: mulE(c, i, s, true); return;
      case 6: divE(c, i, s, false); return;
      default: divE(c, i, s, true);
    }
  };
}

/** Group 3 (F6, F7): the reg field picks test/test/not/neg/mul/imul/div/idiv. */
export const opGrp3Eb = grp3(true), opGrp3Ev = grp3(false);

/** Group 4 (FE): inc/dec Eb. */
export const opGrp4Eb: Handler = (c, i) => {
  if ((i.reg & 7) > 1) throw new Trap({ kind: 'ud' });
  incDecE(c, i, 1, (i.reg & 7) === 1);
};

/** Truncating signed multiply at `s` bytes for imul Gv,Ev[,I]; sets CF/OF on overflow. */
function imulTrunc(c: InterpCpu, i: Insn, s: number, a: number, ah: number, b: number, bh: number): void {
  if (s === 8) {
    // The low 64 bits need only three partial products; the overflow test
    // needs the high half only when the product's size is close to 2^63.
    mul32(a, b);
    const lo = pLo, hi = (pHi + Math.imul(a, bh) + Math.imul(ah, b)) >>> 0;
    const approx = Math.abs(((ah | 0) * TWO32 + a) * ((bh | 0) * TWO32 + b));
    let overflow: boolean;
    if (approx < 2 ** 62) overflow = false;
    else if (approx > 2 ** 65) overflow = true;
    else {
      imul64(a, ah, b, bh);
      const ext = (w[1]! >>> 31) ? 0xffffffff : 0;
      overflow = w[2] !== ext || w[3] !== ext;
    }
    writeG(c, i, 8, lo, hi);
    mulFlags(c, overflow, lo, hi, 8);
    return;
  }
  if (s === 4) {
    mul32(a, b);
    let hi = pHi;
    if (a >>> 31) hi = (hi - b) >>> 0;
    if (b >>> 31) hi = (hi - a) >>> 0;
    writeG(c, i, 4, pLo, 0);
    mulFlags(c, hi !== ((pLo >>> 31) ? 0xffffffff : 0), pLo, 0, 4);
    return;
  }
  const p = sx(a, 2) * sx(b, 2);
  const lo = p & 0xffff;
  writeG(c, i, 2, lo, 0);
  mulFlags(c, p !== sx(lo, 2), lo, 0, 2);
}

/** 0F AF: imul Gv,Ev. */
export const opImulGvEv: Handler = (c, i) => {
  const s = i.osize;
  const b = readE(c, i, s), bh = c.hi;
  const a = readG(c, i, s), ah = c.hi;
  imulTrunc(c, i, s, a, ah, b, bh);
};

/** 69 / 6B: imul Gv,Ev,Iz / imul Gv,Ev,Ib. */
export const opImulGvEvIz: Handler = (c, i) => {
  const s = i.osize;
  const a = readE(c, i, s), ah = c.hi;
  imulTrunc(c, i, s, a, ah, trunc(i.imm, s), s === 8 ? i.immHi : 0);
};
export const opImulGvEvIb = opImulGvEvIz;
