/**
 * MMX: the unprefixed 0F 60-7F and D0-FF forms on the 64-bit registers
 * mm0-mm7, plus the SSE/SSE2 instructions that take MMX operands (pshufw,
 * pinsrw, pextrw, pmovmskb, maskmovq, movntq, movq2dq, movdq2q,
 * cvt(t)ps2pi, cvtpi2ps, cvt(t)pd2pi, cvtpi2pd).
 *
 * As on the hardware (SDM vol. 1 ch. 9.5), mmN is the significand (bits
 * 63:0) of x87 physical register RN, not of ST(N). Every MMX instruction
 * except emms sets TOP to 0 and tags all eight registers valid; writing mmN
 * also sets the exponent and sign bits 79:64 of RN to all ones. emms sets
 * TOP to 0 and tags all eight empty.
 *
 * The lane arithmetic is the SSE2 handlers' (sse-int.ts): an MMX form loads
 * its two 64-bit operands into scratch XMM slots MMD and MMS, runs the
 * 128-bit handler on them, and keeps the low 64 bits. For that to hold,
 * each 64-bit operand is placed in both halves of its slot (punpckh*'s
 * result is then the high half), except for the packs, whose destination
 * slot holds [dst, src] so that the low half is pack(dst), pack(src).
 */

import type { InterpCpu } from '../cpu.js';
import { Insn } from '../insn.js';
import type { Handler } from '../insn.js';
import { ea, getReg, readE, writeE } from '../operands.js';
import { srcW } from './sse.js';

/** Scratch XMM slots of the MMX forms (cpu.ts xmmBuf). */
const MMD = 18, MMS = 19;

/** The x87 -> MMX transition: TOP = 0, all registers valid. */
function enter(c: InterpCpu): void {
  c.fpu.top = 0;
  c.fpu.tags = 0xff;
}

/** Write mmN (and the all-ones exponent bits 79:64). */
function setMm(c: InterpCpu, n: number, lo: number, hi: number): void {
  const f = c.fpu;
  f.md[2 * n] = lo; f.md[2 * n + 1] = hi;
  f.se[n] = 0xffff;
}

/** Copy mmN into both halves of XMM slot x. */
function mmToSlot(c: InterpCpu, x: number, n: number): void {
  const d = c.xd, m = c.fpu.md;
  d[4 * x] = d[4 * x + 2] = m[2 * n]!;
  d[4 * x + 1] = d[4 * x + 3] = m[2 * n + 1]!;
}

/**
 * The Q operand (mm register or m64, any alignment) into both halves of XMM
 * slot x; `bytes` 4 reads an m32 (punpckl*), the rest of the slot then 0.
 */
function loadQ(c: InterpCpu, i: Insn, x: number, bytes = 8): void {
  if (i.mod === 3) { mmToSlot(c, x, i.rm & 7); return; }
  const a = ea(c, i), d = c.xd;
  d[4 * x] = d[4 * x + 2] = c.mem.read32(a);
  d[4 * x + 1] = d[4 * x + 3] = bytes === 8 ? c.mem.read32(a + 4) : 0;
}

/** A scratch Insn naming the slots for an SSE handler (handlers run one at a time). */
function slotInsn(reg: number, rm: number): Insn {
  const s = new Insn();
  s.mod = 3; s.reg = reg; s.rm = rm;
  return s;
}

/** How the operands sit in the slots: see the file comment; 'lo32' is 'lo' with an m32 source (punpckl*). */
export type Layout = 'lo' | 'lo32' | 'hi' | 'pack';

/** The MMX form P,Q of a 128-bit SSE2 integer handler. */
export function mmx(sse: Handler, layout: Layout = 'lo'): Handler {
  const s = slotInsn(MMD, MMS);
  return (c, i) => {
    loadQ(c, i, MMS, layout === 'lo32' ? 4 : 8); // may fault: nothing changed yet
    const d = i.reg & 7, x = c.xd;
    mmToSlot(c, MMD, d);
    if (layout === 'pack') { x[4 * MMD + 2] = x[4 * MMS]!; x[4 * MMD + 3] = x[4 * MMS + 1]!; }
    sse(c, s);
    enter(c);
    const o = 4 * MMD + (layout === 'hi' ? 2 : 0);
    setMm(c, d, x[o]!, x[o + 1]!);
  };
}

