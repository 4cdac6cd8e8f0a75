/**
 * Operand access for handlers: effective addresses and the E (ModRM.rm,
 * register or memory) and G (ModRM.reg) operands of every size.
 *
 * Values: sizes 1, 2 and 4 are unsigned numbers; a size-8 value is returned
 * as its low half with the high half left in `c.hi`, and written as (lo, hi).
 * Every read sets `c.hi` (0 below size 8), so `const a = readE(..); const
 * ah = c.hi;` is right at any size.
 * Writing a 32-bit register clears its upper half (x86-64 rule); 8- and
 * 16-bit writes keep the rest of the register.
 */

import type { InterpCpu } from './cpu.js';
import { SEG_FS } from './insn.js';
import type { Insn } from './insn.js';

const TWO32 = 4294967296;

export const MASK = [0, 0xff, 0xffff, 0, 0xffffffff, 0, 0, 0, 0xffffffff];

/**
 * Compute the effective address of `i`'s memory operand into (c.eaLo, c.eaHi),
 * without the segment base (what lea stores).
 */
export function eaPair(c: InterpCpu, i: Insn): void {
  const r = c.r;
  // A negative displacement (or sum) borrows through `carry` below.
  let lo = i.disp;
  let hi = 0;
  if (i.base >= 0) {
    lo += r[2 * i.base]!;
    hi += r[2 * i.base + 1]!;
  }
  if (i.index >= 0) {
    lo += r[2 * i.index]! * i.scale;
    hi += r[2 * i.index + 1]! * i.scale;
  }
  const carry = Math.floor(lo / TWO32);
  c.eaLo = lo >>> 0;
  c.eaHi = i.asize === 4 ? 0 : (hi + carry) >>> 0;
}

/** The linear address of `i`'s memory operand (segment base added), as a number. */
export function ea(c: InterpCpu, i: Insn): number {
  const b = i.base, x = i.index;
  if (i.seg === 0 && i.asize === 8) {
    // Fast path: base and index below 2^47 (user addresses) make every term
    // and the sum exact in a double, and a non-negative sum needs no wrap.
    // RIP-relative and moffs forms have no registers: disp is the address.
    const r = c.r;
    let a = i.disp;
    let ok = true;
    if (b >= 0) { const h = r[2 * b + 1]!; if (h < 0x8000) a += h * TWO32 + r[2 * b]!; else ok = false; }
    if (x >= 0) { const h = r[2 * x + 1]!; if (h < 0x8000) a += (h * TWO32 + r[2 * x]!) * i.scale; else ok = false; }
    if (ok && a >= 0) return a;
  }
  eaPair(c, i);
  let lo = c.eaLo, hi = c.eaHi;
  if (i.seg !== 0) {
    lo += i.seg === SEG_FS ? c.fsLo : c.gsLo;
    hi += (i.seg === SEG_FS ? c.fsHi : c.gsHi) + (lo >= TWO32 ? 1 : 0);
    lo >>>= 0;
    hi >>>= 0;
  }
  return hi * TWO32 + lo;
}

// ---- registers ------------------------------------------------------------

/** Read register `n` as `size` bytes; for size 1 `rex` decides AH..BH vs SPL..DIL. */
export function getReg(c: InterpCpu, n: number, size: number, rex: number): number {
  const r = c.r;
  switch (size) {
    case 1:
      c.hi = 0;
      if (n < 4 || rex !== 0) return r[2 * n]! & 0xff;
      return (r[2 * (n - 4)]! >>> 8) & 0xff;
    case 2: c.hi = 0; return r[2 * n]! & 0xffff;
    case 4: c.hi = 0; return r[2 * n]!;
    default:
      c.hi = r[2 * n + 1]!;
      return r[2 * n]!;
  }
}

export function setReg(c: InterpCpu, n: number, size: number, rex: number, lo: number, hi: number): void {
  const r = c.r;
  switch (size) {
    case 1:
      if (n < 4 || rex !== 0) r[2 * n] = (r[2 * n]! & 0xffffff00) | (lo & 0xff);
      else r[2 * (n - 4)] = (r[2 * (n - 4)]! & 0xffff00ff) | ((lo & 0xff) << 8);
      return;
    case 2: r[2 * n] = (r[2 * n]! & 0xffff0000) | (lo & 0xffff); return;
    case 4: r[2 * n] = lo; r[2 * n + 1] = 0; return;
    default: r[2 * n] = lo; r[2 * n + 1] = hi;
  }
}

