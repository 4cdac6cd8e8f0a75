/**
 * Control transfer: jcc, jmp, call, ret, loop/jrcxz and group 5 (inc, dec,
 * call, jmp, push on Ev). Branch targets of Jb/Jz forms are computed by the
 * decoder (Insn.target). A near branch in 64-bit mode has a 64-bit operand
 * size; the 66 prefix is ignored as on Intel CPUs.
 */

import type { InterpCpu } from '../cpu.js';
import { cond, getFlags } from '../flags.js';
import type { Handler } from '../insn.js';
import { Trap } from '../memory.js';
import { FLAG_ZF } from '../../regs.js';
import { push, readE } from '../operands.js';
import { incDecE } from './alu.js';
import { opPushEv } from './mov.js';

const TWO32 = 4294967296;

/** Jump to the 64-bit address (lo, hi); a non-canonical target raises #GP at the branch. */
export function jumpTo(c: InterpCpu, lo: number, hi: number): void {
  if (hi >= 0x8000 && hi < 0xffff8000) throw new Trap({ kind: 'gp' });
  c.rip = hi * TWO32 + lo;
}

function pushRip(c: InterpCpu): void {
  push(c, 8, c.rip >>> 0, Math.floor(c.rip / TWO32));
}

/** 70+cc Jb, 0F 80+cc Jz. */
export const opJccJb: Handler = (c, i) => { if (cond(c, i.op & 15)) c.rip = i.target; };
export const opJccJz = opJccJb;
export const opJmpJb: Handler = (c, i) => { c.rip = i.target; };
export const opJmpJz = opJmpJb;
export const opCallJz: Handler = (c, i) => { pushRip(c); c.rip = i.target; };

/** ret and ret Iw: a non-canonical return address raises #GP before RSP changes. */
function ret(c: InterpCpu, extra: number): void {
  const r = c.r;
  const lo = c.mem.read64(r[9]! * TWO32 + r[8]!), hi = c.mem.hi;
  jumpTo(c, lo, hi);
  const n = r[8]! + 8 + extra;
  r[8] = n >>> 0;
  if (n >= TWO32) r[9] = (r[9]! + 1) >>> 0;
}

export const opRet: Handler = (c) => ret(c, 0);
/** C2: ret Iw (pops Iw more bytes). */
export const opRetIw: Handler = (c, i) => ret(c, i.imm & 0xffff);

/** rCX (or ECX with a 67 prefix) minus one; returns whether it is now nonzero. */
function decCount(c: InterpCpu, asize: number): boolean {
  const r = c.r;
  if (asize === 4) {
    r[2] = (r[2]! - 1) >>> 0; r[3] = 0;
    return r[2] !== 0;
  }
  if (r[2] === 0) r[3] = (r[3]! - 1) >>> 0;
  r[2] = (r[2]! - 1) >>> 0;
  return (r[2]! | r[3]!) !== 0;
}

/** E0 loopne, E1 loope, E2 loop (Jb). */
export const opLoopneJb: Handler = (c, i) => { if (decCount(c, i.asize) && (getFlags(c) & FLAG_ZF) === 0) c.rip = i.target; };
export const opLoopeJb: Handler = (c, i) => { if (decCount(c, i.asize) && (getFlags(c) & FLAG_ZF) !== 0) c.rip = i.target; };
export const opLoopJb: Handler = (c, i) => { if (decCount(c, i.asize)) c.rip = i.target; };
/** E3: jrcxz / jecxz. */
export const opJrcxzJb: Handler = (c, i) => {
  const r = c.r;
  if (r[2] === 0 && (i.asize === 4 || r[3] === 0)) c.rip = i.target;
};

/** Group 5 (FF): inc, dec, call Ev, call far (#UD here), jmp Ev, jmp far (#UD), push Ev. */
export const opGrp5Ev: Handler = (c, i) => {
  switch (i.reg & 7) {
    case 0: incDecE(c, i, i.osize, false); return;
    case 1: incDecE(c, i, i.osize, true); return;
    case 2: {
      const lo = readE(c, i, 8), hi = c.hi;
      if (hi >= 0x8000 && hi < 0xffff8000) throw new Trap({ kind: 'gp' });
      pushRip(c);
      jumpTo(c, lo, hi);
      return;
    }
    case 4: {
      const lo = readE(c, i, 8);
      jumpTo(c, lo, c.hi);
      return;
    }
    case 6: opPushEv(c, i); return;
    default: throw new Trap({ kind: 'ud' });
  }
};
