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
import * as G from './gen-mem.js';
import { addr, aluBody, byteReg, condJs, flagsDead, flagsOut, lazy, load, rd, store, SUPPORTED, TEST } from './gen-util.js';
import type { FlagState } from './gen-util.js';
import type { Gen } from './gen-util.js';
import type { Handler, Insn } from './insn.js';
import * as A from './ops/alu.js';
import * as C from './ops/control.js';
import * as M from './ops/mov.js';
import * as Mu from './ops/muldiv.js';
import * as Sh from './ops/shift.js';
import * as S from './ops/sse.js';
import * as I from './ops/sse-int.js';
import * as Sy from './ops/system.js';

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
  return `r[${2 * i.reg}] = r[${2 * i.rm}] & 0xff; r[${2 * i.reg + 1}] = 0;`;
};

/** The result `lo` and the flags of a byte add/sub/cmp/and/or/xor/test of locals a and b. */
function byteAlu(op: number): string {
  const res = op === A.ALU_ADD ? '(a + b) & 255' : op === A.ALU_SUB || op === A.ALU_CMP ? '(a - b) & 255'
    : `a ${op === A.ALU_OR ? '|' : op === A.ALU_XOR ? '^' : '&'} b`;
  const f = op === A.ALU_ADD ? F_ADD : op === A.ALU_SUB || op === A.ALU_CMP ? F_SUB : F_LOGIC;
  return `const lo = ${res}; ${flagsOut(`${f === F_SUB ? 'c.fCin = 0; ' : ''}c.fOp = ${f}; c.fSize = 1; c.fDstLo = a; c.fDstHi = 0; c.fSrcLo = b; c.fSrcHi = 0; c.fResLo = lo; c.fResHi = 0;`)}`;
}

/** 8-bit op between byte registers (add, sub, and, or, xor, cmp, test). */
const aluRR8 = (op: number, gbeb: boolean): Gen => (i) => {
  if (i.mod !== 3 || !SUPPORTED.has(op)) return null;
  const [dw, dsh] = byteReg(gbeb ? i.reg : i.rm, i.rex), [sw, ssh] = byteReg(gbeb ? i.rm : i.reg, i.rex);
  const write = op !== A.ALU_CMP && op !== TEST ? ` r[${dw}] = (r[${dw}] & ${(~(0xff << dsh)) >>> 0}) | (lo << ${dsh});` : '';
  return `{ const a = (r[${dw}] >>> ${dsh}) & 255, b = (r[${sw}] >>> ${ssh}) & 255; ${byteAlu(op)}${write} }`;
};

/** inc/dec of a 4- or 8-byte register (group 5 /0 /1): CF kept through fCin. */
const incDecR: Gen = (i) => {
  const s = i.osize, op = i.reg & 7;
  if (i.mod !== 3 || (s !== 4 && s !== 8) || op > 1) return null;
  const n = i.rm, dec = op === 1;
  const lo = dec ? `(a - 1) >>> 0` : `(a + 1) >>> 0`;
  const hi = s === 8 ? (dec ? `a === 0 ? (ah - 1) >>> 0 : ah` : `a === 4294967295 ? (ah + 1) >>> 0 : ah`) : '0';
  return `{ ${load('a', n, s)} const cf = getCF(c); const lo = ${lo}, hi = ${hi}; ${store(n, s, 'lo', 'hi')} ${flagsOut(`c.fCin = cf; c.fOp = ${dec ? F_DEC : F_INC}; c.fSize = ${s}; c.fDstLo = a; c.fDstHi = ah; c.fSrcLo = 1; c.fSrcHi = 0; c.fResLo = lo; c.fResHi = hi;`)} }`;
};

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
  return `{ ${load('a', d, s)} ${code} ${store(d, s, 'lo', 'hi')} ${flagsOut(`c.fOp = ${F_SHIFT}; c.fSize = ${s}; c.fResLo = lo; c.fResHi = hi; c.fCin = cf; c.fSrcLo = of;`)} }`;
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
  const write = op !== A.ALU_CMP && op !== TEST ? ' r[0] = (r[0] & 0xffffff00) | lo;' : '';
  return `{ const a = r[0] & 255, b = ${b}; ${byteAlu(op)}${write} }`;
};