/** 64-bit register as (lo returned, hi in c.hi). */
export function getReg64(c: InterpCpu, n: number): number {
  c.hi = c.r[2 * n + 1]!;
  return c.r[2 * n]!;
}

export function setReg64(c: InterpCpu, n: number, lo: number, hi: number): void {
  c.r[2 * n] = lo >>> 0;
  c.r[2 * n + 1] = hi >>> 0;
}

// ---- memory by size ---------------------------------------------------------

export function readMem(c: InterpCpu, a: number, size: number): number {
  const m = c.mem;
  switch (size) {
    case 1: c.hi = 0; return m.read8(a);
    case 2: c.hi = 0; return m.read16(a);
    case 4: c.hi = 0; return m.read32(a);
    default: {
      const lo = m.read64(a);
      c.hi = m.hi;
      return lo;
    }
  }
}

export function writeMem(c: InterpCpu, a: number, size: number, lo: number, hi: number): void {
  const m = c.mem;
  switch (size) {
    case 1: m.write8(a, lo); return;
    case 2: m.write16(a, lo); return;
    case 4: m.write32(a, lo); return;
    default: m.write64(a, lo, hi);
  }
}

// ---- E and G operands -------------------------------------------------------

export function readE(c: InterpCpu, i: Insn, size: number): number {
  if (i.mod === 3) return getReg(c, i.rm, size, i.rex);
  return readMem(c, ea(c, i), size);
}

export function writeE(c: InterpCpu, i: Insn, size: number, lo: number, hi: number): void {
  if (i.mod === 3) setReg(c, i.rm, size, i.rex, lo, hi);
  else writeMem(c, ea(c, i), size, lo, hi);
}

export function readG(c: InterpCpu, i: Insn, size: number): number {
  return getReg(c, i.reg, size, i.rex);
}

export function writeG(c: InterpCpu, i: Insn, size: number, lo: number, hi: number): void {
  setReg(c, i.reg, size, i.rex, lo, hi);
}

/**
 * Read the E operand of a read-modify-write instruction. A memory operand is
 * checked writable first, so the later write cannot fault and the
 * instruction has no partial effect; writeRmw then stores to the same place.
 */
export function readRmw(c: InterpCpu, i: Insn, size: number): number {
  if (i.mod === 3) {
    rmwAddr = -1;
    return getReg(c, i.rm, size, i.rex);
  }
  const a = ea(c, i);
  c.mem.probeWrite(a, size);
  rmwAddr = a;
  return readMem(c, a, size);
}

/** Write back the E operand read by the last readRmw. */
export function writeRmw(c: InterpCpu, i: Insn, size: number, lo: number, hi: number): void {
  if (rmwAddr < 0) setReg(c, i.rm, size, i.rex, lo, hi);
  else writeMem(c, rmwAddr, size, lo, hi);
}

/** Address used by the pending read-modify-write (module state: one instruction at a time). */
let rmwAddr = -1;

/** The operand size of a `v` operand whose default is 64 bits (push, pop, near branches). */
export function stackSize(i: Insn): number {
  return i.osize === 2 ? 2 : 8;
}

// ---- the stack ------------------------------------------------------------------

/** Push (lo, hi) of `size` bytes (2 or 8). The store happens before RSP changes. */
export function push(c: InterpCpu, size: number, lo: number, hi: number): void {
  const r = c.r;
  const nlo = r[8]! - size;
  const nhi = nlo < 0 ? (r[9]! - 1) >>> 0 : r[9]!;
  writeMem(c, nhi * TWO32 + (nlo >>> 0), size, lo, hi);
  r[8] = nlo >>> 0;
  r[9] = nhi;
}

/** Pop `size` bytes (2 or 8): returns lo, high half in c.hi. */
export function pop(c: InterpCpu, size: number): number {
  const r = c.r;
  const a = r[8]! + r[9]! * TWO32;
  const lo = readMem(c, a, size);
  const s = r[8]! + size;
  r[8] = s >>> 0;
  if (s >= TWO32) r[9] = (r[9]! + 1) >>> 0;
  return lo;
}

/** Truncate a signed or unsigned number to `size` bytes (unsigned result; size 8 keeps the low half). */
export function trunc(v: number, size: number): number {
  return size >= 4 ? v >>> 0 : v & MASK[size]!;
}
