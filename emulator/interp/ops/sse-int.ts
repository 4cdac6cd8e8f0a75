/**
 * SSE2 integer instructions on XMM registers (66-prefixed 0F 60-7F, D0-FF,
 * and the shift groups 0F 71-73), plus the bitwise ps/pd forms, which are
 * the same operations.
 *
 * Lane loops write through typed arrays, whose stores wrap modulo the lane
 * width: that is the wrap-around arithmetic of padd/psub for free.
 * Saturating forms clamp explicitly.
 */

import type { InterpCpu } from '../cpu.js';
import type { Handler, Insn } from '../insn.js';

import { getReg, readE } from '../operands.js';
import { copyX, srcW, TMP2 } from './sse.js';

/** The typed view of the XMM file a lane loop works on (fields of InterpCpu). */
type View = 'xb' | 'xsb' | 'xw' | 'xsw' | 'xd' | 'xsd';
const UB: View = 'xb', SB: View = 'xsb', UW: View = 'xw', SW: View = 'xsw', UD: View = 'xd', SD: View = 'xsd';

/**
 * dst[k] = expr over the lanes of a view, `expr` a JavaScript expression in
 * the lane values `a` (destination) and `b` (source). Each instruction gets
 * its own function, generated here, so V8 sees one operation per loop (a
 * shared loop calling a per-instruction callback is megamorphic and slow).
 */
function lanes(view: View, n: number, expr: string): Handler {
  const src = `return function lanes_${view}_${n}(c, i) {
    const s = srcW(c, i, 16);
    const x = c.${view}, d = i.reg * ${n}, o = s * ${n};
    for (let k = 0; k < ${n}; k++) { const a = x[d + k], b = x[o + k]; x[d + k] = ${expr}; }
  };`;
  return new Function('srcW', src)(srcW) as Handler;
}

const sat = (lo: number, hi: number, v: string): string => `(${v} < ${lo} ? ${lo} : ${v} > ${hi} ? ${hi} : ${v})`;

export const opPaddb = lanes(UB, 16, 'a + b'), opPaddw = lanes(UW, 8, 'a + b'), opPaddd = lanes(UD, 4, 'a + b');
export const opPsubb = lanes(UB, 16, 'a - b'), opPsubw = lanes(UW, 8, 'a - b'), opPsubd = lanes(UD, 4, 'a - b');
export const opPaddsb = lanes(SB, 16, sat(-128, 127, '(a + b)')), opPaddsw = lanes(SW, 8, sat(-32768, 32767, '(a + b)'));
export const opPsubsb = lanes(SB, 16, sat(-128, 127, '(a - b)')), opPsubsw = lanes(SW, 8, sat(-32768, 32767, '(a - b)'));
export const opPaddusb = lanes(UB, 16, sat(0, 255, '(a + b)')), opPaddusw = lanes(UW, 8, sat(0, 65535, '(a + b)'));
export const opPsubusb = lanes(UB, 16, sat(0, 255, '(a - b)')), opPsubusw = lanes(UW, 8, sat(0, 65535, '(a - b)'));
export const opPminub = lanes(UB, 16, 'a < b ? a : b'), opPmaxub = lanes(UB, 16, 'a > b ? a : b');
export const opPminsw = lanes(SW, 8, 'a < b ? a : b'), opPmaxsw = lanes(SW, 8, 'a > b ? a : b');
export const opPavgb = lanes(UB, 16, '(a + b + 1) >> 1'), opPavgw = lanes(UW, 8, '(a + b + 1) >> 1');
/**
 * pcmpeqb four bytes at a time: in x = a ^ b a byte is zero where the bytes
 * are equal; ((x & 0x7f..) + 0x7f..) | x has bit 7 of each byte set exactly
 * where that byte of x is nonzero (no carry crosses a byte).
 */
