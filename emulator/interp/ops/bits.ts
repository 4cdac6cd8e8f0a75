/**
 * Bit instructions: bt, bts, btr, btc (register, memory with a register bit
 * offset that reaches beyond the operand, and group 8 with an immediate),
 * bsf, bsr, popcnt.
 *
 * CPUID does not advertise BMI1 or LZCNT, so F3 0F BC and F3 0F BD run as
 * bsf and bsr (the F3 is ignored, as on CPUs without those extensions).
 */

import type { InterpCpu } from '../cpu.js';
import { getFlags, setArith } from '../flags.js';
import type { Handler } from '../insn.js';
import { Trap } from '../memory.js';
import { FLAG_CF, FLAG_ZF, FLAGS_ARITH } from '../../regs.js';
import { ea, getReg, readE, readG, readMem, readRmw, setReg, writeG, writeMem, writeRmw } from '../operands.js';

const BT = 0, BTS = 1, BTR = 2, BTC = 3;

/** Apply a bit op to (v, vh) at bit `n`: returns the new lo, hi in c.hi, CF set. */
function bitOp(c: InterpCpu, op: number, v: number, vh: number, n: number): number {
  const inHi = n >= 32;
  const m = 1 << (n & 31);
  const word = inHi ? vh : v;
  const old = (word & m) !== 0;
  let nw = word;
  if (op === BTS) nw = (word | m) >>> 0;
  else if (op === BTR) nw = (word & ~m) >>> 0;
  else if (op === BTC) nw = (word ^ m) >>> 0;
  // CF is the old bit; the other arithmetic flags are undefined: we keep them.
  setArith(c, (getFlags(c) & FLAGS_ARITH & ~FLAG_CF) | (old ? FLAG_CF : 0));
  c.hi = inHi ? nw : vh;
  return inHi ? v : nw;
}

/** bt* Ev,Gv: with a memory operand the signed bit offset selects the word. */
function btEvGv(op: number): Handler {
  return (c, i) => {
    const s = i.osize, bits = s * 8;
    const off = readG(c, i, s), offh = c.hi;
    if (i.mod === 3) {
      const v = getReg(c, i.rm, s, i.rex), vh = c.hi;
      const lo = bitOp(c, op, v, vh, off & (bits - 1));
      if (op !== BT) setReg(c, i.rm, s, i.rex, lo, c.hi);
      return;
    }
    // Signed offset: s * floor(offset / bits) bytes from the operand.
    let sOff: number;
    if (s === 8) sOff = (offh | 0) * 4294967296 + off; else if (s === 4) sOff = off | 0; else sOff = (off << 16) >> 16;
    const a = ea(c, i) + s * Math.floor(sOff / bits);
    const n = ((sOff % bits) + bits) % bits;
    if (op !== BT) c.mem.probeWrite(a, s);
    const v = readMem(c, a, s), vh = c.hi;
    const lo = bitOp(c, op, v, vh, n);
    if (op !== BT) writeMem(c, a, s, lo, c.hi);
  };
}

export const opBtEvGv = btEvGv(BT), opBtsEvGv = btEvGv(BTS), opBtrEvGv = btEvGv(BTR), opBtcEvGv = btEvGv(BTC);

/** Group 8 (0F BA): bt/bts/btr/btc Ev,Ib (/4../7); the offset is taken modulo the operand size. */
export const opGrp8EvIb: Handler = (c, i) => {
  const op = (i.reg & 7) - 4;
  if (op < 0) throw udTrap();
  const s = i.osize;
  const n = i.imm & (s * 8 - 1);
  if (op === BT) {
    const v = readE(c, i, s);
    bitOp(c, BT, v, c.hi, n);
    return;
  }
  const v = readRmw(c, i, s), vh = c.hi;
  const lo = bitOp(c, op, v, vh, n);
  writeRmw(c, i, s, lo, c.hi);
};

function udTrap(): Trap { return new Trap({ kind: 'ud' }); }

function clz32(v: number): number { return Math.clz32(v); }
function ctz32(v: number): number { return 31 - Math.clz32(v & -v); }

/** 0F BC: bsf Gv,Ev (zero source: ZF set, destination unchanged). */
export const opBsfGvEv: Handler = (c, i) => {
  const s = i.osize;
  const v = readE(c, i, s), vh = c.hi;
  const f = getFlags(c) & FLAGS_ARITH & ~FLAG_ZF;
  if (v === 0 && vh === 0) { setArith(c, f | FLAG_ZF); return; }
  const n = v !== 0 ? ctz32(v) : 32 + ctz32(vh);
  writeG(c, i, s, n, 0);
  setArith(c, f);
};

/** 0F BD: bsr Gv,Ev. */
export const opBsrGvEv: Handler = (c, i) => {
  const s = i.osize;
  const v = readE(c, i, s), vh = c.hi;
  const f = getFlags(c) & FLAGS_ARITH & ~FLAG_ZF;
  if (v === 0 && vh === 0) { setArith(c, f | FLAG_ZF); return; }
  const n = vh !== 0 ? 63 - clz32(vh) : 31 - clz32(v);
  writeG(c, i, s, n, 0);
  setArith(c, f);
};

function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** F3 0F B8: popcnt Gv,Ev (ZF when the source is 0; the other flags cleared). */
export const opPopcntGvEv: Handler = (c, i) => {
  const s = i.osize;
  const v = readE(c, i, s), vh = c.hi;
  writeG(c, i, s, popcount32(v) + popcount32(vh), 0);
  setArith(c, v === 0 && vh === 0 ? FLAG_ZF : 0);
};
