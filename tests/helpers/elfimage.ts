/**
 * Building small x86-64 ELF images in memory, one defect at a time
 * (gVisor's loader tests do the same).
 */

import { elf64Ehdr, elf64Phdr, encodeEhdr, encodePhdr, PF_R, PF_X, PT_INTERP, PT_LOAD, type Elf64_Ehdr, type Elf64_Phdr } from '../../abi/elf.js';

/** mov eax, 60; mov edi, 7; syscall: exit(7). */
export const EXIT7_CODE = Uint8Array.from([0xb8, 0x3c, 0, 0, 0, 0xbf, 7, 0, 0, 0, 0x0f, 0x05]);

export const BASE = 0x400000;

export interface ImageSpec {
  ehdr?: Partial<Elf64_Ehdr>;
  /** Program headers; by default one PT_LOAD covering the whole file at BASE. */
  phdrs?: Elf64_Phdr[];
  /** Extra bytes appended after the code (e.g. a PT_INTERP string). */
  tail?: Uint8Array;
}

/** Offsets in a standard image: header, phdr table (room for 4), code at 0x200, tail at 0x300. */
export const CODE_OFF = 0x200;
export const TAIL_OFF = 0x300;

export function loadPhdr(fields: Partial<Elf64_Phdr> = {}): Elf64_Phdr {
  return elf64Phdr({ p_type: PT_LOAD, p_flags: PF_R | PF_X, p_offset: 0n, p_vaddr: BigInt(BASE), p_filesz: 0x400n, p_memsz: 0x400n, p_align: 0x1000n, ...fields });
}

export function interpPhdr(len: number): Elf64_Phdr {
  return elf64Phdr({ p_type: PT_INTERP, p_flags: PF_R, p_offset: BigInt(TAIL_OFF), p_filesz: BigInt(len) });
}

/** An image that exits with status 7 unless the spec breaks it. */
export function buildImage(spec: ImageSpec = {}): Uint8Array {
  const phdrs = spec.phdrs ?? [loadPhdr()];
  const out = new Uint8Array(0x400);
  const h = elf64Ehdr({ e_entry: BigInt(BASE + CODE_OFF), e_phoff: 64n, e_phnum: phdrs.length, ...spec.ehdr });
  out.set(encodeEhdr(h), 0);
  phdrs.forEach((p, i) => { if (64 + i * 56 + 56 <= CODE_OFF) out.set(encodePhdr(p), 64 + i * 56); });
  out.set(EXIT7_CODE, CODE_OFF);
  if (spec.tail) out.set(spec.tail.subarray(0, 0x100), TAIL_OFF);
  return out;
}