/**
 * imul Gv,Ev and imul Gv,Ev,Ib/Iz between registers, 4 or 8 bytes. The low
 * half of the product is cheap (16-bit limbs, as ops/muldiv.ts mul32); CF
 * and OF need the full signed product, so while the flags are live the
 * handler runs, and the inline product only where a later instruction of
 * the block overwrites them unread (the common `imul; ...; cmp`).
 */
const imulR = (imm: boolean): Gen => (i, k) => {
  const s = i.osize;
  if (i.mod !== 3 || (s !== 4 && s !== 8)) return null;
  const src = imm ? `const a = r[${2 * i.rm}], ah = ${s === 8 ? `r[${2 * i.rm + 1}]` : '0'}, b = ${i.imm >>> 0}, bh = ${s === 8 ? i.immHi >>> 0 : 0};`
    : `const a = r[${2 * i.reg}], ah = ${s === 8 ? `r[${2 * i.reg + 1}]` : '0'}, b = r[${2 * i.rm}], bh = ${s === 8 ? `r[${2 * i.rm + 1}]` : '0'};`;
  const product = s === 4 ? `r[${2 * i.reg}] = Math.imul(a, b) >>> 0; r[${2 * i.reg + 1}] = 0;`
    : 'const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16; const ll = a0 * b0, lh = a0 * b1, hl = a1 * b0; '
      + 'const cross = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff); '
      + `r[${2 * i.reg}] = (((cross & 0xffff) << 16) | (ll & 0xffff)) >>> 0; `
      + `r[${2 * i.reg + 1}] = (a1 * b1 + (lh >>> 16) + (hl >>> 16) + (cross >>> 16) + Math.imul(a, bh) + Math.imul(ah, b)) >>> 0;`;
  return flagsOut(`h${k}(c, i${k});`) + flagsDead(`{ ${src} ${product} }`);
};

/**
 * Group 3 (F7) on a 4- or 8-byte register: test with an immediate, not,
 * neg (mul and div call their handler).
 */
const grp3R: Gen = (i) => {
  const s = i.osize, op = i.reg & 7;
  if (i.mod !== 3 || (s !== 4 && s !== 8) || op > 3) return null;
  if (op <= 1) return `{ ${load('a', i.rm, s)} const b = ${i.imm >>> 0}, bh = ${s === 8 ? i.immHi >>> 0 : 0}; ${aluBody(A.ALU_AND, s)} }`;
  if (op === 2) return `r[${2 * i.rm}] = ~r[${2 * i.rm}] >>> 0; r[${2 * i.rm + 1}] = ${s === 8 ? `~r[${2 * i.rm + 1}] >>> 0` : '0'};`;
  // neg: 0 - a, flags as sub (ops/alu.ts negE).
  return `{ ${load('b', i.rm, s)} const a = 0, ah = 0; const lo = (-b) >>> 0; const hi = ${s === 8 ? '(-bh - (b !== 0 ? 1 : 0)) >>> 0' : '0'}; ${store(i.rm, s, 'lo', 'hi')} ${lazy(F_SUB, s, true)} }`;
};

/** test Eb,Ib (F6 /0 /1) on a byte register or byte in memory. */
const testEbIb: Gen = (i, k) => {
  if ((i.reg & 7) > 1) return null;
  const b = i.imm & 0xff;
  if (i.mod === 3) {
    const [w, sh] = byteReg(i.rm, i.rex);
    return `{ const a = (r[${w}] >>> ${sh}) & 255, b = ${b}; ${byteAlu(TEST)} }`;
  }
  return `{ c.bi = ${k}; ${addr(i, k)} const a = ${rd(1, k)}, b = ${b}; ${byteAlu(TEST)} }`;
};

