/**
 * SSE/SSE2 operand access and the data-movement instructions (movaps,
 * movups, movdqa, movdqu, movss, movsd, movd, movq, movlps, movhps, ...),
 * plus MXCSR access (ldmxcsr, stmxcsr) and fxsave/fxrstor.
 *
 * XMM registers live in `c.xb` (and typed views of it): register n is bytes
 * 16n..16n+15. Memory operands are loaded into the scratch slot TMP (16), so
 * instruction bodies only ever see register indices. 128-bit memory operands
 * of legacy SSE instructions must be 16-byte aligned (#GP otherwise), except
 * for the explicitly unaligned moves.
 */

import type { InterpCpu } from '../cpu.js';
import type { Handler, Insn } from '../insn.js';
import { Trap } from '../memory.js';
import { ea, readE, writeE } from '../operands.js';

/** Scratch XMM slots for memory operands. */
export const TMP = 16;
export const TMP2 = 17;

function gp(): Trap { return new Trap({ kind: 'gp' }); }

/** Load `size` bytes at `a` into the low bytes of XMM slot x (the rest zeroed). */
export function loadX(c: InterpCpu, x: number, a: number, size: number): void {
  const d = c.xd, m = c.mem, o = 4 * x;
  if (size === 16 && (a & 0xfff) <= 4080) {
    const v = m.rv(a), p = a & 0xfff;
    d[o] = v.getUint32(p, true); d[o + 1] = v.getUint32(p + 4, true); d[o + 2] = v.getUint32(p + 8, true); d[o + 3] = v.getUint32(p + 12, true);
  } else if (size === 16) {
    d[o] = m.read32(a); d[o + 1] = m.read32(a + 4); d[o + 2] = m.read32(a + 8); d[o + 3] = m.read32(a + 12);
  } else if (size === 8) {
    d[o] = m.read32(a); d[o + 1] = m.read32(a + 4); d[o + 2] = 0; d[o + 3] = 0;
  } else if (size === 4) {
    d[o] = m.read32(a); d[o + 1] = 0; d[o + 2] = 0; d[o + 3] = 0;
  } else {
    d[o] = m.read16(a); d[o + 1] = 0; d[o + 2] = 0; d[o + 3] = 0;
  }
}

/** Store the low `size` bytes of XMM slot x at `a`, all or nothing. */
export function storeX(c: InterpCpu, x: number, a: number, size: number): void {
  const d = c.xd, m = c.mem, o = 4 * x;
  m.probeWrite(a, size);
  m.write32(a, d[o]!);
  if (size >= 8) m.write32(a + 4, d[o + 1]!);
  if (size === 16) { m.write32(a + 8, d[o + 2]!); m.write32(a + 12, d[o + 3]!); }
}

/**
 * The XMM index of `i`'s W operand: its register, or TMP loaded with `size`
 * bytes from memory. `aligned` 128-bit loads check 16-byte alignment.
 */
export function srcW(c: InterpCpu, i: Insn, size: number, aligned = true): number {
  if (i.mod === 3) return i.rm;
  const a = ea(c, i);
  if (aligned && size === 16 && (a % 16) !== 0) throw gp();
  loadX(c, TMP, a, size);
  return TMP;
}

/** Copy XMM slot s to d (16 bytes). */
export function copyX(c: InterpCpu, d: number, s: number): void {
  const x = c.xd;
  x[4 * d] = x[4 * s]!; x[4 * d + 1] = x[4 * s + 1]!; x[4 * d + 2] = x[4 * s + 2]!; x[4 * d + 3] = x[4 * s + 3]!;
}

/** Store XMM register v to the W operand: a register gets all 16 bytes, memory `size` bytes. */
function storeW(c: InterpCpu, i: Insn, v: number, size: number, aligned: boolean): void {
  if (i.mod === 3) { copyX(c, i.rm, v); return; }
  const a = ea(c, i);
  if (aligned && size === 16 && (a % 16) !== 0) throw gp();
  storeX(c, v, a, size);
}

// ---- full-register moves ------------------------------------------------------------

