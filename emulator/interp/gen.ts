/**
 * JavaScript templates for the commonest register-only instruction forms,
 * used by the block compiler (blocks.ts) instead of a handler call.
 *
 * A template is straight-line code over `c` (the CPU) and `r` (its GPR
 * words) with the instruction's registers, immediates and sizes folded in
 * as constants. It must do exactly what the handler does, and it may only
 * be used where that cannot fault (register operands): a form with a
 * memory operand returns null and the block calls the handler. Every
 * template is checked against its handler by the differential tests, which
 * run with blocks on and off.
 */

import { F_ADD, F_DEC, F_INC, F_LOGIC, F_SHIFT, F_SUB } from './flags.js';
import type { Handler, Insn } from './insn.js';
import * as A from './ops/alu.js';
import * as C from './ops/control.js';
import * as M from './ops/mov.js';
import * as Sh from './ops/shift.js';
import * as S from './ops/sse.js';
import * as I from './ops/sse-int.js';
import * as Sy from './ops/system.js';

/**
 * A template generator: JavaScript for instruction number `k` of its block,
 * or null. Code that touches memory first sets `c.bi = k` (a fault then
 * puts RIP on this instruction) and may use `i${k}` (the Insn), `m`
 * (c.mem) and `ea` (operands.ts) for the general address computation.
 */
type Gen = (i: Insn, k: number) => string | null;

const MASKS: Record<number, string> = { 1: '0xff', 2: '0xffff' };

/** Read register n at size (4 or 8) into locals `${v}` and `${v}h`. */
function load(v: string, n: number, size: number): string {
  return size === 8 ? `const ${v} = r[${2 * n}], ${v}h = r[${2 * n + 1}];` : `const ${v} = r[${2 * n}], ${v}h = 0;`;
}

/** Write (lo, hi) locals to register n at size 4 (upper half cleared) or 8. */
function store(n: number, size: number, lo: string, hi: string): string {
  return size === 8 ? `r[${2 * n}] = ${lo}; r[${2 * n + 1}] = ${hi};` : `r[${2 * n}] = ${lo}; r[${2 * n + 1}] = 0;`;
}

function lazy(op: number, size: number): string {
  return `c.fOp = ${op}; c.fSize = ${size}; c.fDstLo = a; c.fDstHi = ah; c.fSrcLo = b; c.fSrcHi = bh; c.fResLo = lo; c.fResHi = hi;`;
}

/** The result and flags of add/sub/and/or/xor (cmp, test: without writing). */
function aluBody(op: number, size: number): string {
  switch (op) {
    case A.ALU_ADD:
      return size === 8
        ? `const t = a + b; const lo = t >>> 0; const hi = (ah + bh + (t > 4294967295 ? 1 : 0)) >>> 0; ${lazy(F_ADD, 8)}`
        : `const lo = (a + b) >>> 0; const hi = 0; ${lazy(F_ADD, 4)}`;
    case A.ALU_SUB: case A.ALU_CMP:
      return size === 8
        ? `const t = a - b; const lo = t >>> 0; const hi = (ah - bh - (t < 0 ? 1 : 0)) >>> 0; c.fCin = 0; ${lazy(F_SUB, 8)}`
        : `const lo = (a - b) >>> 0; const hi = 0; c.fCin = 0; ${lazy(F_SUB, 4)}`;
    case A.ALU_AND: return `const lo = (a & b) >>> 0; const hi = (ah & bh) >>> 0; ${lazy(F_LOGIC, size)}`;
    case A.ALU_OR: return `const lo = (a | b) >>> 0; const hi = (ah | bh) >>> 0; ${lazy(F_LOGIC, size)}`;
    default: return `const lo = (a ^ b) >>> 0; const hi = (ah ^ bh) >>> 0; ${lazy(F_LOGIC, size)}`;
  }
}

const TEST = 8;
const SUPPORTED = new Set([A.ALU_ADD, A.ALU_SUB, A.ALU_CMP, A.ALU_AND, A.ALU_OR, A.ALU_XOR, TEST]);

/** op dst, src between registers (EvGv: dst = rm; GvEv: dst = reg). */
function aluRR(op: number, gvev: boolean): Gen {
  return (i) => {
    const s = i.osize;
    if (i.mod !== 3 || (s !== 4 && s !== 8) || !SUPPORTED.has(op)) return null;
    const d = gvev ? i.reg : i.rm, src = gvev ? i.rm : i.reg;
    const write = op !== A.ALU_CMP && op !== TEST;
    return `{ ${load('a', d, s)} ${load('b', src, s)} ${aluBody(op === TEST ? A.ALU_AND : op, s)}${write ? ' ' + store(d, s, 'lo', 'hi') : ''} }`;
  };
}

