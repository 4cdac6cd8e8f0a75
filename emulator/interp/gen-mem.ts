/**
 * Templates of the block compiler (blocks.ts) for instructions that touch
 * memory: loads, stores, read-modify-write compares, the stack, and the
 * 16-byte SSE moves and bitwise ops of string functions. Each sets `c.bi`
 * before it can fault; each store checks `c.smc` after it.
 */

import { F_SUB } from './flags.js';
import { addr, aluBody, byteReg, hit, lazy, load, rd, rd64, store, stored, sum2, SUPPORTED, wr } from './gen-util.js';
import type { Gen } from './gen-util.js';
import type { Insn } from './insn.js';
import * as A from './ops/alu.js';

/** mov Gv,Ev from memory (sizes 4, 8). */
export const movLoad: Gen = (i, k) => {
  const s = i.osize;
  if (i.mod === 3 || (s !== 4 && s !== 8)) return null;
  const d = i.reg;
  return s === 8
    ? `{ c.bi = ${k}; ${addr(i, k)} let lo = 0, hi = 0; ${rd64(k, 'lo', 'hi')} r[${2 * d}] = lo; r[${2 * d + 1}] = hi; }`
    : `{ c.bi = ${k}; ${addr(i, k)} r[${2 * d}] = ${rd(4, k)}; r[${2 * d + 1}] = 0; }`;
};

/** mov Ev,Gv to memory (sizes 4, 8): a store, so the block checks for self-modified code after it. */
export const movStore: Gen = (i, k) => {
  const s = i.osize;
  if (i.mod === 3 || (s !== 4 && s !== 8)) return null;
  const g = i.reg;
  return stored(s === 8
    ? `{ c.bi = ${k}; ${addr(i, k)} ${wr(8, k, `r[${2 * g}]`, `r[${2 * g + 1}]`)} }`
    : `{ c.bi = ${k}; ${addr(i, k)} ${wr(4, k, `r[${2 * g}]`)} }`, i, k);
};

/** movzx Gv,Eb / Gv,Ew from memory. */
export const movzxLoad = (from: number): Gen => (i, k) => {
  if (i.mod === 3 || (i.osize !== 4 && i.osize !== 8)) return null;
  return `{ c.bi = ${k}; ${addr(i, k)} r[${2 * i.reg}] = ${rd(from, k)}; r[${2 * i.reg + 1}] = 0; }`;
};

/** lea Gv,M (64- and 32-bit, no segment): never touches memory. */
export const lea: Gen = (i) => {
  if (i.asize !== 8 || (i.osize !== 8 && i.osize !== 4) || (i.base < 0 && i.index < 0)) return null;
  const d = 2 * i.reg;
  // Two words (base + index, a register + displacement), as gen-util.ts addr().
  if (i.osize === 8 && (i.index < 0 || i.scale === 1)) {
    const [w0, w1] = [i.base, i.index].filter((n) => n >= 0) as [number, number?];
    const a = `r[${2 * w0}]`, ah = `r[${2 * w0 + 1}]`;
    const two = w1 === undefined ? sum2('lo', a, ah, i.disp) : i.disp === 0 ? sum2('lo', a, ah, `r[${2 * w1}]`, `r[${2 * w1 + 1}]`) : null;
    if (two !== null) return `{ const lo = ${two[0]}, hi = (${two[1]}) >>> 0; r[${d}] = lo; r[${d + 1}] = hi; }`;
  }
  // Pair arithmetic as operands.ts eaPair(), inline.
  let lo = `${i.disp}`, hi = '0';
  if (i.base >= 0) { lo += ` + r[${2 * i.base}]`; hi += ` + r[${2 * i.base + 1}]`; }
  if (i.index >= 0) { lo += ` + r[${2 * i.index}] * ${i.scale}`; hi += ` + r[${2 * i.index + 1}] * ${i.scale}`; }
  return i.osize === 8
    ? `{ const lo = ${lo}; r[${d}] = lo >>> 0; r[${d + 1}] = (${hi} + Math.floor(lo / 4294967296)) >>> 0; }`
    : `{ r[${d}] = (${lo}) >>> 0; r[${d + 1}] = 0; }`;
};

