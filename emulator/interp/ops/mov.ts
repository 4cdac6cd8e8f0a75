/**
 * Data movement: mov and its extending forms, lea, xchg, cmpxchg, xadd,
 * bswap, cmovcc, setcc, sign extension of rAX, and the stack (push, pop,
 * enter, leave, pushf, popf, lahf, sahf).
 */

import type { InterpCpu } from '../cpu.js';
import { cond, FLAGS_USER, getFlags, setArith } from '../flags.js';
import { Trap } from '../memory.js';
import type { Handler, Insn } from '../insn.js';
import { FLAG_FIXED, FLAG_IF, FLAG_TF, FLAGS_ARITH } from '../../regs.js';
import {
  ea, eaPair, getReg, pop, push, readE, readG, readMem, readRmw, setReg, stackSize, trunc,
  writeE, writeG, writeMem, writeRmw,
} from '../operands.js';
import { alu, ALU_ADD, ALU_CMP } from './alu.js';

// ---- mov --------------------------------------------------------------------------

export const opMovEbGb: Handler = (c, i) => writeE(c, i, 1, readG(c, i, 1), 0);
export const opMovEvGv: Handler = (c, i) => { const v = readG(c, i, i.osize); writeE(c, i, i.osize, v, c.hi); };
export const opMovGbEb: Handler = (c, i) => writeG(c, i, 1, readE(c, i, 1), 0);
export const opMovGvEv: Handler = (c, i) => { const v = readE(c, i, i.osize); writeG(c, i, i.osize, v, c.hi); };
export const opMovEbIb: Handler = (c, i) => writeE(c, i, 1, i.imm & 0xff, 0);
export const opMovEvIz: Handler = (c, i) => writeE(c, i, i.osize, trunc(i.imm, i.osize), i.immHi);
/** B0+r: mov Zb,Ib. */
export const opMovZbIb: Handler = (c, i) => setReg(c, i.reg, 1, i.rex, i.imm & 0xff, 0);
/** B8+r: mov Zv,Iv (the only 64-bit immediate). */
export const opMovZvIv: Handler = (c, i) => setReg(c, i.reg, i.osize, i.rex, trunc(i.imm, i.osize), i.immHi);
/** A0-A3: mov AL/rAX to or from an absolute address (moffs). */
export const opMovAlOb: Handler = (c, i) => setReg(c, 0, 1, 1, readMem(c, ea(c, i), 1), 0);
export const opMovRaxOv: Handler = (c, i) => { const v = readMem(c, ea(c, i), i.osize); setReg(c, 0, i.osize, 1, v, c.hi); };
export const opMovObAl: Handler = (c, i) => writeMem(c, ea(c, i), 1, getReg(c, 0, 1, 1), 0);
export const opMovOvRax: Handler = (c, i) => { const v = getReg(c, 0, i.osize, 1); writeMem(c, ea(c, i), i.osize, v, c.hi); };

/** 8C: mov Ev,Sw. User mode sees Linux's selectors (arch/x86/include/asm/segment.h). */
export const opMovEvSw: Handler = (c, i) => {
  const sel = [0, 0x33, 0x2b, 0, 0, 0, 0, 0][i.reg & 7]!;
  writeE(c, i, i.mod === 3 ? i.osize : 2, sel, 0);
};

export const opMovzxGvEb: Handler = (c, i) => writeG(c, i, i.osize, readE(c, i, 1), 0);
export const opMovzxGvEw: Handler = (c, i) => writeG(c, i, i.osize, readE(c, i, 2), 0);

function sext(v: number, from: number, to: number, c: InterpCpu): number {
  const bits = from * 8;
  const s = (v << (32 - bits)) >> (32 - bits); // signed 32-bit
  c.hi = to === 8 && s < 0 ? 0xffffffff : 0;
  return trunc(s, to);
}