/** Group 1 with a register operand: op reg, imm. */
const grp1RI: Gen = (i) => {
  const s = i.osize, op = i.reg & 7;
  if (i.mod !== 3 || (s !== 4 && s !== 8) || !SUPPORTED.has(op) || op === A.ALU_ADC || op === A.ALU_SBB) return null;
  const blo = i.imm >>> 0, bhi = s === 8 ? i.immHi >>> 0 : 0;
  const write = op !== A.ALU_CMP;
  return `{ ${load('a', i.rm, s)} const b = ${blo}, bh = ${bhi}; ${aluBody(op, s)}${write ? ' ' + store(i.rm, s, 'lo', 'hi') : ''} }`;
};

/** mov between registers, and mov reg, imm. */
const movRR = (gvev: boolean): Gen => (i) => {
  const s = i.osize;
  if (i.mod !== 3 || (s !== 4 && s !== 8)) return null;
  const d = gvev ? i.reg : i.rm, src = gvev ? i.rm : i.reg;
  return s === 8 ? `r[${2 * d}] = r[${2 * src}]; r[${2 * d + 1}] = r[${2 * src + 1}];` : `r[${2 * d}] = r[${2 * src}]; r[${2 * d + 1}] = 0;`;
};

const movRI: Gen = (i) => {
  const s = i.osize;
  if (s !== 4 && s !== 8) return null;
  return `r[${2 * i.reg}] = ${i.imm >>> 0}; r[${2 * i.reg + 1}] = ${s === 8 ? i.immHi >>> 0 : 0};`;
};

/** movzx from a byte register without REX high-byte forms. */
const movzxRb: Gen = (i) => {
  if (i.mod !== 3 || (i.osize !== 4 && i.osize !== 8) || (i.rex === 0 && i.rm >= 4)) return null;
  return `r[${2 * i.reg}] = r[${2 * i.rm}] & ${MASKS[1]}; r[${2 * i.reg + 1}] = 0;`;
};

/**
 * `const a = <linear address>` for i's memory operand: inline for the
 * common 64-bit base(+index) forms under 2^47 (as operands.ts ea()), else a
 * call to ea().
 */
