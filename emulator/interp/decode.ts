/**
 * The decoder: bytes at an address -> one Insn, driven by the opcode tables.
 *
 * Order (SDM vol. 2 ch. 2): legacy prefixes (any order; a REX only counts
 * when it immediately precedes the opcode), the opcode (one byte, 0F xx,
 * 0F 38 xx, 0F 3A xx), then resolution of the table entry (mandatory prefix,
 * then ModRM.reg group / memory-vs-register), ModRM, SIB, displacement, and
 * the immediates named by the operand form. Instruction bytes are fetched
 * through the page table with an execute check, so a fetch fault is a fault
 * at the byte that could not be fetched.
 */

import { Insn, SEG_FS, SEG_GS } from './insn.js';
import type { GuestMemory } from './memory.js';
import { Trap } from './memory.js';
import type { Entry, OpRec } from './opcodes.js';
import { opUd } from './ops/system.js';
import { lockable, ONE_BYTE, THREE_BYTE_38, THREE_BYTE_3A, TWO_BYTE } from './table.js';

const TWO32 = 4294967296;

class Reader {
  constructor(private readonly mem: GuestMemory, public p: number, private readonly start: number) {}
  u8(): number {
    if (this.p - this.start >= 15) throw new Trap({ kind: 'gp' }); // longer than 15 bytes: #GP
    return this.mem.fetch8(this.p++);
  }
  s8(): number { return (this.u8() << 24) >> 24; }
  u16(): number { return this.u8() | (this.u8() << 8); }
  s16(): number { return (this.u16() << 16) >> 16; }
  s32(): number { return this.u16() | (this.u16() << 16); }
  u32(): number { return this.s32() >>> 0; }
}

/** The opcode map an opcode number (Insn.op) belongs to. */
function mapOf(opcode: number): Entry[] {
  switch (opcode >> 8) {
    case 0: return ONE_BYTE;
    case 1: return TWO_BYTE;
    case 2: return THREE_BYTE_38;
    default: return THREE_BYTE_3A;
  }
}