export const opMovsxGvEb: Handler = (c, i) => { const v = sext(readE(c, i, 1), 1, i.osize, c); writeG(c, i, i.osize, v, c.hi); };
export const opMovsxGvEw: Handler = (c, i) => { const v = sext(readE(c, i, 2), 2, i.osize, c); writeG(c, i, i.osize, v, c.hi); };
/** 63: movsxd Gv,Ed (without REX.W it is a plain 32-bit move). */
export const opMovsxdGvEd: Handler = (c, i) => {
  const s = i.osize === 8 ? 8 : i.osize;
  const v = readE(c, i, s === 2 ? 2 : 4);
  const r = s === 8 ? sext(v, 4, 8, c) : v;
  writeG(c, i, s, r, c.hi);
};

export const opLeaGvM: Handler = (c, i) => {
  eaPair(c, i);
  let lo = c.eaLo, hi = c.eaHi;
  if (i.base < 0 && i.index < 0) { // RIP-relative: disp holds the absolute address
    lo = i.disp >>> 0;
    hi = Math.floor(i.disp / 4294967296) >>> 0;
  }
  writeG(c, i, i.osize, trunc(lo, i.osize), hi);
};

// ---- exchange and compare ---------------------------------------------------------------

export const opXchgEbGb: Handler = (c, i) => {
  const a = readRmw(c, i, 1);
  const b = readG(c, i, 1);
  writeRmw(c, i, 1, b, 0);
  writeG(c, i, 1, a, 0);
};
export const opXchgEvGv: Handler = (c, i) => {
  const s = i.osize;
  const a = readRmw(c, i, s), ah = c.hi;
  const b = readG(c, i, s), bh = c.hi;
  writeRmw(c, i, s, b, bh);
  writeG(c, i, s, a, ah);
};
/** 90+r: xchg Zv,rAX (90 itself, without REX.B, is nop; F3 90 is pause). */
export const opXchgZvRax: Handler = (c, i) => {
  const s = i.osize;
  if (i.reg === 0) return; // 90 is nop even at 32 bits: no zero-extension of RAX
  const a = getReg(c, 0, s, 1), ah = c.hi;
  const b = getReg(c, i.reg, s, 1), bh = c.hi;
  setReg(c, 0, s, 1, b, bh);
  setReg(c, i.reg, s, 1, a, ah);
};

export const opCmpxchgEbGb: Handler = (c, i) => cmpxchg(c, i, 1);
export const opCmpxchgEvGv: Handler = (c, i) => cmpxchg(c, i, i.osize);

function cmpxchg(c: InterpCpu, i: Insn, s: number): void {
  const d = readRmw(c, i, s), dh = c.hi;
  const a = getReg(c, 0, s, 1), ah = c.hi;
  alu(c, ALU_CMP, s, a, ah, d, dh);
  if (a === d && ah === dh) {
    const v = readG(c, i, s);
    writeRmw(c, i, s, v, c.hi);
  } else {
    // A memory destination is written back unchanged (a locked RMW always writes), then rAX loaded.
    if (i.mod !== 3) writeRmw(c, i, s, d, dh);
    setReg(c, 0, s, 1, d, dh);
  }
}

/** 0F C7 /1: cmpxchg8b Mq, or cmpxchg16b Mdq with REX.W. */
export const opCmpxchg8bMq: Handler = (c, i) => {
  const a = ea(c, i);
  const r = c.r;
  if (i.osize === 8) {
    if ((a & 15) !== 0) throw gp();
    c.mem.probeWrite(a, 16);
    const m0 = c.mem.read64(a), m1 = c.mem.hi, m2 = c.mem.read64(a + 8), m3 = c.mem.hi;
    if (m0 === r[0] && m1 === r[1] && m2 === r[4] && m3 === r[5]) {
      c.mem.write64(a, r[6]!, r[7]!); c.mem.write64(a + 8, r[2]!, r[3]!);
      setZF(c, true);
    } else {
      c.mem.write64(a, m0, m1); c.mem.write64(a + 8, m2, m3);
      r[0] = m0; r[1] = m1; r[4] = m2; r[5] = m3;
      setZF(c, false);
    }
    return;
  }
  c.mem.probeWrite(a, 8);
  const lo = c.mem.read32(a), hi = c.mem.read32(a + 4);
  if (lo === r[0] && hi === r[4]) {
    c.mem.write32(a, r[6]!); c.mem.write32(a + 4, r[2]!);
    setZF(c, true);
  } else {
    c.mem.write32(a, lo); c.mem.write32(a + 4, hi);
    r[0] = lo; r[1] = 0; r[4] = hi; r[5] = 0;
    setZF(c, false);
  }
};