/** movaps / movapd / movdqa V,W (aligned) */
export const opMovapsVW: Handler = (c, i) => copyX(c, i.reg, srcW(c, i, 16, true));
/** movups / movupd / movdqu / lddqu V,W (unaligned) */
export const opMovupsVW: Handler = (c, i) => copyX(c, i.reg, srcW(c, i, 16, false));
/** movaps / movapd / movdqa / movntps / movntpd / movntdq W,V */
export const opMovapsWV: Handler = (c, i) => storeW(c, i, i.reg, 16, true);
/** movups / movupd / movdqu W,V */
export const opMovupsWV: Handler = (c, i) => storeW(c, i, i.reg, 16, false);

// ---- scalar moves -----------------------------------------------------------------------

/** movss V,W: from memory the upper 96 bits are zeroed; between registers only the low 32 bits move. */
export const opMovssVW: Handler = (c, i) => {
  if (i.mod === 3) { c.xd[4 * i.reg] = c.xd[4 * i.rm]!; return; }
  loadX(c, i.reg, ea(c, i), 4);
};
export const opMovssWV: Handler = (c, i) => {
  if (i.mod === 3) { c.xd[4 * i.rm] = c.xd[4 * i.reg]!; return; }
  storeX(c, i.reg, ea(c, i), 4);
};
/** movsd V,W (SSE2 scalar double; not the string movsd). */
export const opMovsdVW: Handler = (c, i) => {
  if (i.mod === 3) { c.xd[4 * i.reg] = c.xd[4 * i.rm]!; c.xd[4 * i.reg + 1] = c.xd[4 * i.rm + 1]!; return; }
  loadX(c, i.reg, ea(c, i), 8);
};
export const opMovsdWV: Handler = (c, i) => {
  if (i.mod === 3) { c.xd[4 * i.rm] = c.xd[4 * i.reg]!; c.xd[4 * i.rm + 1] = c.xd[4 * i.reg + 1]!; return; }
  storeX(c, i.reg, ea(c, i), 8);
};

/** F3 0F 7E: movq V,W: low 64 bits, upper 64 zeroed. */
export const opMovqVW: Handler = (c, i) => {
  const s = srcW(c, i, 8);
  const d = c.xd;
  d[4 * i.reg] = d[4 * s]!; d[4 * i.reg + 1] = d[4 * s + 1]!; d[4 * i.reg + 2] = 0; d[4 * i.reg + 3] = 0;
};
/** 66 0F D6: movq W,V: to a register the upper 64 bits are zeroed. */
export const opMovqWV: Handler = (c, i) => {
  const d = c.xd;
  if (i.mod === 3) {
    d[4 * i.rm] = d[4 * i.reg]!; d[4 * i.rm + 1] = d[4 * i.reg + 1]!; d[4 * i.rm + 2] = 0; d[4 * i.rm + 3] = 0;
    return;
  }
  storeX(c, i.reg, ea(c, i), 8);
};

/** 66 0F 6E: movd/movq V,Ey (REX.W: 64 bits). Upper bits zeroed. */
export const opMovdVEy: Handler = (c, i) => {
  const s = i.osize === 8 ? 8 : 4;
  const lo = readE(c, i, s), hi = c.hi;
  const d = c.xd, o = 4 * i.reg;
  d[o] = lo; d[o + 1] = s === 8 ? hi : 0; d[o + 2] = 0; d[o + 3] = 0;
};
/** 66 0F 7E: movd/movq Ey,V. */
export const opMovdEyV: Handler = (c, i) => {
  const s = i.osize === 8 ? 8 : 4;
  writeE(c, i, s, c.xd[4 * i.reg]!, s === 8 ? c.xd[4 * i.reg + 1]! : 0);
};

// ---- half-register moves ---------------------------------------------------------------

