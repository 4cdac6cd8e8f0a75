/**
 * A disassembler for traces and divergence reports, derived from the same
 * opcode tables as the interpreter (v86's habit: one table, several uses):
 * the mnemonic and the SDM operand form of the decoded Insn, with each
 * operand token resolved against its fields. Intel syntax, close to
 * objdump -M intel without size prefixes on unambiguous operands.
 */

import type { Insn } from './insn.js';

const R64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const R32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d', 'r15d'];
const R16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di', 'r8w', 'r9w', 'r10w', 'r11w', 'r12w', 'r13w', 'r14w', 'r15w'];
const R8 = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil', 'r8b', 'r9b', 'r10b', 'r11b', 'r12b', 'r13b', 'r14b', 'r15b'];
const R8_LEGACY = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'];
const SEG = ['', '', '', '', 'fs:', 'gs:'];

const hex = (v: number): string => (v < 0 ? '-0x' + (-v).toString(16) : '0x' + v.toString(16));

/**
 * Size in bytes of a register operand token's size letter (b, w, d, q, v, z,
 * y; `.d64`/`.f64` default or force 64 bits; in `Ry/Mw` the register's).
 */
function sizeOf(tok: string, i: Insn): number {
  if (tok.endsWith('.f64')) return 8;
  if (tok.endsWith('.d64')) return i.osize === 2 ? 2 : 8;
  const s = tok.slice(1).split(/[./]/)[0];
  if (s === 'b') return 1;
  if (s === 'w') return 2;
  if (s === 'd') return 4;
  if (s === 'q') return 8;
  if (s === 'y') return i.osize === 8 ? 8 : 4;
  if (s === 'z') return i.osize === 2 ? 2 : 4;
  return i.osize;
}

export function regName(n: number, size: number, rex: number): string {
  switch (size) {
    case 1: return rex !== 0 || n >= 8 ? R8[n]! : R8_LEGACY[n]!;
    case 2: return R16[n]!;
    case 4: return R32[n]!;
    default: return R64[n]!;
  }
}

/** The memory operand as Intel syntax: [base+index*scale+disp], or the absolute address for RIP-relative/moffs. */
export function memOperand(i: Insn): string {
  const parts: string[] = [];
  const regs = i.asize === 4 ? R32 : R64;
  if (i.base >= 0) parts.push(regs[i.base]!);
  if (i.index >= 0) parts.push(`${regs[i.index]}*${i.scale}`);
  let s = parts.join('+');
  if (parts.length === 0) s = hex(i.disp);
  else if (i.disp !== 0) s += (i.disp < 0 ? '-' : '+') + hex(Math.abs(i.disp));
  return `${SEG[i.seg]}[${s}]`;
}

const SREG = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

function operand(tok: string, i: Insn, immIndex: { n: number }): string {
  switch (tok) {
    case 'AL': return 'al';
    case 'rAX': case 'eAX': return regName(0, tok === 'eAX' && i.osize === 8 ? 4 : i.osize, 1);
    case 'CL': return 'cl';
    case 'DX': return 'dx';
    case 'FS': case 'GS': return tok.toLowerCase();
    case '[rBX+AL]': return `${SEG[i.seg]}[${i.asize === 4 ? 'ebx' : 'rbx'}]`;
  }
  const k = tok[0]!;
  switch (k) {
    case 'E': case 'M': case 'R':
      return i.mod === 3 ? regName(i.rm, sizeOf(tok, i), i.rex) : memOperand(i);
    case 'P': return `mm${i.reg & 7}`;
    case 'N': return `mm${i.rm & 7}`;
    case 'Q': return i.mod === 3 ? `mm${i.rm & 7}` : memOperand(i);
    case 'G': return regName(i.reg, sizeOf(tok, i), i.rex);
    case 'Z': return regName(i.reg, sizeOf(tok, i), i.rex === 0 ? 0 : 1);
    case 'V': return `xmm${i.reg}`;
    case 'U': return `xmm${i.rm}`;
    case 'W': return i.mod === 3 ? `xmm${i.rm}` : memOperand(i);
    case 'I': {
      const v = immIndex.n++ === 0 ? i.imm : i.imm2;
      return hex(v);
    }
    case 'J': return hex(i.target);
    case 'O': return memOperand(i);
    case 'S': return SREG[i.reg & 7] ?? tok;
    case 'C': return `cr${i.reg}`;
    case 'D': return `dr${i.reg}`;
    case 'X': return `${SEG[i.seg]}[${i.asize === 4 ? 'esi' : 'rsi'}]`;
    case 'Y': return `[${i.asize === 4 ? 'edi' : 'rdi'}]`;
  }
  return tok;
}

/** "add rax, rbx", "movsd xmm0, [rsp+0x8]", "jne 0x401020", "(bad)". */
export function disassemble(i: Insn): string {
  if (i.name === '(bad)') return '(bad)';
  // String instructions (forms with Xb/Xv/Xz or Yb/Yv/Yz: [rsi], es:[rdi]) print as
  // objdump's short forms (rep stosb), their operands implied; maskmovq's implied
  // [rdi] (Yq) is left out too.
  const str = /(^|,)[XY][bvz](,|$)/.test(i.form);
  const prefix = (i.lock ? 'lock ' : '') + (i.rep !== 0 && str ? (i.rep === 0xf3 ? 'rep ' : 'repne ') : '');
  const toks = i.form === '' || str ? [] : i.form.split(',').filter((t) => !/^[XY]/.test(t));
  const n = { n: 0 };
  const ops = toks.map((t) => operand(t, i, n));
  return prefix + i.name + (ops.length ? ' ' + ops.join(', ') : '');
}
