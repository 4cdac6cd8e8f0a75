/**
 * Shared pieces of the block compiler's templates (gen.ts, gen-mem.ts):
 * register access, lazy-flag bookkeeping, the inline address computation
 * and the inline TLB hit path of loads and stores.
 */

import { F_ADD, F_LOGIC, F_SUB } from './flags.js';
import { SEG_FS } from './insn.js';
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
 * The address of i's memory operand as the TLB wants it (memory.ts): `ml`
 * its low word (0 .. 2^32-1), `mh` its high word as int32, `mp` the low
 * word's page bits and `me` the TLB entry. Base, index and displacement
 * are added word-wise from the register halves, so no 64-bit address is
 * formed as a double on the hit path; a carry or borrow out of the low
 * word moves into the high one (an FS or GS base is one more term).
 * 32-bit-address forms take ea() (operands.ts). A miss calls the
 * GuestMemory method with the address ea() computes, which refills the TLB
 * or raises the fault.
 */
export function addr(i: Insn, k: number): string {
  const page = 'const mp = ml >>> 12, me = mp & TLB;';
  if (i.asize !== 8) return `const ma = ea(c, i${k}), ml = ma >>> 0, mh = ((ma - ml) / 4294967296) | 0; ${page}`;
  if (i.seg === 0 && i.base < 0 && i.index < 0) return `const ml = ${i.disp >>> 0}, mh = ${Math.floor(i.disp / 4294967296) | 0}; ${page}`;
  const lo: string[] = [], hi: string[] = [];
  // FS/GS: their base is one more term (the stack protector's fs:0x28, TLS).
  if (i.seg !== 0) { const s = i.seg === SEG_FS ? 'fs' : 'gs'; lo.push(`c.${s}Lo`); hi.push(`c.${s}Hi`); }
  if (i.base >= 0) { lo.push(`r[${2 * i.base}]`); hi.push(`r[${2 * i.base + 1}]`); }
  if (i.index >= 0) {
    lo.push(i.scale === 1 ? `r[${2 * i.index}]` : `r[${2 * i.index}] * ${i.scale}`);
    hi.push(i.scale === 1 ? `r[${2 * i.index + 1}]` : `r[${2 * i.index + 1}] * ${i.scale}`);
  }
  if (lo.length === 1 && i.disp === 0 && (i.index < 0 || i.scale === 1)) return `const ml = ${lo[0]}, mh = ${hi[0]} | 0; ${page}`;
  if (i.index < 0 || i.scale === 1) {
    const two = lo.length === 2 && i.disp === 0 ? sum2('ml', lo[0]!, hi[0]!, lo[1]!, hi[1]!) : lo.length === 1 ? sum2('ml', lo[0]!, hi[0]!, i.disp) : null;
    if (two !== null) return `const ml = ${two[0]}, mh = (${two[1]}) | 0; ${page}`;
  }
  // Which way the low word can leave 0 .. 2^32-1: up past a sum of words
  // (or a scaled one, or a positive displacement), down by a negative one.
  const up = lo.length > 1 || i.scale > 1 || i.disp > 0, down = i.disp < 0;
  if (i.disp !== 0) lo.push(`${i.disp}`);
  const out = [up ? 'ml > 4294967295' : '', down ? 'ml < 0' : ''].filter((t) => t !== '').join(' || ');
  return `let ml = ${lo.join(' + ')}, mh = ${hi.join(' + ')}; `
    + `if (${out}) { const q = Math.floor(ml / 4294967296); ml -= q * 4294967296; mh += q; } `
    + `mh |= 0; ${page}`;
}

/**
 * Two 64-bit terms as (low, high) words, the second a register's words
 * (b, bh) or a 32-bit displacement (b a number, sign-extended): the low
 * word wraps in 32-bit arithmetic, which V8 keeps in integer registers,
 * and the carry (a negative displacement's borrow) is an unsigned compare
 * of the low word, declared as `lo`, with `a`. Returns [low word, high
 * word before its `| 0` or `>>> 0`]; `a` is read twice.
 */