export const opPcmpeqb: Handler = (c, i) => {
  const s = srcW(c, i, 16), x = c.xd, d = 4 * i.reg, o = 4 * s;
  for (let k = 0; k < 4; k++) {
    const v = x[d + k]! ^ x[o + k]!;
    const nonzero = (((v & 0x7f7f7f7f) + 0x7f7f7f7f) | v) & 0x80808080;
    x[d + k] = Math.imul((~nonzero & 0x80808080) >>> 7, 0xff);
  }
};
export const opPcmpeqw = lanes(UW, 8, 'a === b ? 0xffff : 0');
export const opPcmpeqd = lanes(UD, 4, 'a === b ? 0xffffffff : 0');
export const opPcmpgtb = lanes(SB, 16, 'a > b ? -1 : 0'), opPcmpgtw = lanes(SW, 8, 'a > b ? -1 : 0');
export const opPcmpgtd = lanes(SD, 4, 'a > b ? -1 : 0');
export const opPmullw = lanes(UW, 8, 'Math.imul(a, b)');
export const opPmulhw = lanes(SW, 8, '(a * b) >> 16');
export const opPmulhuw = lanes(UW, 8, '(a * b) >>> 16');
/** pand, and also andps/andpd. */
export const opPand = lanes(UD, 4, 'a & b');
/** pandn (dst = ~dst & src), andnps/andnpd. */
export const opPandn = lanes(UD, 4, '~a & b');
export const opPor = lanes(UD, 4, 'a | b');
export const opPxor = lanes(UD, 4, 'a ^ b');

/** paddq / psubq: 64-bit lanes as dword pairs. */
function q64(sub: boolean): Handler {
  return (c, i) => {
    const s = srcW(c, i, 16), x = c.xd, d = 4 * i.reg, o = 4 * s;
    for (let k = 0; k < 4; k += 2) {
      const lo = sub ? x[d + k]! - x[o + k]! : x[d + k]! + x[o + k]!;
      const carry = sub ? (lo < 0 ? -1 : 0) : (lo >= 4294967296 ? 1 : 0);
      x[d + k] = lo;
      x[d + k + 1] = (sub ? x[d + k + 1]! - x[o + k + 1]! : x[d + k + 1]! + x[o + k + 1]!) + carry;
    }
  };
}
export const opPaddq = q64(false), opPsubq = q64(true);

/** pmuludq: unsigned 32x32 -> 64 of the even dwords. */
export const opPmuludq: Handler = (c, i) => {
  const s = srcW(c, i, 16), x = c.xd, d = 4 * i.reg, o = 4 * s;
  for (let k = 0; k < 4; k += 2) {
    const a = x[d + k]!, b = x[o + k]!;
    const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
    const ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    const cross = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
    x[d + k] = ((cross & 0xffff) << 16) | (ll & 0xffff);
    x[d + k + 1] = hh + (lh >>> 16) + (hl >>> 16) + (cross >>> 16);
  }
};

/** pmaddwd: dword k = w[2k]*w'[2k] + w[2k+1]*w'[2k+1], signed. */
export const opPmaddwd: Handler = (c, i) => {
  const s = srcW(c, i, 16), w = c.xsw, d = 8 * i.reg, o = 8 * s, out = c.xsd;
  const r = [0, 1, 2, 3].map((k) => w[d + 2 * k]! * w[o + 2 * k]! + w[d + 2 * k + 1]! * w[o + 2 * k + 1]!);
  for (let k = 0; k < 4; k++) out[4 * i.reg + k] = r[k]!;
};

/** psadbw: sum of absolute byte differences per quadword. */
export const opPsadbw: Handler = (c, i) => {
  const s = srcW(c, i, 16), b = c.xb, d = 16 * i.reg, o = 16 * s;
  for (let h = 0; h < 2; h++) {
    let sum = 0;
    for (let k = 0; k < 8; k++) sum += Math.abs(b[d + 8 * h + k]! - b[o + 8 * h + k]!);
    c.xd[4 * i.reg + 2 * h] = sum; c.xd[4 * i.reg + 2 * h + 1] = 0;
  }
};

// ---- packs and unpacks (built in TMP2, then copied) -------------------------------------

function pack(srcView: View, n: number, dstView: View, lo: number, hi: number): Handler {
  return (c, i) => {
    const s = srcW(c, i, 16), x = c[srcView], out = c[dstView];
    const clamp = (v: number): number => v < lo ? lo : v > hi ? hi : v;
    for (let k = 0; k < n; k++) out[TMP2 * 2 * n + k] = clamp(x[i.reg * n + k]!);
    for (let k = 0; k < n; k++) out[TMP2 * 2 * n + n + k] = clamp(x[s * n + k]!);
    copyX(c, i.reg, TMP2);
  };
}
export const opPacksswb = pack(SW, 8, SB, -128, 127), opPackuswb = pack(SW, 8, UB, 0, 255), opPackssdw = pack(SD, 4, SW, -32768, 32767);