function addr(i: Insn, k: number): string {
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
function rd(size: number, A: string): string {
  const hit = `rT[(pg = Math.floor(${A} / 4096)) & 255] === pg`;
  if (size === 1) return `(${hit} ? rB[pg & 255][${A} & 4095] : m.read8(${A}))`;
  const get = size === 2 ? 'getUint16' : 'getUint32';
  return `(${hit} && (${A} & 4095) <= ${4096 - size} ? rV[pg & 255].${get}(${A} & 4095, true) : m.${size === 2 ? 'read16' : 'read32'}(${A}))`;
}

/** `lo = low half; hi = high half` of the 64-bit value at A (lo and hi declared by the caller). */
function rd64(A: string, lo: string, hi: string): string {
  return `if (rT[(pg = Math.floor(${A} / 4096)) & 255] === pg && (${A} & 4095) <= 4088) { const v = rV[pg & 255]; ${lo} = v.getUint32(${A} & 4095, true); ${hi} = v.getUint32((${A} & 4095) + 4, true); } else { ${lo} = m.read64(${A}); ${hi} = m.hi; }`;
}

function wr(size: number, A: string, V: string, V2 = '0'): string {
  const hit = `wT[(pg = Math.floor(${A} / 4096)) & 255] === pg`;
  if (size === 1) return `if (${hit}) wB[pg & 255][${A} & 4095] = ${V}; else m.write8(${A}, ${V});`;
  if (size === 8) return `if (${hit} && (${A} & 4095) <= 4088) { const v = wV[pg & 255]; v.setUint32(${A} & 4095, ${V}, true); v.setUint32((${A} & 4095) + 4, ${V2}, true); } else m.write64(${A}, ${V}, ${V2});`;
  return `if (${hit} && (${A} & 4095) <= 4092) wV[pg & 255].setUint32(${A} & 4095, ${V}, true); else m.write32(${A}, ${V});`;
}


/** mov Gv,Ev from memory (sizes 4, 8). */
const movLoad: Gen = (i, k) => {
  const s = i.osize;
  if (i.mod === 3 || (s !== 4 && s !== 8)) return null;
  const d = i.reg;
  return s === 8
    ? `{ c.bi = ${k}; ${addr(i, k)} let lo = 0, hi = 0; ${rd64('a', 'lo', 'hi')} r[${2 * d}] = lo; r[${2 * d + 1}] = hi; }`
    : `{ c.bi = ${k}; ${addr(i, k)} r[${2 * d}] = ${rd(4, 'a')}; r[${2 * d + 1}] = 0; }`;
};

/** mov Ev,Gv to memory (sizes 4, 8): a store, so the block checks for self-modified code after it. */
const movStore: Gen = (i, k) => {
  const s = i.osize;
  if (i.mod === 3 || (s !== 4 && s !== 8)) return null;
  const g = i.reg;
  return (s === 8
    ? `{ c.bi = ${k}; ${addr(i, k)} ${wr(8, 'a', `r[${2 * g}]`, `r[${2 * g + 1}]`)} }`
    : `{ c.bi = ${k}; ${addr(i, k)} ${wr(4, 'a', `r[${2 * g}]`)} }`) + ` if (c.smc) { c.rip = ${i.addr + i.len}; return ${k + 1}; }`;
};

/** movzx Gv,Eb / Gv,Ew from memory. */
const movzxLoad = (from: number): Gen => (i, k) => {
  if (i.mod === 3 || (i.osize !== 4 && i.osize !== 8)) return null;
  return `{ c.bi = ${k}; ${addr(i, k)} r[${2 * i.reg}] = ${rd(from, 'a')}; r[${2 * i.reg + 1}] = 0; }`;
};

/** lea Gv,M (64- and 32-bit, no segment): never touches memory. */
const lea: Gen = (i, k) => {
  if (i.asize !== 8 || (i.osize !== 8 && i.osize !== 4) || (i.base < 0 && i.index < 0)) return null;
  // Pair arithmetic as operands.ts eaPair(), inline.
  let lo = `${i.disp}`, hi = '0';
  if (i.base >= 0) { lo += ` + r[${2 * i.base}]`; hi += ` + r[${2 * i.base + 1}]`; }
  if (i.index >= 0) { lo += ` + r[${2 * i.index}] * ${i.scale}`; hi += ` + r[${2 * i.index + 1}] * ${i.scale}`; }
  void k;
  return i.osize === 8
    ? `{ const lo = ${lo}; r[${2 * i.reg}] = lo >>> 0; r[${2 * i.reg + 1}] = (${hi} + Math.floor(lo / 4294967296)) >>> 0; }`
    : `{ r[${2 * i.reg}] = (${lo}) >>> 0; r[${2 * i.reg + 1}] = 0; }`;
};

/** op Gv,Ev with a memory source (add, sub, and, or, xor, cmp) at 4 or 8 bytes. */
const aluLoad = (op: number): Gen => (i, k) => {
  const s = i.osize;
  if (i.mod === 3 || (s !== 4 && s !== 8) || !SUPPORTED.has(op)) return null;
  const read = s === 8 ? `let b = 0, bh = 0; ${rd64('a', 'b', 'bh')}` : `const b = ${rd(4, 'a')}, bh = 0;`;
  const write = op !== A.ALU_CMP;
  return `{ c.bi = ${k}; ${addr(i, k)} ${read} ${load('a0', i.reg, s)} { const a = a0, ah = a0h; ${aluBody(op, s)}${write ? ' ' + store(i.reg, s, 'lo', 'hi') : ''} } }`;
};

/** cmp Ev,Ib/Iz and test-free group 1 compare against memory (no write). */
const grp1CmpMem: Gen = (i, k) => {
  const s = i.osize;
  if (i.mod === 3 || (i.reg & 7) !== A.ALU_CMP || (s !== 4 && s !== 8)) return null;
  const read = s === 8 ? `let a = 0, ah = 0; ${rd64('addr0', 'a', 'ah')}` : `const a = ${rd(4, 'addr0')}, ah = 0;`;
  return `{ c.bi = ${k}; ${addr(i, k).replace(/\ba\b/g, 'addr0')} ${read} const b = ${i.imm >>> 0}, bh = ${s === 8 ? i.immHi >>> 0 : 0}; ${aluBody(A.ALU_SUB, s)} }`;
};

/** cmp byte [mem], imm8 (80 /7): the commonest string-scanning compare. */
const grp1CmpMemByte: Gen = (i, k) => {
  if (i.mod === 3 || (i.reg & 7) !== A.ALU_CMP) return null;
  return `{ c.bi = ${k}; ${addr(i, k).replace(/\ba\b/g, 'addr0')} const a = ${rd(1, 'addr0')}, ah = 0, b = ${i.imm & 0xff}, bh = 0; const lo = (a - b) & 255; const hi = 0; c.fCin = 0; ${lazy(F_SUB, 1)} }`;
};

/** A register operand of a byte instruction, as [word index, shift]: AH..BH without REX are bits 8-15 of RAX..RBX. */
function byteReg(n: number, rex: number): [number, number] {
  return n < 4 || rex !== 0 ? [2 * n, 0] : [2 * (n - 4), 8];
}

/** Store to memory then stop the block if that dropped decoded code. */
function stored(code: string, i: Insn, k: number): string {
  return `${code} if (c.smc) { c.rip = ${i.addr + i.len}; return ${k + 1}; }`;
}

/** mov Eb,Ib (C6 /0). */
const movEbIb: Gen = (i, k) => {
  const v = i.imm & 0xff;
  if (i.mod === 3) {
    const [w, sh] = byteReg(i.rm, i.rex);
    return `r[${w}] = (r[${w}] & ${(~(0xff << sh)) >>> 0}) | ${v << sh};`;
  }
  return stored(`{ c.bi = ${k}; ${addr(i, k)} ${wr(1, 'a', `${v}`)} }`, i, k);
};

/** mov Ev,Iz (C7 /0) at 4 or 8 bytes. */
const movEvIz: Gen = (i, k) => {
  const s = i.osize;
  if (s !== 4 && s !== 8) return null;
  const lo = i.imm >>> 0, hi = s === 8 ? i.immHi >>> 0 : 0;
  if (i.mod === 3) return `r[${2 * i.rm}] = ${lo}; r[${2 * i.rm + 1}] = ${hi};`;
  return stored(`{ c.bi = ${k}; ${addr(i, k)} ${wr(s, 'a', `${lo}`, `${hi}`)} }`, i, k);
};

/** mov Eb,Gb / Gb,Eb between memory and a byte register. */
const movByte = (load: boolean): Gen => (i, k) => {
  if (i.mod === 3) return null;
  const [w, sh] = byteReg(i.reg, i.rex);
  if (load) return `{ c.bi = ${k}; ${addr(i, k)} r[${w}] = (r[${w}] & ${(~(0xff << sh)) >>> 0}) | (${rd(1, 'a')} << ${sh}); }`;
  return stored(`{ c.bi = ${k}; ${addr(i, k)} ${wr(1, 'a', `(r[${w}] >>> ${sh}) & 255`)} }`, i, k);
};

/** movsx Gv,Eb / Gv,Ew and movsxd Gv,Ed (register or memory) into 4 or 8 bytes. */
const movsx = (from: number): Gen => (i, k) => {
  const s = i.osize;
  if (s !== 4 && s !== 8) return null;
  let src: string;
  if (i.mod === 3) {
    if (from === 1) { const [w, sh] = byteReg(i.rm, i.rex); src = `(r[${w}] >>> ${sh})`; } else src = `r[${2 * i.rm}]`;
  } else src = rd(from, 'a');
  const shift = 32 - 8 * from;
  const pre = i.mod === 3 ? '' : `c.bi = ${k}; ${addr(i, k)} `;
  const v = shift === 0 ? `(${src} | 0)` : `((${src} << ${shift}) >> ${shift})`;
  return `{ ${pre}const v = ${v}; r[${2 * i.reg}] = v >>> 0; r[${2 * i.reg + 1}] = ${s === 8 ? 'v < 0 ? 4294967295 : 0' : '0'}; }`;
};

/** 8-bit op between byte registers (add, sub, and, or, xor, cmp, test). */
const aluRR8 = (op: number, gbeb: boolean): Gen => (i) => {
  if (i.mod !== 3 || !SUPPORTED.has(op)) return null;
  const [dw, dsh] = byteReg(gbeb ? i.reg : i.rm, i.rex), [sw, ssh] = byteReg(gbeb ? i.rm : i.reg, i.rex);
  const body = op === A.ALU_ADD ? `const lo = (a + b) & 255; c.fOp = ${F_ADD};`
    : op === A.ALU_SUB || op === A.ALU_CMP ? `const lo = (a - b) & 255; c.fCin = 0; c.fOp = ${F_SUB};`
      : `const lo = a ${op === A.ALU_OR ? '|' : op === A.ALU_XOR ? '^' : '&'} b; c.fOp = ${F_LOGIC};`;
  const write = op !== A.ALU_CMP && op !== TEST ? ` r[${dw}] = (r[${dw}] & ${(~(0xff << dsh)) >>> 0}) | (lo << ${dsh});` : '';
  return `{ const a = (r[${dw}] >>> ${dsh}) & 255, b = (r[${sw}] >>> ${ssh}) & 255; ${body} c.fSize = 1; c.fDstLo = a; c.fDstHi = 0; c.fSrcLo = b; c.fSrcHi = 0; c.fResLo = lo; c.fResHi = 0;${write} }`;
};

/** inc/dec of a 4- or 8-byte register (group 5 /0 /1): CF kept through fCin. */
const incDecR: Gen = (i) => {
  const s = i.osize, op = i.reg & 7;
  if (i.mod !== 3 || (s !== 4 && s !== 8) || op > 1) return null;
  const n = i.rm, dec = op === 1;
  const lo = dec ? `(a - 1) >>> 0` : `(a + 1) >>> 0`;
  const hi = s === 8 ? (dec ? `a === 0 ? (ah - 1) >>> 0 : ah` : `a === 4294967295 ? (ah + 1) >>> 0 : ah`) : '0';
  return `{ ${load('a', n, s)} const cf = getCF(c); const lo = ${lo}, hi = ${hi}; ${store(n, s, 'lo', 'hi')} c.fCin = cf; c.fOp = ${dec ? F_DEC : F_INC}; c.fSize = ${s}; c.fDstLo = a; c.fDstHi = ah; c.fSrcLo = 1; c.fSrcHi = 0; c.fResLo = lo; c.fResHi = hi; }`;
};

/** push/pop of a 64-bit register (50+r, 58+r) through operands.ts push/pop (a store or a load: may fault). */
const pushR: Gen = (i, k) => i.osize === 2 ? null : stored(`c.bi = ${k}; push(c, 8, r[${2 * i.reg}], r[${2 * i.reg + 1}]);`, i, k);
const popR: Gen = (i, k) => i.osize === 2 ? null : `{ c.bi = ${k}; const lo = pop(c, 8); r[${2 * i.reg}] = lo; r[${2 * i.reg + 1}] = c.hi; }`;

/**
 * shl/shr/sar of a 4- or 8-byte register by a constant count (C1 /4 /5 /7
 * Ib, D1 /4 /5 /7): the count is known when compiling, so the code for it
 * is straight. Flags as ops/shift.ts leaves them, through the lazy F_SHIFT.
 */
const shiftRI = (one: boolean): Gen => (i) => {
  const s = i.osize, op = i.reg & 7;
  if (i.mod !== 3 || (s !== 4 && s !== 8) || (op !== 4 && op !== 5 && op !== 7 && op !== 6)) return null;
  const n = (one ? 1 : i.imm) & (s === 8 ? 63 : 31), d = i.rm;
  if (n === 0) return s === 4 ? `r[${2 * d + 1}] = 0;` : '';
  let code: string;
  if (s === 4) {
    if (op === 5) code = `const lo = a >>> ${n}, hi = 0, cf = (a >>> ${n - 1}) & 1, of = a >>> 31;`;
    else if (op === 7) code = `const lo = (a >> ${n}) >>> 0, hi = 0, cf = ((a | 0) >> ${n - 1}) & 1, of = 0;`;
    else code = `const lo = (a << ${n}) >>> 0, hi = 0, cf = (a >>> ${32 - n}) & 1, of = (lo >>> 31) ^ cf;`;
  } else if (op === 5) {
    code = n < 32 ? `const lo = ((a >>> ${n}) | (ah << ${32 - n})) >>> 0, hi = ah >>> ${n}, cf = (a >>> ${n - 1}) & 1, of = ah >>> 31;`
      : n === 32 ? `const lo = ah, hi = 0, cf = a >>> 31, of = ah >>> 31;`
        : `const lo = ah >>> ${n - 32}, hi = 0, cf = (ah >>> ${n - 33}) & 1, of = ah >>> 31;`;
  } else if (op === 7) {
    code = n < 32 ? `const lo = ((a >>> ${n}) | (ah << ${32 - n})) >>> 0, hi = (ah >> ${n}) >>> 0, cf = (a >>> ${n - 1}) & 1, of = 0;`
      : n === 32 ? `const lo = ah, hi = (ah >> 31) >>> 0, cf = a >>> 31, of = 0;`
        : `const lo = (ah >> ${n - 32}) >>> 0, hi = (ah >> 31) >>> 0, cf = ((ah | 0) >> ${n - 33}) & 1, of = 0;`;
  } else {
    code = n < 32 ? `const hi = ((ah << ${n}) | (a >>> ${32 - n})) >>> 0, lo = (a << ${n}) >>> 0, cf = (ah >>> ${32 - n}) & 1, of = (hi >>> 31) ^ cf;`
      : n === 32 ? `const hi = a, lo = 0, cf = ah & 1, of = (hi >>> 31) ^ cf;`
        : `const hi = (a << ${n - 32}) >>> 0, lo = 0, cf = (a >>> ${64 - n}) & 1, of = (hi >>> 31) ^ cf;`;
  }
  return `{ ${load('a', d, s)} ${code} ${store(d, s, 'lo', 'hi')} c.fOp = ${F_SHIFT}; c.fSize = ${s}; c.fResLo = lo; c.fResHi = hi; c.fCin = cf; c.fSrcLo = of; }`;
};

// ---- SSE: 16-byte moves and the bitwise/compare ops of string functions --------------------------

/** movdqa/movaps (aligned) and movdqu/movups V,W: inline when in one page (and aligned if required), else the handler. */
const sseLoad = (aligned: boolean): Gen => (i, k) => {
  const d = 4 * i.reg;
  if (i.mod === 3) return `xd[${d}] = xd[${4 * i.rm}]; xd[${d + 1}] = xd[${4 * i.rm + 1}]; xd[${d + 2}] = xd[${4 * i.rm + 2}]; xd[${d + 3}] = xd[${4 * i.rm + 3}];`;
  const ok = aligned ? '(a & 15) === 0 && ' : '';
  return `{ c.bi = ${k}; ${addr(i, k)} if (${ok}rT[(pg = Math.floor(a / 4096)) & 255] === pg && (a & 4095) <= 4080) { const v = rV[pg & 255], o = a & 4095; `
    + `xd[${d}] = v.getUint32(o, true); xd[${d + 1}] = v.getUint32(o + 4, true); xd[${d + 2}] = v.getUint32(o + 8, true); xd[${d + 3}] = v.getUint32(o + 12, true); } else h${k}(c, i${k}); }`;
};

const sseStore = (aligned: boolean): Gen => (i, k) => {
  const g = 4 * i.reg;
  if (i.mod === 3) return `xd[${4 * i.rm}] = xd[${g}]; xd[${4 * i.rm + 1}] = xd[${g + 1}]; xd[${4 * i.rm + 2}] = xd[${g + 2}]; xd[${4 * i.rm + 3}] = xd[${g + 3}];`;
  const ok = aligned ? '(a & 15) === 0 && ' : '';
  return stored(`{ c.bi = ${k}; ${addr(i, k)} if (${ok}wT[(pg = Math.floor(a / 4096)) & 255] === pg && (a & 4095) <= 4080) { const v = wV[pg & 255], o = a & 4095; `
    + `v.setUint32(o, xd[${g}], true); v.setUint32(o + 4, xd[${g + 1}], true); v.setUint32(o + 8, xd[${g + 2}], true); v.setUint32(o + 12, xd[${g + 3}], true); } else h${k}(c, i${k}); }`, i, k);
};

/** pand/por/pxor/pandn (and the ps/pd forms) between registers. */
const sseBitwise = (op: string): Gen => (i) => {
  if (i.mod !== 3) return null;
  const d = 4 * i.reg, s = 4 * i.rm;
  return [0, 1, 2, 3].map((q) => `xd[${d + q}] = ${op === 'andn' ? `~xd[${d + q}] & xd[${s + q}]` : `xd[${d + q}] ${op} xd[${s + q}]`};`).join(' ');
};

/** pcmpeqb between registers, four bytes at a time (as ops/sse-int.ts). */
const pcmpeqbRR: Gen = (i) => {
  if (i.mod !== 3) return null;
  const d = 4 * i.reg, s = 4 * i.rm;
  return [0, 1, 2, 3].map((q) => `{ const v = xd[${d + q}] ^ xd[${s + q}]; xd[${d + q}] = Math.imul((~((((v & 0x7f7f7f7f) + 0x7f7f7f7f) | v) & 0x80808080) & 0x80808080) >>> 7, 255); }`).join(' ');
};

/** pmovmskb Gd,U. */
const pmovmskb: Gen = (i) => {
  const o = 4 * i.rm;
  const part = (q: number): string => `((((xd[${o + q}] >>> 7) & 1) | ((xd[${o + q}] >>> 14) & 2) | ((xd[${o + q}] >>> 21) & 4) | ((xd[${o + q}] >>> 28) & 8)) << ${4 * q})`;
  return `r[${2 * i.reg}] = ${[0, 1, 2, 3].map(part).join(' | ')}; r[${2 * i.reg + 1}] = 0;`;
};

/** op rAX,Iz (05, 0D, 25, 2D, 35, 3D) and test rAX,Iz (A9) at 4 or 8 bytes. */
const aluAI = (op: number): Gen => (i) => {
  const s = i.osize;
  if (s !== 4 && s !== 8) return null;
  const write = op !== A.ALU_CMP && op !== TEST;
  return `{ ${load('a', 0, s)} const b = ${i.imm >>> 0}, bh = ${s === 8 ? i.immHi >>> 0 : 0}; ${aluBody(op === TEST ? A.ALU_AND : op, s)}${write ? ' ' + store(0, s, 'lo', 'hi') : ''} }`;
};

/** op AL,Ib (cmp, test, and, or, xor, add, sub). */
const aluALIb = (op: number): Gen => (i) => {
  const b = i.imm & 0xff;
  const body = op === A.ALU_ADD ? `const lo = (a + b) & 255; c.fOp = ${F_ADD};`
    : op === A.ALU_SUB || op === A.ALU_CMP ? `const lo = (a - b) & 255; c.fCin = 0; c.fOp = ${F_SUB};`
      : `const lo = a ${op === A.ALU_OR ? '|' : op === A.ALU_XOR ? '^' : '&'} b; c.fOp = ${F_LOGIC};`;
  const write = op !== A.ALU_CMP && op !== TEST ? ' r[0] = (r[0] & 0xffffff00) | lo;' : '';
  return `{ const a = r[0] & 255, b = ${b}; ${body} c.fSize = 1; c.fDstLo = a; c.fDstHi = 0; c.fSrcLo = b; c.fSrcHi = 0; c.fResLo = lo; c.fResHi = 0;${write} }`;
};

/** cmovcc between registers at 4 or 8 bytes (a false condition still zero-extends a 32-bit destination). */
const cmovRR: Gen = (i) => {
  const s = i.osize;
  if (i.mod !== 3 || (s !== 4 && s !== 8)) return null;
  const d = i.reg, src = i.rm;
  return `if (${condJs(i.op & 15)}) { r[${2 * d}] = r[${2 * src}]; r[${2 * d + 1}] = ${s === 8 ? `r[${2 * src + 1}]` : '0'}; }${s === 4 ? ` else r[${2 * d + 1}] = 0;` : ''}`;
};

/** setcc of a byte register. */
const setccR: Gen = (i) => {
  if (i.mod !== 3) return null;
  const [w, sh] = byteReg(i.rm, i.rex);
  return `r[${w}] = (r[${w}] & ${(~(0xff << sh)) >>> 0}) | ((${condJs(i.op & 15)} ? 1 : 0) << ${sh});`;
};

/** call rel32: push the return address, go (the block ends with it). */
const callJz: Gen = (i, k) => {
  const next = i.addr + i.len;
  return `c.bi = ${k}; c.rip = ${next}; push(c, 8, ${next >>> 0}, ${Math.floor(next / 4294967296)}); c.rip = ${i.target};`;
};

/** jcc: the one template that moves RIP (the block ends with it). */
const jcc: Gen = (i) => `c.rip = ${condJs(i.op & 15)} ? ${i.target} : ${i.addr + i.len};`;

/**
 * A condition as JavaScript: ZF and SF conditions read the pending result
 * (any lazy operation) or RFLAGS inline; the others call flags.ts cond().
 */
function condJs(cc: number): string {
  const z = cc >> 1;
  if (z !== 2 && z !== 4) return `cond(c, ${cc})`;
  const neg = (cc & 1) !== 0 ? '!' : '';
  return z === 2
    ? `${neg}(c.fOp !== 0 ? (c.fResLo | c.fResHi) === 0 : (c.flags & 64) !== 0)`
    : `${neg}(c.fOp !== 0 ? (c.fSize === 8 ? c.fResHi >>> 31 : (c.fResLo >>> (c.fSize * 8 - 1)) & 1) !== 0 : (c.flags & 128) !== 0)`;
}
const jmp: Gen = (i) => `c.rip = ${i.target};`;

function firstOf(...gens: Gen[]): Gen {
  return (i, k) => {
    for (const g of gens) {
      const js = g(i, k);
      if (js !== null) return js;
    }
    return null;
  };
}

const nop: Gen = () => '';

const GENS = new Map<Handler, Gen>([
  [Sy.opNop, nop],
  [S.opMovapsVW, sseLoad(true)], [S.opMovupsVW, sseLoad(false)], [S.opMovapsWV, sseStore(true)], [S.opMovupsWV, sseStore(false)],
  [I.opPxor, sseBitwise('^')], [I.opPor, sseBitwise('|')], [I.opPand, sseBitwise('&')], [I.opPandn, sseBitwise('andn')],
  [I.opPcmpeqb, pcmpeqbRR], [I.opPmovmskbGdU, pmovmskb],
  [M.opMovEbIb, movEbIb], [M.opMovEvIz, movEvIz], [M.opMovGbEb, movByte(true)], [M.opMovEbGb, movByte(false)],
  [M.opMovsxGvEb, movsx(1)], [M.opMovsxGvEw, movsx(2)], [M.opMovsxdGvEd, movsx(4)],
  [A.opAddEbGb, aluRR8(A.ALU_ADD, false)], [A.opAddGbEb, aluRR8(A.ALU_ADD, true)],
  [A.opSubEbGb, aluRR8(A.ALU_SUB, false)], [A.opSubGbEb, aluRR8(A.ALU_SUB, true)],
  [A.opAndEbGb, aluRR8(A.ALU_AND, false)], [A.opOrEbGb, aluRR8(A.ALU_OR, false)], [A.opXorEbGb, aluRR8(A.ALU_XOR, false)],
  [A.opCmpEbGb, aluRR8(A.ALU_CMP, false)], [A.opCmpGbEb, aluRR8(A.ALU_CMP, true)], [A.opTestEbGb, aluRR8(TEST, false)],
  [C.opGrp5Ev, incDecR],
  [Sh.opGrp2EvIb, shiftRI(false)], [Sh.opGrp2Ev1, shiftRI(true)],
  [M.opPushZv, pushR], [M.opPopZv, popR],
  [A.opAddEvGv, aluRR(A.ALU_ADD, false)],
  [A.opSubEvGv, aluRR(A.ALU_SUB, false)],
  [A.opAndEvGv, aluRR(A.ALU_AND, false)],
  [A.opOrEvGv, aluRR(A.ALU_OR, false)],
  [A.opXorEvGv, aluRR(A.ALU_XOR, false)],
  [A.opCmpEvGv, aluRR(A.ALU_CMP, false)],
  [A.opTestEvGv, aluRR(TEST, false)],
  [M.opMovZvIv, movRI],
  [M.opMovzxGvEw, movzxLoad(2)],
  [M.opLeaGvM, lea],
  [A.opGrp1EbIb, grp1CmpMemByte],
  [A.opAddGvEv, firstOf(aluRR(A.ALU_ADD, true), aluLoad(A.ALU_ADD))],
  [A.opSubGvEv, firstOf(aluRR(A.ALU_SUB, true), aluLoad(A.ALU_SUB))],
  [A.opAndGvEv, firstOf(aluRR(A.ALU_AND, true), aluLoad(A.ALU_AND))],
  [A.opOrGvEv, firstOf(aluRR(A.ALU_OR, true), aluLoad(A.ALU_OR))],
  [A.opXorGvEv, firstOf(aluRR(A.ALU_XOR, true), aluLoad(A.ALU_XOR))],
  [A.opCmpGvEv, firstOf(aluRR(A.ALU_CMP, true), aluLoad(A.ALU_CMP))],
  [A.opGrp1EvIb, firstOf(grp1RI, grp1CmpMem)], [A.opGrp1EvIz, firstOf(grp1RI, grp1CmpMem)],
  [M.opMovEvGv, firstOf(movRR(false), movStore)], [M.opMovGvEv, firstOf(movRR(true), movLoad)],
  [M.opMovzxGvEb, firstOf(movzxRb, movzxLoad(1))],
  [C.opJccJb, jcc], [C.opJmpJb, jmp], [C.opCallJz, callJz],
  [A.opAddRaxIz, aluAI(A.ALU_ADD)], [A.opSubRaxIz, aluAI(A.ALU_SUB)], [A.opAndRaxIz, aluAI(A.ALU_AND)],
  [A.opOrRaxIz, aluAI(A.ALU_OR)], [A.opXorRaxIz, aluAI(A.ALU_XOR)], [A.opCmpRaxIz, aluAI(A.ALU_CMP)], [A.opTestRaxIz, aluAI(TEST)],
  [A.opCmpAlIb, aluALIb(A.ALU_CMP)], [A.opTestAlIb, aluALIb(TEST)], [A.opAndAlIb, aluALIb(A.ALU_AND)],
  [A.opOrAlIb, aluALIb(A.ALU_OR)], [A.opXorAlIb, aluALIb(A.ALU_XOR)], [A.opAddAlIb, aluALIb(A.ALU_ADD)], [A.opSubAlIb, aluALIb(A.ALU_SUB)],
  [M.opCmovGvEv, cmovRR], [M.opSetccEb, setccR],
]);

/** Whether a template moves RIP itself (it must then be the block's last instruction). */
export function genBranches(i: Insn): boolean {
  return i.handler === C.opJccJb || i.handler === C.opJmpJb || i.handler === C.opCallJz;
}

/** JavaScript for instruction `k` of its block, or null when the block must call its handler. */
export function genInsn(i: Insn, k: number): string | null {
  const g = GENS.get(i.handler);
  return g === undefined ? null : g(i, k);
}