/** op Gv,Ev with a memory source (add, sub, and, or, xor, cmp) at 4 or 8 bytes. */
export const aluLoad = (op: number): Gen => (i, k) => {
  const s = i.osize;
  if (i.mod === 3 || (s !== 4 && s !== 8) || !SUPPORTED.has(op)) return null;
  const read = s === 8 ? `let b = 0, bh = 0; ${rd64(k, 'b', 'bh')}` : `const b = ${rd(4, k)}, bh = 0;`;
  const write = op !== A.ALU_CMP;
  return `{ c.bi = ${k}; ${addr(i, k)} ${read} ${load('a0', i.reg, s)} { const a = a0, ah = a0h; ${aluBody(op, s)}${write ? ' ' + store(i.reg, s, 'lo', 'hi') : ''} } }`;
};

/** cmp Ev,Ib/Iz and test-free group 1 compare against memory (no write). */
export const grp1CmpMem: Gen = (i, k) => {
  const s = i.osize;
  if (i.mod === 3 || (i.reg & 7) !== A.ALU_CMP || (s !== 4 && s !== 8)) return null;
  const read = s === 8 ? `let a = 0, ah = 0; ${rd64(k, 'a', 'ah')}` : `const a = ${rd(4, k)}, ah = 0;`;
  return `{ c.bi = ${k}; ${addr(i, k)} ${read} const b = ${i.imm >>> 0}, bh = ${s === 8 ? i.immHi >>> 0 : 0}; ${aluBody(A.ALU_SUB, s)} }`;
};

/** cmp byte [mem], imm8 (80 /7): the commonest string-scanning compare. */
export const grp1CmpMemByte: Gen = (i, k) => {
  if (i.mod === 3 || (i.reg & 7) !== A.ALU_CMP) return null;
  return `{ c.bi = ${k}; ${addr(i, k)} const a = ${rd(1, k)}, ah = 0, b = ${i.imm & 0xff}, bh = 0; const lo = (a - b) & 255; const hi = 0; ${lazy(F_SUB, 1, true)} }`;
};

/** mov Eb,Ib (C6 /0). */
export const movEbIb: Gen = (i, k) => {
  const v = i.imm & 0xff;
  if (i.mod === 3) {
    const [w, sh] = byteReg(i.rm, i.rex);
    return `r[${w}] = (r[${w}] & ${(~(0xff << sh)) >>> 0}) | ${v << sh};`;
  }
  return stored(`{ c.bi = ${k}; ${addr(i, k)} ${wr(1, k, `${v}`)} }`, i, k);
};

/** mov Ev,Iz (C7 /0) at 4 or 8 bytes. */
export const movEvIz: Gen = (i, k) => {
  const s = i.osize;
  if (s !== 4 && s !== 8) return null;
  const lo = i.imm >>> 0, hi = s === 8 ? i.immHi >>> 0 : 0;
  if (i.mod === 3) return `r[${2 * i.rm}] = ${lo}; r[${2 * i.rm + 1}] = ${hi};`;
  return stored(`{ c.bi = ${k}; ${addr(i, k)} ${wr(s, k, `${lo}`, `${hi}`)} }`, i, k);
};

/** mov Eb,Gb / Gb,Eb between memory and a byte register. */
export const movByte = (load: boolean): Gen => (i, k) => {
  if (i.mod === 3) return null;
  const [w, sh] = byteReg(i.reg, i.rex);
  if (load) return `{ c.bi = ${k}; ${addr(i, k)} r[${w}] = (r[${w}] & ${(~(0xff << sh)) >>> 0}) | (${rd(1, k)} << ${sh}); }`;
  return stored(`{ c.bi = ${k}; ${addr(i, k)} ${wr(1, k, `(r[${w}] >>> ${sh}) & 255`)} }`, i, k);
};

/** movsx Gv,Eb / Gv,Ew and movsxd Gv,Ed (register or memory) into 4 or 8 bytes. */
export const movsx = (from: number): Gen => (i, k) => {
  const s = i.osize;
  if (s !== 4 && s !== 8) return null;
  let src: string;
  if (i.mod === 3) {
    if (from === 1) { const [w, sh] = byteReg(i.rm, i.rex); src = `(r[${w}] >>> ${sh})`; } else src = `r[${2 * i.rm}]`;
  } else src = rd(from, k);
  const shift = 32 - 8 * from;
  const pre = i.mod === 3 ? '' : `c.bi = ${k}; ${addr(i, k)} `;
  const v = shift === 0 ? `(${src} | 0)` : `((${src} << ${shift}) >> ${shift})`;
  return `{ ${pre}const v = ${v}; r[${2 * i.reg}] = v >>> 0; r[${2 * i.reg + 1}] = ${s === 8 ? 'v < 0 ? 4294967295 : 0' : '0'}; }`;
};

