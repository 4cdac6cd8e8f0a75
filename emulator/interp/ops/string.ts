/**
 * String instructions: movs, stos, lods, cmps, scas, each with an optional
 * rep (F3; F2 also repeats movs/stos/lods), repe (F3) or repne (F2) on
 * cmps/scas, in both directions (DF).
 *
 * A repeated instruction runs all its iterations in one handler call (it
 * counts as one instruction against the budget). rSI, rDI and rCX are
 * written back after every iteration's effect, so a fault part-way leaves
 * them as the hardware does: the completed iterations done, RIP on the
 * instruction, ready to resume.
 */

import type { InterpCpu } from '../cpu.js';
import type { Handler, Insn } from '../insn.js';
import { FLAG_DF } from '../../regs.js';
import { getReg, readMem, setReg, writeMem } from '../operands.js';
import { alu, ALU_CMP } from './alu.js';

const TWO32 = 4294967296;
const KIND_MOVS = 0, KIND_STOS = 1, KIND_LODS = 2, KIND_CMPS = 3, KIND_SCAS = 4;

function regAddr(c: InterpCpu, n: number, asize: number): number {
  return asize === 4 ? c.r[2 * n]! : c.r[2 * n + 1]! * TWO32 + c.r[2 * n]!;
}

function setRegAddr(c: InterpCpu, n: number, asize: number, v: number): void {
  if (asize === 4) { c.r[2 * n] = v >>> 0; c.r[2 * n + 1] = 0; return; }
  if (v < 0) v += 2 ** 64;
  c.r[2 * n] = v >>> 0;
  c.r[2 * n + 1] = Math.floor(v / TWO32) >>> 0;
}

function segBase(c: InterpCpu, i: Insn): number {
  if (i.seg === 0) return 0;
  return i.seg === 4 ? c.fsHi * TWO32 + c.fsLo : c.gsHi * TWO32 + c.gsLo;
}

function stringOp(kind: number, byte: boolean): Handler {
  return (c, i) => {
    const s = byte ? 1 : i.osize;
    // DF is not an arithmetic flag: c.flags holds it even while flags are lazy.
    const step = (c.flags & FLAG_DF) !== 0 ? -s : s;
    const as = i.asize;
    const rep = i.rep;
    const cmp = kind === KIND_CMPS || kind === KIND_SCAS;
    // rCX as a (lo, hi) pair: counts like -1 (repne scasb) exceed a double's precision.
    let cLo = rep !== 0 ? c.r[2]! : 1, cHi = rep !== 0 && as === 8 ? c.r[3]! : 0;
    let si = regAddr(c, 6, as), di = regAddr(c, 7, as);
    const base = segBase(c, i);
    const usesSi = kind === KIND_MOVS || kind === KIND_LODS || kind === KIND_CMPS;
    const usesDi = kind !== KIND_LODS;
    // rAX for stos/scas; read once (it does not change during the loop except for lods).
    const ax = getReg(c, 0, s, 1), axh = c.hi;
    try {
      // Forward rep movs/stos: whole runs within a page at a time, as block copies.
      if (rep !== 0 && step > 0 && as === 8 && cHi === 0 && cLo * s >= 64 && (kind === KIND_STOS || (kind === KIND_MOVS && base === 0))) {
        while (cLo > 1) {
          const n = pageRun(si, di, cLo, s, kind === KIND_MOVS);
          if (n < 2) break;
          // The source is checked first: an element-wise copy would fault on its read first.
          const sv = kind === KIND_MOVS ? c.mem.rv(si) : null;
          const dv = c.mem.wv(di);
          const dst = new Uint8Array(dv.buffer, dv.byteOffset + (di & 0xfff), n * s);
          if (sv !== null) {
            dst.set(new Uint8Array(sv.buffer, sv.byteOffset + (si & 0xfff), n * s));
            si += n * s;
          } else fill(dst, s, ax, axh);
          di += n * s;
          cLo -= n;
        }
      }
      while ((cLo | cHi) !== 0) {
        switch (kind) {
          case KIND_MOVS: {
            const v = readMem(c, base + si, s);
            writeMem(c, di, s, v, c.hi);
            break;
          }
          case KIND_STOS: writeMem(c, di, s, ax, axh); break;
          case KIND_LODS: { const v = readMem(c, base + si, s); setReg(c, 0, s, 1, v, c.hi); break; }
          case KIND_CMPS: {
            const a = readMem(c, base + si, s), ah = c.hi;
            const b = readMem(c, di, s);
            alu(c, ALU_CMP, s, a, ah, b, c.hi);
            break;
          }
          default: { // SCAS
            const b = readMem(c, di, s);
            alu(c, ALU_CMP, s, ax, axh, b, c.hi);
          }
        }
        if (usesSi) si += step;
        if (usesDi) di += step;
        if (rep === 0) break;
        if (cLo === 0) cHi = (cHi - 1) >>> 0;
        cLo = (cLo - 1) >>> 0;
        if (cmp) {
          const zf = (c.fResLo | c.fResHi) === 0; // the compare just done is the pending lazy operation
          if (rep === 0xf3 ? !zf : zf) break;
        }
      }
    } finally {
      if (usesSi) setRegAddr(c, 6, as, si);
      if (usesDi) setRegAddr(c, 7, as, di);
      if (rep !== 0) { c.r[2] = cLo; c.r[3] = cHi; }
    }
  };
}

/**
 * How many elements of a forward rep movs/stos lie in the current page of
 * both operands (0 when an element straddles; movs also needs the
 * destination not to overlap the source ahead of it, where an element-wise
 * copy replicates bytes and a block copy would not).
 */
function pageRun(si: number, di: number, count: number, s: number, movs: boolean): number {
  let n = Math.min(count, Math.floor((4096 - (di & 0xfff)) / s));
  if (movs) {
    n = Math.min(n, Math.floor((4096 - (si & 0xfff)) / s));
    if (di > si && di < si + n * s) return 0;
  }
  return n;
}

/** Fill with the element (lo, hi) of `s` bytes. */
function fill(dst: Uint8Array, s: number, lo: number, hi: number): void {
  if (s === 1) { dst.fill(lo); return; }
  const v = new DataView(dst.buffer, dst.byteOffset, dst.length);
  for (let o = 0; o < dst.length; o += s) {
    if (s === 2) v.setUint16(o, lo, true);
    else { v.setUint32(o, lo, true); if (s === 8) v.setUint32(o + 4, hi, true); }
  }
}

export const opMovsb = stringOp(KIND_MOVS, true), opMovsv = stringOp(KIND_MOVS, false);
export const opStosb = stringOp(KIND_STOS, true), opStosv = stringOp(KIND_STOS, false);
export const opLodsb = stringOp(KIND_LODS, true), opLodsv = stringOp(KIND_LODS, false);
export const opCmpsb = stringOp(KIND_CMPS, true), opCmpsv = stringOp(KIND_CMPS, false);
export const opScasb = stringOp(KIND_SCAS, true), opScasv = stringOp(KIND_SCAS, false);
