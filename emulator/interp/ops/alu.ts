/**
 * The eight classic ALU operations (add, or, adc, sbb, and, sub, xor, cmp)
 * in all their encodings, plus test, inc, dec, neg, not. Flags are lazy
 * (flags.ts).
 */

import type { InterpCpu } from '../cpu.js';
import { F_ADC, F_ADD, F_DEC, F_INC, F_LOGIC, F_SBB, F_SUB, getCF, setLazy } from '../flags.js';
import type { Handler, Insn } from '../insn.js';
import { getReg, readE, readG, readRmw, setReg, trunc, writeG, writeRmw } from '../operands.js';

export const ALU_ADD = 0, ALU_OR = 1, ALU_ADC = 2, ALU_SBB = 3, ALU_AND = 4, ALU_SUB = 5, ALU_XOR = 6, ALU_CMP = 7;
const TWO32 = 4294967296;

/**
 * a OP b at `size` bytes, (alo, ahi) and (blo, bhi) as pairs; returns the
 * low half of the result, high half in c.hi, and records the flags.
 */
export function alu(c: InterpCpu, op: number, size: number, alo: number, ahi: number, blo: number, bhi: number): number {
  let lo: number, hi = 0;
  switch (op) {
    case ALU_ADD: case ALU_ADC: {
      const cin = op === ALU_ADC ? getCF(c) : 0;
      const s = alo + blo + cin;
      lo = trunc(s, size);
      if (size === 8) hi = (ahi + bhi + (s >= TWO32 ? 1 : 0)) >>> 0;
      c.fCin = cin;
      setLazy(c, op === ALU_ADD ? F_ADD : F_ADC, size, alo, ahi, blo, bhi, lo, hi);
      break;
    }
    case ALU_SUB: case ALU_CMP: case ALU_SBB: {
      const cin = op === ALU_SBB ? getCF(c) : 0;
      const s = alo - blo - cin;
      lo = trunc(s, size);
      if (size === 8) hi = (ahi - bhi - (s < 0 ? 1 : 0)) >>> 0;
      c.fCin = cin;
      setLazy(c, op === ALU_SBB ? F_SBB : F_SUB, size, alo, ahi, blo, bhi, lo, hi);
      break;
    }
    case ALU_AND:
      lo = (alo & blo) >>> 0; hi = (ahi & bhi) >>> 0;
      setLazy(c, F_LOGIC, size, alo, ahi, blo, bhi, lo, hi);
      break;
    case ALU_OR:
      lo = (alo | blo) >>> 0; hi = (ahi | bhi) >>> 0;
      setLazy(c, F_LOGIC, size, alo, ahi, blo, bhi, lo, hi);
      break;
    default: // ALU_XOR
      lo = (alo ^ blo) >>> 0; hi = (ahi ^ bhi) >>> 0;
      setLazy(c, F_LOGIC, size, alo, ahi, blo, bhi, lo, hi);
  }
  c.hi = hi;
  return lo;
}

/** The immediate of `i` at `size` bytes as lo (high half in c.hi): sign-extended. */
export function immOf(c: InterpCpu, i: Insn, size: number): number {
  c.hi = size === 8 ? i.immHi : 0;
  return trunc(i.imm, size);
}

/** OP Eb,Gb / OP Ev,Gv. */
function aluEG(op: number, byte: boolean): Handler {
  return (c, i) => {
    const s = byte ? 1 : i.osize;
    const b = readG(c, i, s), bh = c.hi;
    if (op === ALU_CMP) {
      const a = readE(c, i, s);
      alu(c, op, s, a, c.hi, b, bh);
      return;
    }
    const a = readRmw(c, i, s), ah = c.hi;
    const lo = alu(c, op, s, a, ah, b, bh);
    writeRmw(c, i, s, lo, c.hi);
  };
}

/** OP Gb,Eb / OP Gv,Ev. */
function aluGE(op: number, byte: boolean): Handler {
  return (c, i) => {
    const s = byte ? 1 : i.osize;
    const b = readE(c, i, s), bh = c.hi;
    const a = readG(c, i, s), ah = c.hi;
    const lo = alu(c, op, s, a, ah, b, bh);
    if (op !== ALU_CMP) writeG(c, i, s, lo, c.hi);
  };
}

/** OP AL,Ib / OP rAX,Iz. */
function aluAI(op: number, byte: boolean): Handler {
  return (c, i) => {
    const s = byte ? 1 : i.osize;
    const b = immOf(c, i, s), bh = c.hi;
    const a = getReg(c, 0, s, 1), ah = c.hi;
    const lo = alu(c, op, s, a, ah, b, bh);
    if (op !== ALU_CMP) setReg(c, 0, s, 1, lo, c.hi);
  };
}

/** Group 1: OP Eb,Ib / Ev,Iz / Ev,Ib, the operation in ModRM.reg. */
function aluEI(byte: boolean): Handler {
  return (c, i) => {
    const s = byte ? 1 : i.osize;
    const op = i.reg & 7;
    const b = immOf(c, i, s), bh = c.hi;
    if (op === ALU_CMP) {
      const a = readE(c, i, s);
      alu(c, op, s, a, c.hi, b, bh);
      return;
    }
    const a = readRmw(c, i, s), ah = c.hi;
    const lo = alu(c, op, s, a, ah, b, bh);
    writeRmw(c, i, s, lo, c.hi);
  };
}

