/**
 * Shared pieces of the block compiler's templates (gen.ts, gen-mem.ts):
 * register access, lazy-flag bookkeeping, the inline address computation
 * and the inline TLB hit path of loads and stores.
 */

import { F_ADD, F_LOGIC, F_SUB } from './flags.js';
import type { Insn } from './insn.js';
import * as A from './ops/alu.js';

/**
 * A template generator: JavaScript for instruction number `k` of its block,
 * or null. Code that touches memory first sets `c.bi = k` (a fault then
 * puts RIP on this instruction) and may use `i${k}` (the Insn), `m`
 * (c.mem) and `ea` (operands.ts) for the general address computation.
 */
export type Gen = (i: Insn, k: number, flags: FlagState | null) => string | null;

/** The lazy flag operation (flags.ts F_*) and size an earlier instruction of the block left pending. */
export interface FlagState {
  op: number;
  size: number;
}

/**
 * Mark a template's stores of the flags it sets (all six arithmetic flags,
 * without reading the old ones): the compiler drops them when a later
 * instruction of the block overwrites them unread (compile.ts).
 */
export function flagsOut(code: string): string {
  return `/*F{*/${code}/*}F*/`;
}

/** Code a template runs only when its flags are dead (instead of its flagsOut section). */
export function flagsDead(code: string): string {
  return `/*D{*/${code}/*}D*/`;
}

/** Read register n at size (4 or 8) into locals `${v}` and `${v}h`. */
export function load(v: string, n: number, size: number): string {
  return size === 8 ? `const ${v} = r[${2 * n}], ${v}h = r[${2 * n + 1}];` : `const ${v} = r[${2 * n}], ${v}h = 0;`;
}

/** Write (lo, hi) locals to register n at size 4 (upper half cleared) or 8. */
export function store(n: number, size: number, lo: string, hi: string): string {
  return size === 8 ? `r[${2 * n}] = ${lo}; r[${2 * n + 1}] = ${hi};` : `r[${2 * n}] = ${lo}; r[${2 * n + 1}] = 0;`;
}

export function lazy(op: number, size: number, cin = false): string {
  return flagsOut(`${cin ? 'c.fCin = 0; ' : ''}c.fOp = ${op}; c.fSize = ${size}; c.fDstLo = a; c.fDstHi = ah; c.fSrcLo = b; c.fSrcHi = bh; c.fResLo = lo; c.fResHi = hi;`);
}

/** The result and flags of add/sub/and/or/xor (cmp, test: without writing). */
export function aluBody(op: number, size: number): string {
  switch (op) {
    case A.ALU_ADD:
      return size === 8
        ? `const t = a + b; const lo = t >>> 0; const hi = (ah + bh + (t > 4294967295 ? 1 : 0)) >>> 0; ${lazy(F_ADD, 8)}`
        : `const lo = (a + b) >>> 0; const hi = 0; ${lazy(F_ADD, 4)}`;
    case A.ALU_SUB: case A.ALU_CMP:
      return size === 8
        ? `const t = a - b; const lo = t >>> 0; const hi = (ah - bh - (t < 0 ? 1 : 0)) >>> 0; ${lazy(F_SUB, 8, true)}`
        : `const lo = (a - b) >>> 0; const hi = 0; ${lazy(F_SUB, 4, true)}`;
    case A.ALU_AND: return `const lo = (a & b) >>> 0; const hi = (ah & bh) >>> 0; ${lazy(F_LOGIC, size)}`;
    case A.ALU_OR: return `const lo = (a | b) >>> 0; const hi = (ah | bh) >>> 0; ${lazy(F_LOGIC, size)}`;
    default: return `const lo = (a ^ b) >>> 0; const hi = (ah ^ bh) >>> 0; ${lazy(F_LOGIC, size)}`;
  }
}

export const TEST = 8;
export const SUPPORTED = new Set([A.ALU_ADD, A.ALU_SUB, A.ALU_CMP, A.ALU_AND, A.ALU_OR, A.ALU_XOR, TEST]);

/**
 * `const a = <linear address>` for i's memory operand: inline for the
 * common 64-bit base(+index) forms under 2^47 (as operands.ts ea()), else a
 * call to ea().
 */
export function addr(i: Insn, k: number): string {
  if (i.seg !== 0 || i.asize !== 8) return `const a = ea(c, i${k});`;
  if (i.base < 0 && i.index < 0) return `const a = ${i.disp};`;
  let code = `let a = ${i.disp};`;
  const terms: string[] = [];
  if (i.base >= 0) terms.push(`(r[${2 * i.base + 1}] < 32768 ? r[${2 * i.base + 1}] * 4294967296 + r[${2 * i.base}] : NaN)`);
  if (i.index >= 0) terms.push(`(r[${2 * i.index + 1}] < 32768 ? (r[${2 * i.index + 1}] * 4294967296 + r[${2 * i.index}]) * ${i.scale} : NaN)`);
  code += ` a += ${terms.join(' + ')}; if (!(a >= 0)) a = ea(c, i${k});`;
  return code;
}

/**
 * Memory access with the TLB hit path inline (memory.ts; `rT rB rV wT wB
 * wV` and the scratch `pg` are declared at the top of every block). A miss,
 * or an access that straddles a page, calls the GuestMemory method, which
 * refills the TLB or raises the fault. `A` is a plain identifier.
 */
export function rd(size: number, A: string): string {
  const hit = `rT[(pg = Math.floor(${A} / 4096)) & TLB] === pg`;
  if (size === 1) return `(${hit} ? rB[pg & TLB][${A} & 4095] : m.read8(${A}))`;
  const get = size === 2 ? 'getUint16' : 'getUint32';
  return `(${hit} && (${A} & 4095) <= ${4096 - size} ? rV[pg & TLB].${get}(${A} & 4095, true) : m.${size === 2 ? 'read16' : 'read32'}(${A}))`;
}