/** The MMX form N,Ib of an SSE2 shift group (0F 71-73 /r): ModRM.reg picks the shift. */
export function mmxShiftImm(sse: Handler): Handler {
  const s = slotInsn(0, MMD);
  return (c, i) => {
    const n = i.rm & 7;
    mmToSlot(c, MMD, n);
    s.reg = i.reg & 7; s.imm = i.imm;
    sse(c, s);
    enter(c);
    setMm(c, n, c.xd[4 * MMD]!, c.xd[4 * MMD + 1]!);
  };
}

/** 0F 77: emms. Tags all registers empty and, like the other MMX instructions, sets TOP to 0 (SDM vol. 1 table 9-2; checked natively). */
export const opEmms: Handler = (c) => { c.fpu.top = 0; c.fpu.tags = 0; };

/** 0F 6E: movd/movq P,Ey (REX.W: 64 bits), zero-extended. */
export const opMovdPEy: Handler = (c, i) => {
  const size = i.osize === 8 ? 8 : 4;
  const lo = readE(c, i, size), hi = size === 8 ? c.hi : 0;
  enter(c);
  setMm(c, i.reg & 7, lo, hi);
};
/** 0F 7E: movd/movq Ey,P. */
export const opMovdEyP: Handler = (c, i) => {
  const n = i.reg & 7, m = c.fpu.md, size = i.osize === 8 ? 8 : 4;
  writeE(c, i, size, m[2 * n]!, size === 8 ? m[2 * n + 1]! : 0);
  enter(c);
};
/** 0F 6F: movq P,Q. */
export const opMovqPQ: Handler = (c, i) => {
  loadQ(c, i, MMS);
  enter(c);
  setMm(c, i.reg & 7, c.xd[4 * MMS]!, c.xd[4 * MMS + 1]!);
};
/** 0F 7F: movq Q,P; 0F E7: movntq M,P. */
export const opMovqQP: Handler = (c, i) => {
  const n = i.reg & 7, m = c.fpu.md;
  const lo = m[2 * n]!, hi = m[2 * n + 1]!;
  if (i.mod === 3) { enter(c); setMm(c, i.rm & 7, lo, hi); return; }
  c.mem.write64(ea(c, i), lo, hi);
  enter(c);
};

/** 0F 70: pshufw P,Q,Ib. */
export const opPshufwPQIb: Handler = (c, i) => {
  loadQ(c, i, MMS);
  const w = c.xw, m = i.imm;
  const r = [0, 1, 2, 3].map((k) => w[8 * MMS + ((m >> (2 * k)) & 3)]!);
  enter(c);
  setMm(c, i.reg & 7, (r[0]! | (r[1]! << 16)) >>> 0, (r[2]! | (r[3]! << 16)) >>> 0);
};
/** 0F C4: pinsrw P,Ry/Mw,Ib. */
export const opPinsrwPEwIb: Handler = (c, i) => {
  const v = readE(c, i, 2), n = i.reg & 7, k = i.imm & 3;
  const m = c.fpu.md, word = 2 * n + (k >> 1), shift = 16 * (k & 1);
  const lo = m[2 * n]!, hi = m[2 * n + 1]!;
  enter(c);
  setMm(c, n, lo, hi);
  m[word] = ((m[word]! & ~(0xffff << shift)) | (v << shift)) >>> 0;
};
/** 0F C5: pextrw Gd,N,Ib. */
export const opPextrwGdNIb: Handler = (c, i) => {
  const n = i.rm & 7, k = i.imm & 3;
  const v = (c.fpu.md[2 * n + (k >> 1)]! >>> (16 * (k & 1))) & 0xffff;
  enter(c);
  c.r[2 * i.reg] = v; c.r[2 * i.reg + 1] = 0;
};
/** 0F D7: pmovmskb Gd,N. */
export const opPmovmskbGdN: Handler = (c, i) => {
  const n = i.rm & 7, m = c.fpu.md;
  let mask = 0;
  for (let k = 0; k < 8; k++) mask |= ((m[2 * n + (k >> 2)]! >>> (8 * (k & 3) + 7)) & 1) << k;
  enter(c);
  c.r[2 * i.reg] = mask; c.r[2 * i.reg + 1] = 0;
};
/** 0F F7: maskmovq P,N: store the bytes of P whose mask byte in N has bit 7 set, at [rDI]. */
export const opMaskmovqPN: Handler = (c, i) => {
  let a = getReg(c, 7, 8, 1) + c.hi * 4294967296;
  if (i.asize === 4) a = c.r[14]!;
  const m = c.fpu.md, src = i.reg & 7, sel = i.rm & 7;
  const byte = (n: number, k: number): number => (m[2 * n + (k >> 2)]! >>> (8 * (k & 3))) & 0xff;
  for (let k = 0; k < 8; k++) if (byte(sel, k) & 0x80) c.mem.probeWrite(a + k, 1);
  for (let k = 0; k < 8; k++) if (byte(sel, k) & 0x80) c.mem.write8(a + k, byte(src, k));
  enter(c);
};