function setZF(c: InterpCpu, z: boolean): void {
  const f = getFlags(c);
  setArith(c, (f & FLAGS_ARITH & ~0x40) | (z ? 0x40 : 0));
}

function gp(): Trap { return new Trap({ kind: 'gp' }); }

export const opXaddEbGb: Handler = (c, i) => xadd(c, i, 1);
export const opXaddEvGv: Handler = (c, i) => xadd(c, i, i.osize);

function xadd(c: InterpCpu, i: Insn, s: number): void {
  const d = readRmw(c, i, s), dh = c.hi;
  const g = readG(c, i, s), gh = c.hi;
  const lo = alu(c, ALU_ADD, s, d, dh, g, gh);
  const hi = c.hi;
  writeG(c, i, s, d, dh);
  writeRmw(c, i, s, lo, hi);
}

/** 0F C8+r: bswap Zv (16-bit operand size is undefined; it gives 0 on real CPUs). */
export const opBswapZv: Handler = (c, i) => {
  const r = c.r, n = i.reg;
  const sw = (v: number) => (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
  if (i.osize === 8) {
    const lo = r[2 * n]!, hi = r[2 * n + 1]!;
    r[2 * n] = sw(hi); r[2 * n + 1] = sw(lo);
  } else if (i.osize === 4) {
    r[2 * n] = sw(r[2 * n]!); r[2 * n + 1] = 0;
  } else {
    r[2 * n] = r[2 * n]! & 0xffff0000;
  }
};

// ---- conditional moves and sets -------------------------------------------------------

/** 0F 40+cc: cmovcc Gv,Ev. The source is always read; a 32-bit destination is zero-extended even when the condition is false. */
export const opCmovGvEv: Handler = (c, i) => {
  const s = i.osize;
  const v = readE(c, i, s), vh = c.hi;
  if (cond(c, i.op & 15)) writeG(c, i, s, v, vh);
  else if (s === 4) c.r[2 * i.reg + 1] = 0;
};

/** 0F 90+cc: setcc Eb. */
export const opSetccEb: Handler = (c, i) => writeE(c, i, 1, cond(c, i.op & 15) ? 1 : 0, 0);

/** 98: cbw / cwde / cdqe. */
export const opCbw: Handler = (c, i) => {
  const r = c.r;
  if (i.osize === 8) r[1] = (r[0]! >>> 31) ? 0xffffffff : 0;
  else if (i.osize === 4) { r[0] = ((r[0]! << 16) >> 16) >>> 0; r[1] = 0; }
  else r[0] = ((r[0]! & 0xffff0000) | (((r[0]! << 24) >> 24) & 0xffff)) >>> 0;
};

/** 99: cwd / cdq / cqo. */
export const opCwd: Handler = (c, i) => {
  const r = c.r;
  if (i.osize === 8) { const v = (r[1]! >>> 31) ? 0xffffffff : 0; r[4] = v; r[5] = v; }
  else if (i.osize === 4) { r[4] = (r[0]! >>> 31) ? 0xffffffff : 0; r[5] = 0; }
  else r[4] = ((r[4]! & 0xffff0000) | ((r[0]! & 0x8000) ? 0xffff : 0)) >>> 0;
};

// ---- the stack ---------------------------------------------------------------------------

export const opPushZv: Handler = (c, i) => { const s = stackSize(i); const v = getReg(c, i.reg, s, 1); push(c, s, v, c.hi); };
export const opPopZv: Handler = (c, i) => { const s = stackSize(i); const v = pop(c, s); setReg(c, i.reg, s, 1, v, c.hi); };
export const opPushIz: Handler = (c, i) => { const s = stackSize(i); push(c, s, trunc(i.imm, s), i.immHi); };
export const opPushIb: Handler = opPushIz;
/** FF /6: push Ev. */
export const opPushEv: Handler = (c, i) => { const s = stackSize(i); const v = readE(c, i, s); push(c, s, v, c.hi); };
/** 8F /0: pop Ev. RSP is incremented before the address is computed (SDM pop). */
export const opPopEv: Handler = (c, i) => {
  const s = stackSize(i);
  const r = c.r;
  const oldLo = r[8]!, oldHi = r[9]!;
  const v = pop(c, s), vh = c.hi;
  try {
    writeE(c, i, s, v, vh);
  } catch (e) {
    r[8] = oldLo; r[9] = oldHi;
    throw e;
  }
};

/** C9: leave. */
export const opLeave: Handler = (c, i) => {
  const s = stackSize(i);
  const r = c.r;
  const a = r[10]! + r[11]! * 4294967296;
  const v = readMem(c, a, s), vh = c.hi;
  const n = r[10]! + s;
  r[8] = n >>> 0; r[9] = n >= 4294967296 ? (r[11]! + 1) >>> 0 : r[11]!;
  setReg(c, 5, s, 1, v, vh);
};

/** C8: enter Iw,Ib (nesting levels above 0 copy frame pointers, SDM ENTER). */
export const opEnterIwIb: Handler = (c, i) => {
  const s = stackSize(i);
  const r = c.r;
  const level = i.imm2 & 31;
  const bp = getReg(c, 5, s, 1), bph = c.hi;
  push(c, s, bp, bph);
  const frameLo = r[8]!, frameHi = r[9]!;
  for (let k = 1; k < level; k++) {
    const a = (r[10]! + r[11]! * 4294967296) - k * s;
    const v = readMem(c, a, s);
    push(c, s, v, c.hi);
  }
  if (level > 0) push(c, s, frameLo, frameHi);
  setReg(c, 5, s, 1, frameLo, frameHi);
  const n = r[8]! - (i.imm & 0xffff);
  r[8] = n >>> 0;
  if (n < 0) r[9] = (r[9]! - 1) >>> 0;
};

/** 9C: pushf (VM and RF read as 0). */
export const opPushf: Handler = (c, i) => push(c, stackSize(i), getFlags(c) & 0xfcffff, 0);
/** 9D: popf: user mode may change the arithmetic flags, TF, DF, AC and ID, not IF or IOPL. */
export const opPopf: Handler = (c, i) => {
  const s = stackSize(i);
  const v = pop(c, s);
  const keep = s === 2 ? ~0xffff : 0;
  const f = getFlags(c);
  c.flags = (((f & keep) | (v & FLAGS_USER & ~keep)) | FLAG_FIXED | FLAG_IF) >>> 0;
  // TF now set: leave a compiled region here (as after a store to code), run() single-steps from the next instruction.
  if (c.flags & FLAG_TF) c.smc = true;
};
/** 9F: lahf. */
export const opLahf: Handler = (c) => { const f = getFlags(c); c.r[0] = ((c.r[0]! & 0xffff00ff) | ((f & 0xd5 | 2) << 8)) >>> 0; };
/** 9E: sahf. */
export const opSahf: Handler = (c) => { const f = getFlags(c); setArith(c, (f & 0x800) | ((c.r[0]! >>> 8) & 0xd5)); };