/** push/pop of a 64-bit register (50+r, 58+r) through operands.ts push/pop (a store or a load: may fault). */
export const pushR: Gen = (i, k) => i.osize === 2 ? null : stored(`c.bi = ${k}; push(c, 8, r[${2 * i.reg}], r[${2 * i.reg + 1}]);`, i, k);
export const popR: Gen = (i, k) => i.osize === 2 ? null : `{ c.bi = ${k}; const lo = pop(c, 8); r[${2 * i.reg}] = lo; r[${2 * i.reg + 1}] = c.hi; }`;

// ---- SSE: 16-byte moves and the bitwise/compare ops of string functions ----

/** movdqa/movaps (aligned) and movdqu/movups V,W: inline when in one page (and aligned if required), else the handler. */
export const sseLoad = (aligned: boolean): Gen => (i, k) => {
  const d = 4 * i.reg;
  if (i.mod === 3) return `xd[${d}] = xd[${4 * i.rm}]; xd[${d + 1}] = xd[${4 * i.rm + 1}]; xd[${d + 2}] = xd[${4 * i.rm + 2}]; xd[${d + 3}] = xd[${4 * i.rm + 3}];`;
  const ok = aligned ? '(ml & 15) === 0 && ' : '';
  return `{ c.bi = ${k}; ${addr(i, k)} if (${ok}${hit('r')} && (ml & 4095) <= 4080) { const v = rV[me], o = ml & 4095; `
    + `xd[${d}] = v.getUint32(o, true); xd[${d + 1}] = v.getUint32(o + 4, true); xd[${d + 2}] = v.getUint32(o + 8, true); xd[${d + 3}] = v.getUint32(o + 12, true); } else h${k}(c, i${k}); }`;
};

export const sseStore = (aligned: boolean): Gen => (i, k) => {
  const g = 4 * i.reg;
  if (i.mod === 3) return `xd[${4 * i.rm}] = xd[${g}]; xd[${4 * i.rm + 1}] = xd[${g + 1}]; xd[${4 * i.rm + 2}] = xd[${g + 2}]; xd[${4 * i.rm + 3}] = xd[${g + 3}];`;
  const ok = aligned ? '(ml & 15) === 0 && ' : '';
  return stored(`{ c.bi = ${k}; ${addr(i, k)} if (${ok}${hit('w')} && (ml & 4095) <= 4080) { const v = wV[me], o = ml & 4095; `
    + `v.setUint32(o, xd[${g}], true); v.setUint32(o + 4, xd[${g + 1}], true); v.setUint32(o + 8, xd[${g + 2}], true); v.setUint32(o + 12, xd[${g + 3}], true); } else h${k}(c, i${k}); }`, i, k);
};

/** pand/por/pxor/pandn (and the ps/pd forms) between registers. */
/**
 * A dword-wise SSE op `xd[d+q] = f(xd[d+q], src q)` with a register or an
 * aligned 16-byte memory source: the memory form loads inline when the
 * operand is aligned and in the TLB, else calls the handler (which faults
 * or raises #GP as it should).
 */
function dwordOp(i: Insn, k: number, f: (dst: string, src: string) => string): string {
  const d = 4 * i.reg;
  if (i.mod === 3) return [0, 1, 2, 3].map((q) => `{ ${f(`xd[${d + q}]`, `xd[${4 * i.rm + q}]`)} }`).join(' ');
  return `{ c.bi = ${k}; ${addr(i, k)} if ((ml & 15) === 0 && ${hit('r')}) { const mv = rV[me], o = ml & 4095; `
    + [0, 1, 2, 3].map((q) => `{ ${f(`xd[${d + q}]`, `mv.getUint32(o + ${4 * q}, true)`)} }`).join(' ') + ` } else h${k}(c, i${k}); }`;
}