/** punpckl* (high = false) / punpckh*: interleave the low or high halves, lanes of `n` per register. */
function unpack(view: View, n: number, high: boolean): Handler {
  return (c, i) => {
    const s = srcW(c, i, 16), x = c[view], base = high ? n / 2 : 0;
    for (let k = 0; k < n / 2; k++) {
      x[TMP2 * n + 2 * k] = x[i.reg * n + base + k]!;
      x[TMP2 * n + 2 * k + 1] = x[s * n + base + k]!;
    }
    copyX(c, i.reg, TMP2);
  };
}
export const opPunpcklbw = unpack(UB, 16, false), opPunpcklwd = unpack(UW, 8, false), opPunpckldq = unpack(UD, 4, false);
export const opPunpckhbw = unpack(UB, 16, true), opPunpckhwd = unpack(UW, 8, true), opPunpckhdq = unpack(UD, 4, true);
export const opPunpcklqdq: Handler = (c, i) => {
  const s = srcW(c, i, 16), x = c.xd;
  x[4 * i.reg + 2] = x[4 * s]!; x[4 * i.reg + 3] = x[4 * s + 1]!;
};
export const opPunpckhqdq: Handler = (c, i) => {
  const s = srcW(c, i, 16), x = c.xd;
  x[4 * i.reg] = x[4 * i.reg + 2]!; x[4 * i.reg + 1] = x[4 * i.reg + 3]!;
  x[4 * i.reg + 2] = x[4 * s + 2]!; x[4 * i.reg + 3] = x[4 * s + 3]!;
};

// ---- shuffles ------------------------------------------------------------------------------

/** 66 0F 70: pshufd V,W,Ib. */
export const opPshufd: Handler = (c, i) => {
  const s = srcW(c, i, 16), x = c.xd, m = i.imm;
  for (let k = 0; k < 4; k++) x[4 * TMP2 + k] = x[4 * s + ((m >> (2 * k)) & 3)]!;
  copyX(c, i.reg, TMP2);
};
/** F3 0F 70 pshufhw / F2 0F 70 pshuflw V,W,Ib. */
function pshufw(high: boolean): Handler {
  return (c, i) => {
    const s = srcW(c, i, 16), w = c.xw, m = i.imm, half = high ? 4 : 0;
    copyX(c, TMP2, s);
    for (let k = 0; k < 4; k++) w[8 * TMP2 + half + k] = w[8 * s + half + ((m >> (2 * k)) & 3)]!;
    copyX(c, i.reg, TMP2);
  };
}
export const opPshufhw = pshufw(true), opPshuflw = pshufw(false);

/** 0F C6: shufps V,W,Ib. */
export const opShufps: Handler = (c, i) => {
  const s = srcW(c, i, 16), x = c.xd, m = i.imm, d = i.reg;
  x[4 * TMP2] = x[4 * d + (m & 3)]!; x[4 * TMP2 + 1] = x[4 * d + ((m >> 2) & 3)]!;
  x[4 * TMP2 + 2] = x[4 * s + ((m >> 4) & 3)]!; x[4 * TMP2 + 3] = x[4 * s + ((m >> 6) & 3)]!;
  copyX(c, d, TMP2);
};
/** 66 0F C6: shufpd V,W,Ib. */
export const opShufpd: Handler = (c, i) => {
  const s = srcW(c, i, 16), x = c.xd, m = i.imm, d = i.reg;
  const a = 2 * (m & 1), b = 2 * ((m >> 1) & 1);
  x[4 * TMP2] = x[4 * d + a]!; x[4 * TMP2 + 1] = x[4 * d + a + 1]!;
  x[4 * TMP2 + 2] = x[4 * s + b]!; x[4 * TMP2 + 3] = x[4 * s + b + 1]!;
  copyX(c, d, TMP2);
};

// ---- shifts --------------------------------------------------------------------------------

/** Shift every lane of XMM register d (lanes of `bits`) by n: kind 0 logical right, 1 arithmetic right, 2 left. */
function shiftLanes(c: InterpCpu, d: number, bits: number, kind: number, n: number): void {
  if (bits === 64) {
    const x = c.xd;
    for (let k = 0; k < 4; k += 2) {
      let lo = x[4 * d + k]!, hi = x[4 * d + k + 1]!;
      if (n > 63) { lo = 0; hi = 0; } else if (kind === 2) {
        if (n >= 32) { hi = lo << (n - 32); lo = 0; } else if (n > 0) { hi = (hi << n) | (lo >>> (32 - n)); lo <<= n; }
      } else if (n >= 32) { lo = hi >>> (n - 32); hi = 0; } else if (n > 0) { lo = (lo >>> n) | (hi << (32 - n)); hi >>>= n; }
      x[4 * d + k] = lo; x[4 * d + k + 1] = hi;
    }
    return;
  }
  const n8 = bits === 16 ? 8 : 4;
  const x = kind === 1 ? (bits === 16 ? c.xsw : c.xsd) : (bits === 16 ? c.xw : c.xd);
  for (let k = 0; k < n8; k++) {
    const v = x[d * n8 + k]!;
    if (kind === 1) x[d * n8 + k] = n >= bits ? (v < 0 ? -1 : 0) : v >> n;
    else if (n >= bits) x[d * n8 + k] = 0;
    else x[d * n8 + k] = kind === 2 ? v << n : v >>> n;
  }
}