/** Decode the instruction at `addr`. Undefined encodings decode to an Insn whose handler raises #UD. */
export function decode(mem: GuestMemory, addr: number): Insn {
  const i = new Insn();
  i.addr = addr;
  const rd = new Reader(mem, addr, addr);
  let b = rd.u8();
  let rex = 0;
  // Prefixes.
  for (;;) {
    if (b === 0x66) i.p66 = true;
    else if (b === 0x67) i.asize = 4;
    else if (b === 0xf0) i.lock = true;
    else if (b === 0xf2 || b === 0xf3) i.rep = b;
    else if (b === 0x64) i.seg = SEG_FS;
    else if (b === 0x65) i.seg = SEG_GS;
    else if (b === 0x26 || b === 0x2e || b === 0x36 || b === 0x3e) { /* null segment in 64-bit mode */ } else if ((b & 0xf0) === 0x40) {
      rex = b;
      b = rd.u8();
      if ((b & 0xf0) === 0x40) continue; // another REX: the last one counts
      if (isLegacyPrefix(b)) { rex = 0; continue; } // a REX followed by a prefix is ignored
      break;
    } else break;
    b = rd.u8();
  }
  i.rex = rex;
  i.osize = (rex & 8) !== 0 ? 8 : i.p66 ? 2 : 4;
  let opcode = b;
  if (b === 0x0f) {
    const b2 = rd.u8();
    if (b2 === 0x38) opcode = 0x200 | rd.u8();
    else if (b2 === 0x3a) opcode = 0x300 | rd.u8();
    else opcode = 0x100 | b2;
  }
  i.op = opcode;
  // Resolve the table entry.
  let e: Entry = mapOf(opcode)[opcode & 0xff];
  let modrm = -1;
  for (;;) {
    if (e === undefined) return undefinedInsn(i, rd);
    if (e.kind === 'op') break;
    if (e.kind === 'pfx') {
      const sel = i.rep === 0xf3 ? e.pF3 : i.rep === 0xf2 ? e.pF2 : undefined;
      if (sel !== undefined) e = sel;
      // In the 0F maps an F2/F3 (or 66) with no form of its own names an
      // instruction of a later extension (F2 0F 12 movddup is SSE3, 66 0F
      // AE /7 clflushopt) or none: #UD, not the unprefixed form. In the
      // one-byte map it is ignored (F2 90 is nop).
      else if (i.rep !== 0 && opcode >= 0x100) e = undefined;
      else if (i.p66 && e.p66 === undefined && opcode >= 0x100) e = undefined;
      else if (i.p66 && e.p66 !== undefined) e = e.p66;
      else e = e.np;
      continue;
    }
    if (modrm < 0) modrm = rd.u8();
    if (e.kind === 'grp') e = e.sub[(modrm >> 3) & 7];
    else if (e.kind === 'rm') e = e.sub[modrm & 7];
    else e = (modrm >> 6) === 3 ? e.reg : e.mem;
  }
  const rec: OpRec = e;
  if (rec.modrm) {
    if (modrm < 0) modrm = rd.u8();
    decodeModrm(i, rd, rec.regOnly ? modrm | 0xc0 : modrm, rex);
  }
  // LOCK is allowed only on the read-modify-write instructions with a
  // memory destination (SDM vol. 2 "LOCK"); anywhere else it is #UD.
  if (i.lock && (i.mod === 3 || !lockable(opcode, (modrm >> 3) & 7))) return undefinedInsn(i, rd);
  if (rec.zreg) i.reg = (opcode & 7) | ((rex & 1) << 3);
  const ripRel = i.mod === 0 && (modrm & 7) === 5;
  // Immediates.
  let first = true;
  for (const k of rec.imms) {
    let v = 0, vh = 0;
    switch (k) {
      case 'Ib': v = rd.s8(); break;
      case 'Iw': v = rd.u16(); break;
      case 'Iz': v = i.osize === 2 ? rd.s16() : rd.s32(); break;
      case 'Iv':
        if (i.osize === 8) { v = rd.u32(); vh = rd.u32(); } else v = i.osize === 2 ? rd.u16() : rd.s32();
        break;
      case 'Jb': v = rd.s8(); break;
      case 'Jz': v = rd.s32(); break;
      case 'O': {
        // moffs: an absolute address of the address size.
        const lo = rd.u32(), hi = i.asize === 8 ? rd.u32() : 0;
        i.disp = hi * TWO32 + lo; i.base = -1; i.index = -1; i.mod = 0;
        continue;
      }
    }
    if (k === 'Jb' || k === 'Jz') {
      i.imm = v;
      continue;
    }
    if (first) {
      i.imm = v;
      i.immHi = k === 'Iv' && i.osize === 8 ? vh : v < 0 ? 0xffffffff : 0;
      first = false;
    } else i.imm2 = v;
  }
  i.len = rd.p - addr;
  const next = addr + i.len;
  if (rec.imms.includes('Jb') || rec.imms.includes('Jz')) i.target = next + i.imm;
  if (ripRel) {
    i.disp = next + i.disp;
    if (i.asize === 4) i.disp = i.disp % TWO32;
  }
  i.name = rec.name;
  i.form = rec.form;
  i.handler = rec.fn;
  return i;
}

function isLegacyPrefix(b: number): boolean {
  return b === 0x66 || b === 0x67 || b === 0xf0 || b === 0xf2 || b === 0xf3 || b === 0x64 || b === 0x65
    || b === 0x26 || b === 0x2e || b === 0x36 || b === 0x3e;
}

function undefinedInsn(i: Insn, rd: Reader): Insn {
  i.len = rd.p - i.addr;
  i.name = '(bad)';
  i.handler = opUd;
  return i;
}

/** ModRM, SIB and displacement (SDM vol. 2 tables 2-2 and 2-3, 64-bit mode). */
function decodeModrm(i: Insn, rd: Reader, modrm: number, rex: number): void {
  const md = modrm >> 6;
  i.mod = md;
  i.reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
  const rm = modrm & 7;
  i.rm = rm | ((rex & 1) << 3);
  if (md === 3) return;
  i.base = -1;
  i.index = -1;
  i.scale = 1;
  if (rm === 4) {
    const sib = rd.u8();
    const base = sib & 7, index = ((sib >> 3) & 7) | ((rex & 2) << 2);
    i.scale = 1 << (sib >> 6);
    if (index !== 4) i.index = index; // index 100b without REX.X: none
    if (base === 5 && md === 0) i.disp = rd.s32();
    else i.base = base | ((rex & 1) << 3);
  } else if (rm === 5 && md === 0) {
    i.disp = rd.s32(); // RIP-relative, made absolute once the length is known
    return;
  } else i.base = i.rm;
  if (md === 1) i.disp = rd.s8();
  else if (md === 2) i.disp = rd.s32();
}