/** 0F 12 mem: movlps/movlpd V,M: load the low 64 bits. */
export const opMovlpsVM: Handler = (c, i) => {
  const a = ea(c, i);
  const lo = c.mem.read32(a), hi = c.mem.read32(a + 4);
  c.xd[4 * i.reg] = lo; c.xd[4 * i.reg + 1] = hi;
};
/** 0F 12 reg: movhlps V,U: low 64 of V = high 64 of U. */
export const opMovhlpsVU: Handler = (c, i) => {
  const d = c.xd;
  d[4 * i.reg] = d[4 * i.rm + 2]!; d[4 * i.reg + 1] = d[4 * i.rm + 3]!;
};
/** 0F 13: movlps/movlpd M,V. */
export const opMovlpsMV: Handler = (c, i) => storeX(c, i.reg, ea(c, i), 8);
/** 0F 16 mem: movhps/movhpd V,M: load the high 64 bits. */
export const opMovhpsVM: Handler = (c, i) => {
  const a = ea(c, i);
  const lo = c.mem.read32(a), hi = c.mem.read32(a + 4);
  c.xd[4 * i.reg + 2] = lo; c.xd[4 * i.reg + 3] = hi;
};
/** 0F 16 reg: movlhps V,U: high 64 of V = low 64 of U. */
export const opMovlhpsVU: Handler = (c, i) => {
  const d = c.xd;
  d[4 * i.reg + 2] = d[4 * i.rm]!; d[4 * i.reg + 3] = d[4 * i.rm + 1]!;
};
/** 0F 17: movhps/movhpd M,V: store the high 64 bits. */
export const opMovhpsMV: Handler = (c, i) => {
  const a = ea(c, i);
  c.mem.probeWrite(a, 8);
  c.mem.write32(a, c.xd[4 * i.reg + 2]!); c.mem.write32(a + 4, c.xd[4 * i.reg + 3]!);
};

/** 0F C3: movnti My,Gy. */
export const opMovntiMyGy: Handler = (c, i) => {
  const s = i.osize === 8 ? 8 : 4;
  const r = c.r;
  if (s === 8) c.mem.write64(ea(c, i), r[2 * i.reg]!, r[2 * i.reg + 1]!);
  else c.mem.write32(ea(c, i), r[2 * i.reg]!);
};

/** 0F 50: movmskps / 66: movmskpd Gd,U. */
export const opMovmskpsGdU: Handler = (c, i) => {
  const d = c.xd, o = 4 * i.rm;
  const m = (d[o]! >>> 31) | ((d[o + 1]! >>> 31) << 1) | ((d[o + 2]! >>> 31) << 2) | ((d[o + 3]! >>> 31) << 3);
  c.r[2 * i.reg] = m; c.r[2 * i.reg + 1] = 0;
};
export const opMovmskpdGdU: Handler = (c, i) => {
  const d = c.xd, o = 4 * i.rm;
  c.r[2 * i.reg] = (d[o + 1]! >>> 31) | ((d[o + 3]! >>> 31) << 1); c.r[2 * i.reg + 1] = 0;
};

// ---- MXCSR and FXSAVE ------------------------------------------------------------------

/** 0F AE /2: ldmxcsr Md. Reserved bits set: #GP. */
export const opLdmxcsrMd: Handler = (c, i) => {
  const v = c.mem.read32(ea(c, i));
  if ((v & 0xffff0000) !== 0) throw gp();
  c.mxcsr = v;
};
/** 0F AE /3: stmxcsr Md. */
export const opStmxcsrMd: Handler = (c, i) => c.mem.write32(ea(c, i), c.mxcsr);

/** 0F AE /0: fxsave M512 (64-bit layout; 16-byte aligned). Bytes 464-511 are software's: not written. */
export const opFxsaveM: Handler = (c, i) => {
  const a = ea(c, i);
  if (a % 16 !== 0) throw gp();
  c.mem.probeWrite(a + 511, 1);
  c.mem.writeBytes(a, c.fxsaveImage(), 464);
};
/** 0F AE /1: fxrstor M512. */
export const opFxrstorM: Handler = (c, i) => {
  const a = ea(c, i);
  if (a % 16 !== 0) throw gp();
  const img = new Uint8Array(512);
  c.mem.readBytes(a, img, 512);
  if ((new DataView(img.buffer).getUint32(24, true) & 0xffff0000) !== 0) throw gp();
  c.fxrstorImage(img);
};