/** Shift count from an XMM/m128 source: its low 64 bits, saturated. */
function countOf(c: InterpCpu, i: Insn): number {
  const s = srcW(c, i, 16);
  return c.xd[4 * s + 1] !== 0 ? 255 : Math.min(c.xd[4 * s]!, 255);
}

function shiftBy(bits: number, kind: number): Handler {
  return (c, i) => shiftLanes(c, i.reg, bits, kind, countOf(c, i));
}
export const opPsrlw = shiftBy(16, 0), opPsrld = shiftBy(32, 0), opPsrlq = shiftBy(64, 0);
export const opPsraw = shiftBy(16, 1), opPsrad = shiftBy(32, 1);
export const opPsllw = shiftBy(16, 2), opPslld = shiftBy(32, 2), opPsllq = shiftBy(64, 2);

/** Groups 12, 13, 14 (66 0F 71-73 /r U,Ib): the reg field picks the shift. */
export const opGrp12UIb: Handler = (c, i) => shiftImm(c, i, 16);
export const opGrp13UIb: Handler = (c, i) => shiftImm(c, i, 32);
export const opGrp14UIb: Handler = (c, i) => {
  const op = i.reg & 7, n = i.imm & 0xff;
  if (op === 3 || op === 7) { byteShift(c, i.rm, n, op === 7); return; }
  shiftImm(c, i, 64);
};
function shiftImm(c: InterpCpu, i: Insn, bits: number): void {
  const op = i.reg & 7;
  shiftLanes(c, i.rm, bits, op === 2 ? 0 : op === 4 ? 1 : 2, i.imm & 0xff);
}

/** psrldq / pslldq: whole-register byte shift. */
function byteShift(c: InterpCpu, x: number, n: number, left: boolean): void {
  const b = c.xb, o = 16 * x;
  for (let k = 0; k < 16; k++) {
    const from = left ? k - n : k + n;
    b[16 * TMP2 + k] = from >= 0 && from < 16 ? b[o + from]! : 0;
  }
  copyX(c, x, TMP2);
}

// ---- moves between XMM lanes and general registers ---------------------------------------------

/** 66 0F D7: pmovmskb Gd,U. */
export const opPmovmskbGdU: Handler = (c, i) => {
  const x = c.xd, o = 4 * i.rm;
  let m = 0;
  for (let k = 0; k < 4; k++) {
    const d = x[o + k]!;
    m |= (((d >>> 7) & 1) | ((d >>> 14) & 2) | ((d >>> 21) & 4) | ((d >>> 28) & 8)) << (4 * k);
  }
  c.r[2 * i.reg] = m; c.r[2 * i.reg + 1] = 0;
};

/** 66 0F C4: pinsrw V,Ry/Mw,Ib. */
export const opPinsrw: Handler = (c, i) => {
  const v = readE(c, i, 2);
  c.xw[8 * i.reg + (i.imm & 7)] = v;
};
/** 66 0F C5: pextrw Gd,U,Ib. */
export const opPextrw: Handler = (c, i) => {
  c.r[2 * i.reg] = c.xw[8 * i.rm + (i.imm & 7)]!; c.r[2 * i.reg + 1] = 0;
};

/** 66 0F F7: maskmovdqu V,U: store the bytes of V whose mask byte in U has bit 7 set, at [rDI]. */
export const opMaskmovdqu: Handler = (c, i) => {
  let a = getReg(c, 7, 8, 1) + c.hi * 4294967296;
  if (i.asize === 4) a = c.r[14]!;
  const b = c.xb;
  for (let k = 0; k < 16; k++) if (b[16 * i.rm + k]! & 0x80) c.mem.write8(a + k, b[16 * i.reg + k]!);
};