/** pand/por/pxor/pandn (and the ps/pd forms). */
export const sseBitwise = (op: string): Gen => (i, k) =>
  dwordOp(i, k, (dst, src) => `${dst} = ${op === 'andn' ? `~${dst} & ${src}` : `${dst} ${op} ${src}`};`);

/** pcmpeqb, four bytes at a time (as ops/sse-int.ts). */
export const pcmpeqbRR: Gen = (i, k) =>
  dwordOp(i, k, (dst, src) => `const v = ${dst} ^ ${src}; ${dst} = Math.imul((~((((v & 0x7f7f7f7f) + 0x7f7f7f7f) | v) & 0x80808080) & 0x80808080) >>> 7, 255);`);

/** pmovmskb Gd,U. */
export const pmovmskb: Gen = (i) => {
  const o = 4 * i.rm;
  const part = (q: number): string => `((((xd[${o + q}] >>> 7) & 1) | ((xd[${o + q}] >>> 14) & 2) | ((xd[${o + q}] >>> 21) & 4) | ((xd[${o + q}] >>> 28) & 8)) << ${4 * q})`;
  return `r[${2 * i.reg}] = ${[0, 1, 2, 3].map(part).join(' | ')}; r[${2 * i.reg + 1}] = 0;`;
};

// ---- SSE2 unpacks and 64-bit adds between registers (the sieve's byte count, strlen tails) ----

/** Dwords of register V (d0..d3) and of register U or an aligned memory W (s0..s3), as locals. */
function xmmOperands(i: Insn, k: number): string | null {
  const d = 4 * i.reg;
  const dst = `const d0 = xd[${d}], d1 = xd[${d + 1}], d2 = xd[${d + 2}], d3 = xd[${d + 3}];`;
  if (i.mod === 3) {
    const s = 4 * i.rm;
    return `${dst} const s0 = xd[${s}], s1 = xd[${s + 1}], s2 = xd[${s + 2}], s3 = xd[${s + 3}];`;
  }
  void k;
  return null;
}

/** Write dword expressions o0..o3 to register V. */
function xmmResult(i: Insn, o: string[]): string {
  const d = 4 * i.reg;
  return o.map((e, q) => `xd[${d + q}] = ${e};`).join(' ');
}

/** Interleave the low bytes of two 16-bit values a and b: a0 b0 a1 b1. */
const bytes2 = (a: string, b: string): string => `(((${a}) & 0xff) | (((${b}) & 0xff) << 8) | (((${a}) & 0xff00) << 8) | (((${b}) & 0xff00) << 16)) >>> 0`;

/** punpckl/h bw, wd, dq, qdq (66 0F 60-62, 68-6A, 6C, 6D) between registers, as dword arithmetic. */
export const unpack = (lanes: 1 | 2 | 4 | 8, high: boolean): Gen => (i, k) => {
  const ops = xmmOperands(i, k);
  if (ops === null) return null;
  const [x, y] = high ? ['d2', 'd3'] : ['d0', 'd1'];
  const [u, v] = high ? ['s2', 's3'] : ['s0', 's1'];
  let o: string[];
  if (lanes === 8) o = [x, y, u, v];
  else if (lanes === 4) o = [x, u, y, v];
  else if (lanes === 2) o = [`((${x} & 0xffff) | (${u} << 16)) >>> 0`, `((${x} >>> 16) | (${u} & 0xffff0000)) >>> 0`, `((${y} & 0xffff) | (${v} << 16)) >>> 0`, `((${y} >>> 16) | (${v} & 0xffff0000)) >>> 0`];
  else o = [bytes2(x, u), bytes2(`${x} >>> 16`, `${u} >>> 16`), bytes2(y, v), bytes2(`${y} >>> 16`, `${v} >>> 16`)];
  return `{ ${ops} ${xmmResult(i, o)} }`;
};

/** paddq between registers: two 64-bit lanes as dword pairs. */
export const paddq: Gen = (i, k) => {
  const ops = xmmOperands(i, k);
  if (ops === null) return null;
  return `{ ${ops} const l0 = d0 + s0, l1 = d2 + s2; ${xmmResult(i, ['l0 >>> 0', `(d1 + s1 + (l0 > 4294967295 ? 1 : 0)) >>> 0`, 'l1 >>> 0', `(d3 + s3 + (l1 > 4294967295 ? 1 : 0)) >>> 0`])} }`;
};
