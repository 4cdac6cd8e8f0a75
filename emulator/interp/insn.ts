/**
 * One decoded instruction: everything the decoder learnt from the bytes,
 * so that a handler never looks at the bytes again. Cached by address.
 *
 * Field names follow the SDM's encoding terms. Operand values are never
 * stored here, only where to find them.
 */

import type { InterpCpu } from './cpu.js';

/** An instruction handler: executes `i` on `c`. Named in SDM operand notation (opAddEvGv). */
export type Handler = (c: InterpCpu, i: Insn) => void;

export const SEG_NONE = 0;
export const SEG_FS = 4;
export const SEG_GS = 5;

export class Insn {
  /** Address of the first byte and length in bytes. */
  addr = 0;
  len = 0;
  /** Mnemonic and operand form from the opcode table (for traces and disassembly). */
  name = '';
  form = '';
  handler: Handler = () => {};
  /** Opcode: 0x00-0xff one-byte map, 0x100 | b for 0F b, 0x200 | b for 0F 38 b, 0x300 | b for 0F 3A b. */
  op = 0;
  /** Operand size in bytes for v-sized operands: 2 (66), 4, or 8 (REX.W). */
  osize = 4;
  /** Address size in bytes: 8, or 4 with a 67 prefix. */
  asize = 8;
  /** The REX byte, or 0 when there is none (byte registers 4-7 are then AH, CH, DH, BH). */
  rex = 0;
  /** Last F2 or F3 prefix, or 0. */
  rep = 0;
  /** 66 prefix seen (SSE uses it as a mandatory prefix). */
  p66 = false;
  lock = false;
  /** Segment override: SEG_NONE, SEG_FS, SEG_GS (others are null in 64-bit mode). */
  seg = SEG_NONE;
  /** ModRM.mod; 3 means the E operand is a register. -1 without ModRM. */
  mod = -1;
  /**
   * ModRM.reg extended by REX.R; for opcodes with the register in the low
   * three bits (the `Z` operand of the table, e.g. 50+r push) that register,
   * extended by REX.B.
   */
  reg = 0;
  /** ModRM.rm extended by REX.B (the E register when mod == 3). */
  rm = 0;
  /** Memory operand: base register or -1, index register or -1, scale 1/2/4/8, displacement. */
  base = -1;
  index = -1;
  scale = 1;
  /** Signed displacement; for RIP-relative and moffs forms, the absolute address. */
  disp = 0;
  /**
   * First immediate, sign-extended from its width to a signed JS number
   * (for a 64-bit immediate: its low half as unsigned, see immHi).
   */
  imm = 0;
  /** High half of the immediate sign-extended to 64 bits (or of an imm64). */
  immHi = 0;
  /** Second immediate (enter's Ib). */
  imm2 = 0;
  /** Branch target of a Jb/Jz form, absolute. */
  target = 0;

  /** True when the E operand is memory. */
  get isMem(): boolean {
    return this.mod !== 3;
  }
}