export function sum2(lo: string, a: string, ah: string, b: string | number, bh = '0'): [string, string] {
  const high = typeof b === 'number' && b < 0 ? `${ah} - (${lo} > ${a} ? 1 : 0)` : `${ah} + ${typeof b === 'number' ? '' : `${bh} + `}(${lo} < ${a} ? 1 : 0)`;
  return [`(${a} + ${b}) >>> 0`, high];
}

/** The TLB hit test of the read (`r`) or write (`w`) TLB for the address addr() computed. */
export function hit(t: 'r' | 'w'): string {
  return `${t}T[me] === mh * 256 + (ml >>> 24)`;
}

/**
 * A load of `size` bytes at instruction k's operand (after addr()), as an
 * expression: the hit path inline (`rB rV` are the TLB's byte and DataView
 * arrays, declared at the top of every region), an access that misses or
 * straddles a page through the GuestMemory method.
 */
export function rd(size: number, k: number): string {
  if (size === 1) return `(${hit('r')} ? rB[me][ml & 4095] : m.read8(ea(c, i${k})))`;
  const get = size === 2 ? 'getUint16' : 'getUint32';
  return `(${hit('r')} && (ml & 4095) <= ${4096 - size} ? rV[me].${get}(ml & 4095, true) : m.${size === 2 ? 'read16' : 'read32'}(ea(c, i${k})))`;
}

/** `lo = low half; hi = high half` of the 64-bit value at instruction k's operand (lo and hi declared by the caller). */
export function rd64(k: number, lo: string, hi: string): string {
  return `if (${hit('r')} && (ml & 4095) <= 4088) { const v = rV[me]; ${lo} = v.getUint32(ml & 4095, true); ${hi} = v.getUint32((ml & 4095) + 4, true); } else { ${lo} = m.read64(ea(c, i${k})); ${hi} = m.hi; }`;
}

/**
 * A store of V (and V2, the high word of an 8-byte store) at instruction
 * k's operand (after addr()). Only the miss path can reach a page holding
 * decoded code (such pages never enter the write TLB), so only it may set
 * `c.smc`: stored() puts the check there (the SMC mark).
 */
export function wr(size: number, k: number, V: string, V2 = '0'): string {
  if (size === 1) return `if (${hit('w')}) wB[me][ml & 4095] = ${V}; else { m.write8(ea(c, i${k}), ${V}); ${SMC} }`;
  if (size === 8) return `if (${hit('w')} && (ml & 4095) <= 4088) { const v = wV[me]; v.setUint32(ml & 4095, ${V}, true); v.setUint32((ml & 4095) + 4, ${V2}, true); } else { m.write64(ea(c, i${k}), ${V}, ${V2}); ${SMC} }`;
  return `if (${hit('w')} && (ml & 4095) <= 4092) wV[me].setUint32(ml & 4095, ${V}, true); else { m.write32(ea(c, i${k}), ${V}); ${SMC} }`;
}

const SMC = '/*SMC*/';

/** A register operand of a byte instruction, as [word index, shift]: AH..BH without REX are bits 8-15 of RAX..RBX. */
export function byteReg(n: number, rex: number): [number, number] {
  return n < 4 || rex !== 0 ? [2 * n, 0] : [2 * (n - 4), 8];
}

/** Store to memory then stop the block if that dropped decoded code. */
export function stored(code: string, i: Insn, k: number): string {
  const check = `if (c.smc) { c.rip = ${i.addr + i.len}; return b0 + ${k + 1}; }`;
  // A store through a handler or push may hit code anywhere: check after it.
  if (/\b(push|h\d+)\(/.test(code) || !code.includes(SMC)) return `${code.split(SMC).join('')} ${check}`;
  return code.split(SMC).join(check);
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