/** cmovcc between registers at 4 or 8 bytes (a false condition still zero-extends a 32-bit destination). */
const cmovRR: Gen = (i, _k, flags) => {
  const s = i.osize;
  if (i.mod !== 3 || (s !== 4 && s !== 8)) return null;
  const d = i.reg, src = i.rm;
  return `if (${condJs(i.op & 15, flags)}) { r[${2 * d}] = r[${2 * src}]; r[${2 * d + 1}] = ${s === 8 ? `r[${2 * src + 1}]` : '0'}; }${s === 4 ? ` else r[${2 * d + 1}] = 0;` : ''}`;
};

/** setcc of a byte register. */
const setccR: Gen = (i, _k, flags) => {
  if (i.mod !== 3) return null;
  const [w, sh] = byteReg(i.rm, i.rex);
  return `r[${w}] = (r[${w}] & ${(~(0xff << sh)) >>> 0}) | ((${condJs(i.op & 15, flags)} ? 1 : 0) << ${sh});`;
};

/** call rel32: push the return address, go (the block ends with it). */
const callJz: Gen = (i, k) => {
  const next = i.addr + i.len;
  return `c.bi = ${k}; c.rip = ${next}; push(c, 8, ${next >>> 0}, ${Math.floor(next / 4294967296)}); c.rip = ${i.target};`;
};

/** jcc: the one template that moves RIP (the block ends with it). */
const jcc: Gen = (i, _k, flags) => `c.rip = ${condJs(i.op & 15, flags)} ? ${i.target} : ${i.addr + i.len};`;

const jmp: Gen = (i) => `c.rip = ${i.target};`;

function firstOf(...gens: Gen[]): Gen {
  return (i, k, flags) => {
    for (const g of gens) {
      const js = g(i, k, flags);
      if (js !== null) return js;
    }
    return null;
  };
}

const nop: Gen = () => '';