/** `lo = low half; hi = high half` of the 64-bit value at A (lo and hi declared by the caller). */
export function rd64(A: string, lo: string, hi: string): string {
  return `if (rT[(pg = Math.floor(${A} / 4096)) & TLB] === pg && (${A} & 4095) <= 4088) { const v = rV[pg & TLB]; ${lo} = v.getUint32(${A} & 4095, true); ${hi} = v.getUint32((${A} & 4095) + 4, true); } else { ${lo} = m.read64(${A}); ${hi} = m.hi; }`;
}

export function wr(size: number, A: string, V: string, V2 = '0'): string {
  const hit = `wT[(pg = Math.floor(${A} / 4096)) & TLB] === pg`;
  if (size === 1) return `if (${hit}) wB[pg & TLB][${A} & 4095] = ${V}; else m.write8(${A}, ${V});`;
  if (size === 8) return `if (${hit} && (${A} & 4095) <= 4088) { const v = wV[pg & TLB]; v.setUint32(${A} & 4095, ${V}, true); v.setUint32((${A} & 4095) + 4, ${V2}, true); } else m.write64(${A}, ${V}, ${V2});`;
  return `if (${hit} && (${A} & 4095) <= 4092) wV[pg & TLB].setUint32(${A} & 4095, ${V}, true); else m.write32(${A}, ${V});`;
}


/** A register operand of a byte instruction, as [word index, shift]: AH..BH without REX are bits 8-15 of RAX..RBX. */
export function byteReg(n: number, rex: number): [number, number] {
  return n < 4 || rex !== 0 ? [2 * n, 0] : [2 * (n - 4), 8];
}

/** Store to memory then stop the block if that dropped decoded code. */
export function stored(code: string, i: Insn, k: number): string {
  return `${code} if (c.smc) { c.rip = ${i.addr + i.len}; return b0 + ${k + 1}; }`;
}

/**
 * A condition as JavaScript. When the block's earlier instruction that set
 * the flags is known (`flags`), the condition is a comparison of its
 * operands; otherwise ZF and SF conditions read the pending result (any
 * lazy operation) or RFLAGS inline, and the others call flags.ts cond().
 */
export function condJs(cc: number, flags: FlagState | null = null): string {
  const known = flags === null ? null : knownCond(cc, flags);
  if (known !== null) return (cc & 1) !== 0 ? `!(${known})` : `(${known})`;
  const z = cc >> 1;
  if (z !== 2 && z !== 4) return `cond(c, ${cc})`;
  const neg = (cc & 1) !== 0 ? '!' : '';
  return z === 2
    ? `${neg}(c.fOp !== 0 ? (c.fResLo | c.fResHi) === 0 : (c.flags & 64) !== 0)`
    : `${neg}(c.fOp !== 0 ? (c.fSize === 8 ? c.fResHi >>> 31 : (c.fResLo >>> (c.fSize * 8 - 1)) & 1) !== 0 : (c.flags & 128) !== 0)`;
}

/** Signed view of a size-byte lazy operand (fDst or fSrc) as JavaScript. */
function signed(f: string, size: number): string {
  return size === 4 ? `(c.${f}Lo | 0)` : `((c.${f}Lo << ${32 - 8 * size}) >> ${32 - 8 * size})`;
}

/** The positive condition (cc & ~1) after a known operation, or null (flags.ts fastCond, specialised). */
function knownCond(cc: number, f: FlagState): string | null {
  const z = `(c.fResLo | c.fResHi) === 0`;
  const s = f.size === 8 ? `(c.fResHi >>> 31) !== 0` : `((c.fResLo >>> ${f.size * 8 - 1}) & 1) !== 0`;
  const w = f.size === 8;
  if (f.op === F_SUB) {
    const below = w ? `(c.fDstHi < c.fSrcHi || (c.fDstHi === c.fSrcHi && c.fDstLo < c.fSrcLo))` : `c.fDstLo < c.fSrcLo`;
    const above = w ? `(c.fSrcHi < c.fDstHi || (c.fSrcHi === c.fDstHi && c.fSrcLo < c.fDstLo))` : `c.fSrcLo < c.fDstLo`;
    const less = w ? `((c.fDstHi | 0) < (c.fSrcHi | 0) || (c.fDstHi === c.fSrcHi && c.fDstLo < c.fSrcLo))` : `${signed('fDst', f.size)} < ${signed('fSrc', f.size)}`;
    const greater = w ? `((c.fSrcHi | 0) < (c.fDstHi | 0) || (c.fSrcHi === c.fDstHi && c.fSrcLo < c.fDstLo))` : `${signed('fSrc', f.size)} < ${signed('fDst', f.size)}`;
    switch (cc >> 1) {
      case 1: return below;
      case 2: return z;
      case 3: return `!(${above})`;
      case 4: return s;
      case 6: return less;
      case 7: return `!(${greater})`;
      default: return null;
    }
  }
  if (f.op === F_LOGIC) {
    switch (cc >> 1) {
      case 0: case 1: return 'false';
      case 2: case 3: return z;
      case 4: case 6: return s;
      case 7: return `${z} || ${s}`;
      default: return null;
    }
  }
  if (f.op === F_ADD && cc >> 1 === 1) {
    return w ? `(c.fResHi < c.fDstHi || (c.fResHi === c.fDstHi && c.fResLo < c.fDstLo))` : `c.fResLo < c.fDstLo`;
  }
  return (cc >> 1) === 2 ? z : (cc >> 1) === 4 ? s : null;
}