/** F3 0F D6: movq2dq V,N: xmm = mm, zero-extended. */
export const opMovq2dqVN: Handler = (c, i) => {
  const n = i.rm & 7, m = c.fpu.md, d = c.xd, o = 4 * i.reg;
  d[o] = m[2 * n]!; d[o + 1] = m[2 * n + 1]!; d[o + 2] = 0; d[o + 3] = 0;
  enter(c);
};
/** F2 0F D6: movdq2q P,U: mm = low 64 bits of xmm. */
export const opMovdq2qPU: Handler = (c, i) => {
  const d = c.xd, o = 4 * i.rm;
  enter(c);
  setMm(c, i.reg & 7, d[o]!, d[o + 1]!);
};

/**
 * cvtpi2ps / cvtpi2pd V,Q: two int32 from mm or m64, by the SSE2 dword
 * conversion on [src, 0]. cvtpi2ps writes the low 64 bits of the XMM
 * register only. Only a register source makes the x87 -> MMX transition
 * (SDM CVTPI2PS, CVTPI2PD).
 */
export function cvtFromMm(sse: Handler, lowOnly: boolean): Handler {
  const s = slotInsn(MMD, MMS);
  return (c, i) => {
    loadQ(c, i, MMS);
    const x = c.xd;
    x[4 * MMS + 2] = 0; x[4 * MMS + 3] = 0;
    sse(c, s);
    const o = 4 * i.reg;
    x[o] = x[4 * MMD]!; x[o + 1] = x[4 * MMD + 1]!;
    if (!lowOnly) { x[o + 2] = x[4 * MMD + 2]!; x[o + 3] = x[4 * MMD + 3]!; }
    if (i.mod === 3) enter(c);
  };
}

/**
 * cvt(t)ps2pi P,W (W: xmm or m64) / cvt(t)pd2pi P,W (xmm or aligned m128):
 * the SSE2 conversion to dwords, low 64 bits to mm. A ps source from an
 * XMM register converts its low two floats only (the rest zeroed first, so
 * they raise no MXCSR flag).
 */
export function cvtToMm(sse: Handler, srcBytes: 8 | 16): Handler {
  const s = slotInsn(MMD, MMS);
  return (c, i) => {
    const src = srcW(c, i, srcBytes), x = c.xd;
    x[4 * MMS] = x[4 * src]!; x[4 * MMS + 1] = x[4 * src + 1]!;
    x[4 * MMS + 2] = srcBytes === 16 ? x[4 * src + 2]! : 0; x[4 * MMS + 3] = srcBytes === 16 ? x[4 * src + 3]! : 0;
    sse(c, s);
    enter(c);
    setMm(c, i.reg & 7, x[4 * MMD]!, x[4 * MMD + 1]!);
  };
}