const GENS = new Map<Handler, Gen>([
  [Sy.opNop, nop],
  [S.opMovapsVW, G.sseLoad(true)], [S.opMovupsVW, G.sseLoad(false)], [S.opMovapsWV, G.sseStore(true)], [S.opMovupsWV, G.sseStore(false)],
  [I.opPxor, G.sseBitwise('^')], [I.opPor, G.sseBitwise('|')], [I.opPand, G.sseBitwise('&')], [I.opPandn, G.sseBitwise('andn')],
  [I.opPcmpeqb, G.pcmpeqbRR], [I.opPmovmskbGdU, G.pmovmskb],
  [I.opPunpcklbw, G.unpack(1, false)], [I.opPunpcklwd, G.unpack(2, false)], [I.opPunpckldq, G.unpack(4, false)], [I.opPunpcklqdq, G.unpack(8, false)],
  [I.opPunpckhbw, G.unpack(1, true)], [I.opPunpckhwd, G.unpack(2, true)], [I.opPunpckhdq, G.unpack(4, true)], [I.opPunpckhqdq, G.unpack(8, true)],
  [I.opPaddq, G.paddq],
  [M.opMovEbIb, G.movEbIb], [M.opMovEvIz, G.movEvIz], [M.opMovGbEb, G.movByte(true)], [M.opMovEbGb, G.movByte(false)],
  [M.opMovsxGvEb, G.movsx(1)], [M.opMovsxGvEw, G.movsx(2)], [M.opMovsxdGvEd, G.movsx(4)],
  [A.opAddEbGb, aluRR8(A.ALU_ADD, false)], [A.opAddGbEb, aluRR8(A.ALU_ADD, true)],
  [A.opSubEbGb, aluRR8(A.ALU_SUB, false)], [A.opSubGbEb, aluRR8(A.ALU_SUB, true)],
  [A.opAndEbGb, aluRR8(A.ALU_AND, false)], [A.opOrEbGb, aluRR8(A.ALU_OR, false)], [A.opXorEbGb, aluRR8(A.ALU_XOR, false)],
  [A.opCmpEbGb, aluRR8(A.ALU_CMP, false)], [A.opCmpGbEb, aluRR8(A.ALU_CMP, true)], [A.opTestEbGb, aluRR8(TEST, false)],
  [C.opGrp5Ev, incDecR],
  [Sh.opGrp2EvIb, shiftRI(false)], [Sh.opGrp2Ev1, shiftRI(true)],
  [M.opPushZv, G.pushR], [M.opPopZv, G.popR],
  [A.opAddEvGv, aluRR(A.ALU_ADD, false)],
  [A.opSubEvGv, aluRR(A.ALU_SUB, false)],
  [A.opAndEvGv, aluRR(A.ALU_AND, false)],
  [A.opOrEvGv, aluRR(A.ALU_OR, false)],
  [A.opXorEvGv, aluRR(A.ALU_XOR, false)],
  [A.opCmpEvGv, aluRR(A.ALU_CMP, false)],
  [A.opTestEvGv, aluRR(TEST, false)],
  [M.opMovZvIv, movRI],
  [M.opMovzxGvEw, G.movzxLoad(2)],
  [M.opLeaGvM, G.lea],
  [A.opGrp1EbIb, G.grp1CmpMemByte],
  [A.opAddGvEv, firstOf(aluRR(A.ALU_ADD, true), G.aluLoad(A.ALU_ADD))],
  [A.opSubGvEv, firstOf(aluRR(A.ALU_SUB, true), G.aluLoad(A.ALU_SUB))],
  [A.opAndGvEv, firstOf(aluRR(A.ALU_AND, true), G.aluLoad(A.ALU_AND))],
  [A.opOrGvEv, firstOf(aluRR(A.ALU_OR, true), G.aluLoad(A.ALU_OR))],
  [A.opXorGvEv, firstOf(aluRR(A.ALU_XOR, true), G.aluLoad(A.ALU_XOR))],
  [A.opCmpGvEv, firstOf(aluRR(A.ALU_CMP, true), G.aluLoad(A.ALU_CMP))],
  [A.opGrp1EvIb, firstOf(grp1RI, G.grp1CmpMem)], [A.opGrp1EvIz, firstOf(grp1RI, G.grp1CmpMem)],
  [M.opMovEvGv, firstOf(movRR(false), G.movStore)], [M.opMovGvEv, firstOf(movRR(true), G.movLoad)],
  [M.opMovzxGvEb, firstOf(movzxRb, G.movzxLoad(1))],
  [C.opJccJb, jcc], [C.opJmpJb, jmp], [C.opCallJz, callJz],
  [A.opAddRaxIz, aluAI(A.ALU_ADD)], [A.opSubRaxIz, aluAI(A.ALU_SUB)], [A.opAndRaxIz, aluAI(A.ALU_AND)],
  [A.opOrRaxIz, aluAI(A.ALU_OR)], [A.opXorRaxIz, aluAI(A.ALU_XOR)], [A.opCmpRaxIz, aluAI(A.ALU_CMP)], [A.opTestRaxIz, aluAI(TEST)],
  [A.opCmpAlIb, aluALIb(A.ALU_CMP)], [A.opTestAlIb, aluALIb(TEST)], [A.opAndAlIb, aluALIb(A.ALU_AND)],
  [A.opOrAlIb, aluALIb(A.ALU_OR)], [A.opXorAlIb, aluALIb(A.ALU_XOR)], [A.opAddAlIb, aluALIb(A.ALU_ADD)], [A.opSubAlIb, aluALIb(A.ALU_SUB)],
  [M.opCmovGvEv, cmovRR], [M.opSetccEb, setccR],
  [Mu.opImulGvEv, imulR(false)], [Mu.opImulGvEvIz, imulR(true)], [Mu.opGrp3Ev, grp3R], [Mu.opGrp3Eb, testEbIb],
]);

/** Whether a template moves RIP itself (it must then be the block's last instruction). */
export function genBranches(i: Insn): boolean {
  return i.handler === C.opJccJb || i.handler === C.opJmpJb || i.handler === C.opCallJz;
}

/** JavaScript for instruction `k` of its block, or null when the block must call its handler. */
export function genInsn(i: Insn, k: number, flags: FlagState | null): string | null {
  const g = GENS.get(i.handler);
  return g === undefined ? null : g(i, k, flags);
}