export const opAddEbGb = aluEG(ALU_ADD, true), opAddEvGv = aluEG(ALU_ADD, false);
export const opAddGbEb = aluGE(ALU_ADD, true), opAddGvEv = aluGE(ALU_ADD, false);
export const opAddAlIb = aluAI(ALU_ADD, true), opAddRaxIz = aluAI(ALU_ADD, false);
export const opOrEbGb = aluEG(ALU_OR, true), opOrEvGv = aluEG(ALU_OR, false);
export const opOrGbEb = aluGE(ALU_OR, true), opOrGvEv = aluGE(ALU_OR, false);
export const opOrAlIb = aluAI(ALU_OR, true), opOrRaxIz = aluAI(ALU_OR, false);
export const opAdcEbGb = aluEG(ALU_ADC, true), opAdcEvGv = aluEG(ALU_ADC, false);
export const opAdcGbEb = aluGE(ALU_ADC, true), opAdcGvEv = aluGE(ALU_ADC, false);
export const opAdcAlIb = aluAI(ALU_ADC, true), opAdcRaxIz = aluAI(ALU_ADC, false);
export const opSbbEbGb = aluEG(ALU_SBB, true), opSbbEvGv = aluEG(ALU_SBB, false);
export const opSbbGbEb = aluGE(ALU_SBB, true), opSbbGvEv = aluGE(ALU_SBB, false);
export const opSbbAlIb = aluAI(ALU_SBB, true), opSbbRaxIz = aluAI(ALU_SBB, false);
export const opAndEbGb = aluEG(ALU_AND, true), opAndEvGv = aluEG(ALU_AND, false);
export const opAndGbEb = aluGE(ALU_AND, true), opAndGvEv = aluGE(ALU_AND, false);
export const opAndAlIb = aluAI(ALU_AND, true), opAndRaxIz = aluAI(ALU_AND, false);
export const opSubEbGb = aluEG(ALU_SUB, true), opSubEvGv = aluEG(ALU_SUB, false);
export const opSubGbEb = aluGE(ALU_SUB, true), opSubGvEv = aluGE(ALU_SUB, false);
export const opSubAlIb = aluAI(ALU_SUB, true), opSubRaxIz = aluAI(ALU_SUB, false);
export const opXorEbGb = aluEG(ALU_XOR, true), opXorEvGv = aluEG(ALU_XOR, false);
export const opXorGbEb = aluGE(ALU_XOR, true), opXorGvEv = aluGE(ALU_XOR, false);
export const opXorAlIb = aluAI(ALU_XOR, true), opXorRaxIz = aluAI(ALU_XOR, false);
export const opCmpEbGb = aluEG(ALU_CMP, true), opCmpEvGv = aluEG(ALU_CMP, false);
export const opCmpGbEb = aluGE(ALU_CMP, true), opCmpGvEv = aluGE(ALU_CMP, false);
export const opCmpAlIb = aluAI(ALU_CMP, true), opCmpRaxIz = aluAI(ALU_CMP, false);
/** Group 1 (80, 81, 83): the reg field picks add/or/adc/sbb/and/sub/xor/cmp. */
export const opGrp1EbIb = aluEI(true), opGrp1EvIz = aluEI(false), opGrp1EvIb = aluEI(false);

// ---- test -------------------------------------------------------------------------

function test(c: InterpCpu, s: number, a: number, ah: number, b: number, bh: number): void {
  setLazy(c, F_LOGIC, s, a, ah, b, bh, (a & b) >>> 0, (ah & bh) >>> 0);
}

export const opTestEbGb: Handler = (c, i) => { const b = readG(c, i, 1); test(c, 1, readE(c, i, 1), 0, b, 0); };
export const opTestEvGv: Handler = (c, i) => {
  const s = i.osize;
  const b = readG(c, i, s), bh = c.hi;
  const a = readE(c, i, s);
  test(c, s, a, c.hi, b, bh);
};
export const opTestAlIb: Handler = (c, i) => { test(c, 1, getReg(c, 0, 1, 1), 0, i.imm & 0xff, 0); };
export const opTestRaxIz: Handler = (c, i) => {
  const s = i.osize;
  const b = immOf(c, i, s), bh = c.hi;
  const a = getReg(c, 0, s, 1);
  test(c, s, a, c.hi, b, bh);
};
/** Group 3 /0 and /1: test E,I. */
export function testEI(c: InterpCpu, i: Insn, s: number): void {
  const b = immOf(c, i, s), bh = c.hi;
  const a = readE(c, i, s);
  test(c, s, a, c.hi, b, bh);
}

// ---- not, neg, inc, dec ------------------------------------------------------------

export function notE(c: InterpCpu, i: Insn, s: number): void {
  const a = readRmw(c, i, s), ah = c.hi;
  writeRmw(c, i, s, trunc(~a, s), s === 8 ? ~ah >>> 0 : 0);
}

export function negE(c: InterpCpu, i: Insn, s: number): void {
  const a = readRmw(c, i, s), ah = c.hi;
  const lo = trunc(-a, s);
  const hi = s === 8 ? (-ah - (a !== 0 ? 1 : 0)) >>> 0 : 0;
  writeRmw(c, i, s, lo, hi);
  c.fCin = 0;
  setLazy(c, F_SUB, s, 0, 0, a, ah, lo, hi);
}

/** inc/dec E (group 4 /0 /1 and group 5 /0 /1): CF is kept. */
export function incDecE(c: InterpCpu, i: Insn, s: number, dec: boolean): void {
  const a = readRmw(c, i, s), ah = c.hi;
  const cf = getCF(c);
  let lo: number, hi = 0;
  if (dec) {
    lo = trunc(a - 1, s);
    if (s === 8) hi = a === 0 ? (ah - 1) >>> 0 : ah;
  } else {
    lo = trunc(a + 1, s);
    if (s === 8) hi = a === 0xffffffff ? (ah + 1) >>> 0 : ah;
  }
  writeRmw(c, i, s, lo, hi);
  c.fCin = cf;
  setLazy(c, dec ? F_DEC : F_INC, s, a, ah, 1, 0, lo, hi);
}
