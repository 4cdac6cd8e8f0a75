/**
 * ELF64 as Linux x86-64 reads it: constants, the three header structs with
 * elf.h field names, little-endian decoders that never throw, encoders for
 * building images in tests, and parseElf(), a checked parser for tools.
 *
 * 64-bit addresses, offsets and sizes are bigint; 16/32-bit fields are number.
 * The kernel's binfmt_elf does its own checks on the decoded fields; parseElf
 * is for tools (tests, `kemu readelf`) and is stricter about the tables.
 */

// Linux include/uapi/linux/elf.h: e_ident[] indices and values
export const EI_MAG0 = 0;
export const EI_MAG1 = 1;
export const EI_MAG2 = 2;
export const EI_MAG3 = 3;
export const EI_CLASS = 4;
export const EI_DATA = 5;
export const EI_VERSION = 6;
export const EI_OSABI = 7;
export const EI_ABIVERSION = 8;
export const EI_PAD = 9;
export const EI_NIDENT = 16;
export const ELFMAG0 = 0x7f;
export const ELFMAG1 = 0x45; // 'E'
export const ELFMAG2 = 0x4c; // 'L'
export const ELFMAG3 = 0x46; // 'F'
export const ELFMAG = '\x7fELF';
export const SELFMAG = 4;
export const ELFCLASSNONE = 0;
export const ELFCLASS32 = 1;
export const ELFCLASS64 = 2;
export const ELFDATANONE = 0;
export const ELFDATA2LSB = 1;
export const ELFDATA2MSB = 2;
export const EV_NONE = 0;
export const EV_CURRENT = 1;
export const ELFOSABI_NONE = 0;
export const ELFOSABI_SYSV = 0;
export const ELFOSABI_HPUX = 1;
export const ELFOSABI_NETBSD = 2;
export const ELFOSABI_GNU = 3;
export const ELFOSABI_LINUX = 3;
export const ELFOSABI_SOLARIS = 6;
export const ELFOSABI_AIX = 7;
export const ELFOSABI_IRIX = 8;
export const ELFOSABI_FREEBSD = 9;
export const ELFOSABI_TRU64 = 10;
export const ELFOSABI_OPENBSD = 12;
export const ELFOSABI_ARM = 97;
export const ELFOSABI_STANDALONE = 255;

// e_type
export const ET_NONE = 0;
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;
export const ET_LOPROC = 0xff00;
export const ET_HIPROC = 0xffff;

// Linux include/uapi/linux/elf-em.h: e_machine
export const EM_NONE = 0;
export const EM_386 = 3;
export const EM_ARM = 40;
export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
export const EM_RISCV = 243;

// p_type
export const PT_NULL = 0;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_NOTE = 4;
export const PT_SHLIB = 5;
export const PT_PHDR = 6;
export const PT_TLS = 7;
export const PT_LOOS = 0x60000000;
export const PT_HIOS = 0x6fffffff;
export const PT_LOPROC = 0x70000000;
export const PT_HIPROC = 0x7fffffff;
export const PT_GNU_EH_FRAME = 0x6474e550;
/** p_flags & PF_X asks for an executable stack. */
export const PT_GNU_STACK = 0x6474e551;
export const PT_GNU_RELRO = 0x6474e552;
export const PT_GNU_PROPERTY = 0x6474e553;
export const PT_GNU_SFRAME = 0x6474e554;

// p_flags
export const PF_X = 0x1;
export const PF_W = 0x2;
export const PF_R = 0x4;

/** e_phnum value meaning "the real count is in section 0's sh_info". */
export const PN_XNUM = 0xffff;

// sh_type
export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_HASH = 5;
export const SHT_DYNAMIC = 6;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_SHLIB = 10;
export const SHT_DYNSYM = 11;
export const SHT_INIT_ARRAY = 14;
export const SHT_FINI_ARRAY = 15;
export const SHT_PREINIT_ARRAY = 16;
export const SHT_GROUP = 17;
export const SHT_SYMTAB_SHNDX = 18;
export const SHT_RELR = 19;
export const SHT_GNU_HASH = 0x6ffffff6;
export const SHT_GNU_verdef = 0x6ffffffd;
export const SHT_GNU_verneed = 0x6ffffffe;
export const SHT_GNU_versym = 0x6fffffff;
export const SHT_LOPROC = 0x70000000;
export const SHT_HIPROC = 0x7fffffff;
export const SHT_LOUSER = 0x80000000;
export const SHT_HIUSER = 0xffffffff;

// sh_flags
export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const SHF_MERGE = 0x10;
export const SHF_STRINGS = 0x20;
export const SHF_INFO_LINK = 0x40;
export const SHF_LINK_ORDER = 0x80;
export const SHF_GROUP = 0x200;
export const SHF_TLS = 0x400;

// special section indices
export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;

// d_tag (Elf64_Dyn)
export const DT_NULL = 0;
export const DT_NEEDED = 1;
export const DT_PLTRELSZ = 2;
export const DT_PLTGOT = 3;
export const DT_HASH = 4;
export const DT_STRTAB = 5;
export const DT_SYMTAB = 6;
export const DT_RELA = 7;
export const DT_RELASZ = 8;
export const DT_RELAENT = 9;
export const DT_STRSZ = 10;
export const DT_SYMENT = 11;
export const DT_INIT = 12;
export const DT_FINI = 13;
export const DT_SONAME = 14;
export const DT_RPATH = 15;
export const DT_SYMBOLIC = 16;
export const DT_REL = 17;
export const DT_RELSZ = 18;
export const DT_RELENT = 19;
export const DT_PLTREL = 20;
export const DT_DEBUG = 21;
export const DT_TEXTREL = 22;
export const DT_JMPREL = 23;
export const DT_BIND_NOW = 24;
export const DT_INIT_ARRAY = 25;
export const DT_FINI_ARRAY = 26;
export const DT_INIT_ARRAYSZ = 27;
export const DT_FINI_ARRAYSZ = 28;
export const DT_RUNPATH = 29;
export const DT_FLAGS = 30;
export const DT_GNU_HASH = 0x6ffffef5;
export const DT_FLAGS_1 = 0x6ffffffb;
export const DF_1_PIE = 0x08000000;

// note types
export const NT_PRSTATUS = 1;
export const NT_GNU_ABI_TAG = 1;
export const NT_GNU_BUILD_ID = 3;
export const NT_GNU_PROPERTY_TYPE_0 = 5;
export const GNU_PROPERTY_X86_FEATURE_1_AND = 0xc0000002;
export const GNU_PROPERTY_X86_FEATURE_1_IBT = 0x1;
export const GNU_PROPERTY_X86_FEATURE_1_SHSTK = 0x2;

// Struct sizes (sizeof in C on x86-64)
export const SIZEOF_ELF64_EHDR = 64;
export const SIZEOF_ELF64_PHDR = 56;
export const SIZEOF_ELF64_SHDR = 64;
export const SIZEOF_ELF64_SYM = 24;
export const SIZEOF_ELF64_DYN = 16;
export const SIZEOF_ELF64_RELA = 24;
export const SIZEOF_ELF64_NHDR = 12;
export const SIZEOF_ELF64_AUXV = 16;

/** Byte offsets of Elf64_Ehdr fields. */
export const ELF64_EHDR = Object.freeze({
  e_ident: 0, e_type: 16, e_machine: 18, e_version: 20, e_entry: 24, e_phoff: 32,
  e_shoff: 40, e_flags: 48, e_ehsize: 52, e_phentsize: 54, e_phnum: 56,
  e_shentsize: 58, e_shnum: 60, e_shstrndx: 62,
});
/** Byte offsets of Elf64_Phdr fields (p_flags comes second in ELF64). */
export const ELF64_PHDR = Object.freeze({
  p_type: 0, p_flags: 4, p_offset: 8, p_vaddr: 16, p_paddr: 24, p_filesz: 32,
  p_memsz: 40, p_align: 48,
});
/** Byte offsets of Elf64_Shdr fields. */
export const ELF64_SHDR = Object.freeze({
  sh_name: 0, sh_type: 4, sh_flags: 8, sh_addr: 16, sh_offset: 24, sh_size: 32,
  sh_link: 40, sh_info: 44, sh_addralign: 48, sh_entsize: 56,
});

export interface Elf64_Ehdr {
  /** The 16 identification bytes (a copy). */
  e_ident: Uint8Array;
  e_type: number;
  e_machine: number;
  e_version: number;
  e_entry: bigint;
  e_phoff: bigint;
  e_shoff: bigint;
  e_flags: number;
  e_ehsize: number;
  e_phentsize: number;
  e_phnum: number;
  e_shentsize: number;
  e_shnum: number;
  e_shstrndx: number;
}

export interface Elf64_Phdr {
  p_type: number;
  p_flags: number;
  p_offset: bigint;
  p_vaddr: bigint;
  p_paddr: bigint;
  p_filesz: bigint;
  p_memsz: bigint;
  p_align: bigint;
}

export interface Elf64_Shdr {
  sh_name: number;
  sh_type: number;
  sh_flags: bigint;
  sh_addr: bigint;
  sh_offset: bigint;
  sh_size: bigint;
  sh_link: number;
  sh_info: number;
  sh_addralign: bigint;
  sh_entsize: bigint;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** True when size bytes at offset lie inside bytes. */
function fits(bytes: Uint8Array, offset: number, size: number): boolean {
  return Number.isSafeInteger(offset) && offset >= 0 && offset + size <= bytes.length;
}

/** Decode the 64-byte ELF header at the start of bytes; null if shorter. */
export function decodeEhdr(bytes: Uint8Array): Elf64_Ehdr | null {
  if (bytes.length < SIZEOF_ELF64_EHDR) return null;
  const v = view(bytes);
  const o = ELF64_EHDR;
  return {
    e_ident: bytes.slice(0, EI_NIDENT),
    e_type: v.getUint16(o.e_type, true),
    e_machine: v.getUint16(o.e_machine, true),
    e_version: v.getUint32(o.e_version, true),
    e_entry: v.getBigUint64(o.e_entry, true),
    e_phoff: v.getBigUint64(o.e_phoff, true),
    e_shoff: v.getBigUint64(o.e_shoff, true),
    e_flags: v.getUint32(o.e_flags, true),
    e_ehsize: v.getUint16(o.e_ehsize, true),
    e_phentsize: v.getUint16(o.e_phentsize, true),
    e_phnum: v.getUint16(o.e_phnum, true),
    e_shentsize: v.getUint16(o.e_shentsize, true),
    e_shnum: v.getUint16(o.e_shnum, true),
    e_shstrndx: v.getUint16(o.e_shstrndx, true),
  };
}

/** Decode a program header at offset; null if 56 bytes do not fit there. */
export function decodePhdr(bytes: Uint8Array, offset = 0): Elf64_Phdr | null {
  if (!fits(bytes, offset, SIZEOF_ELF64_PHDR)) return null;
  const v = view(bytes);
  const o = ELF64_PHDR;
  return {
    p_type: v.getUint32(offset + o.p_type, true),
    p_flags: v.getUint32(offset + o.p_flags, true),
    p_offset: v.getBigUint64(offset + o.p_offset, true),
    p_vaddr: v.getBigUint64(offset + o.p_vaddr, true),
    p_paddr: v.getBigUint64(offset + o.p_paddr, true),
    p_filesz: v.getBigUint64(offset + o.p_filesz, true),
    p_memsz: v.getBigUint64(offset + o.p_memsz, true),
    p_align: v.getBigUint64(offset + o.p_align, true),
  };
}

/** Decode a section header at offset; null if 64 bytes do not fit there. */
export function decodeShdr(bytes: Uint8Array, offset = 0): Elf64_Shdr | null {
  if (!fits(bytes, offset, SIZEOF_ELF64_SHDR)) return null;
  const v = view(bytes);
  const o = ELF64_SHDR;
  return {
    sh_name: v.getUint32(offset + o.sh_name, true),
    sh_type: v.getUint32(offset + o.sh_type, true),
    sh_flags: v.getBigUint64(offset + o.sh_flags, true),
    sh_addr: v.getBigUint64(offset + o.sh_addr, true),
    sh_offset: v.getBigUint64(offset + o.sh_offset, true),
    sh_size: v.getBigUint64(offset + o.sh_size, true),
    sh_link: v.getUint32(offset + o.sh_link, true),
    sh_info: v.getUint32(offset + o.sh_info, true),
    sh_addralign: v.getBigUint64(offset + o.sh_addralign, true),
    sh_entsize: v.getBigUint64(offset + o.sh_entsize, true),
  };
}

/** Encode an ELF header as 64 little-endian bytes (e_ident padded/cut to 16). */
export function encodeEhdr(h: Elf64_Ehdr): Uint8Array {
  const out = new Uint8Array(SIZEOF_ELF64_EHDR);
  const v = view(out);
  const o = ELF64_EHDR;
  out.set(h.e_ident.subarray(0, EI_NIDENT), 0);
  v.setUint16(o.e_type, h.e_type, true);
  v.setUint16(o.e_machine, h.e_machine, true);
  v.setUint32(o.e_version, h.e_version, true);
  v.setBigUint64(o.e_entry, BigInt.asUintN(64, h.e_entry), true);
  v.setBigUint64(o.e_phoff, BigInt.asUintN(64, h.e_phoff), true);
  v.setBigUint64(o.e_shoff, BigInt.asUintN(64, h.e_shoff), true);
  v.setUint32(o.e_flags, h.e_flags, true);
  v.setUint16(o.e_ehsize, h.e_ehsize, true);
  v.setUint16(o.e_phentsize, h.e_phentsize, true);
  v.setUint16(o.e_phnum, h.e_phnum, true);
  v.setUint16(o.e_shentsize, h.e_shentsize, true);
  v.setUint16(o.e_shnum, h.e_shnum, true);
  v.setUint16(o.e_shstrndx, h.e_shstrndx, true);
  return out;
}

/** Encode a program header as 56 little-endian bytes. */
export function encodePhdr(p: Elf64_Phdr): Uint8Array {
  const out = new Uint8Array(SIZEOF_ELF64_PHDR);
  const v = view(out);
  const o = ELF64_PHDR;
  v.setUint32(o.p_type, p.p_type, true);
  v.setUint32(o.p_flags, p.p_flags, true);
  v.setBigUint64(o.p_offset, BigInt.asUintN(64, p.p_offset), true);
  v.setBigUint64(o.p_vaddr, BigInt.asUintN(64, p.p_vaddr), true);
  v.setBigUint64(o.p_paddr, BigInt.asUintN(64, p.p_paddr), true);
  v.setBigUint64(o.p_filesz, BigInt.asUintN(64, p.p_filesz), true);
  v.setBigUint64(o.p_memsz, BigInt.asUintN(64, p.p_memsz), true);
  v.setBigUint64(o.p_align, BigInt.asUintN(64, p.p_align), true);
  return out;
}

/** Encode a section header as 64 little-endian bytes. */
export function encodeShdr(s: Elf64_Shdr): Uint8Array {
  const out = new Uint8Array(SIZEOF_ELF64_SHDR);
  const v = view(out);
  const o = ELF64_SHDR;
  v.setUint32(o.sh_name, s.sh_name, true);
  v.setUint32(o.sh_type, s.sh_type, true);
  v.setBigUint64(o.sh_flags, BigInt.asUintN(64, s.sh_flags), true);
  v.setBigUint64(o.sh_addr, BigInt.asUintN(64, s.sh_addr), true);
  v.setBigUint64(o.sh_offset, BigInt.asUintN(64, s.sh_offset), true);
  v.setBigUint64(o.sh_size, BigInt.asUintN(64, s.sh_size), true);
  v.setUint32(o.sh_link, s.sh_link, true);
  v.setUint32(o.sh_info, s.sh_info, true);
  v.setBigUint64(o.sh_addralign, BigInt.asUintN(64, s.sh_addralign), true);
  v.setBigUint64(o.sh_entsize, BigInt.asUintN(64, s.sh_entsize), true);
  return out;
}

/**
 * A valid x86-64 ET_EXEC header with no tables, with fields overridden:
 * the starting point for building ELF images in memory.
 */
export function elf64Ehdr(fields: Partial<Elf64_Ehdr> = {}): Elf64_Ehdr {
  const e_ident = new Uint8Array(EI_NIDENT);
  e_ident.set([ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, ELFOSABI_NONE]);
  return {
    e_ident, e_type: ET_EXEC, e_machine: EM_X86_64, e_version: EV_CURRENT,
    e_entry: 0n, e_phoff: 0n, e_shoff: 0n, e_flags: 0, e_ehsize: SIZEOF_ELF64_EHDR,
    e_phentsize: SIZEOF_ELF64_PHDR, e_phnum: 0, e_shentsize: SIZEOF_ELF64_SHDR,
    e_shnum: 0, e_shstrndx: SHN_UNDEF, ...fields,
  };
}

/** A program header with every field zero except those given. */
export function elf64Phdr(fields: Partial<Elf64_Phdr> = {}): Elf64_Phdr {
  return {
    p_type: PT_NULL, p_flags: 0, p_offset: 0n, p_vaddr: 0n, p_paddr: 0n,
    p_filesz: 0n, p_memsz: 0n, p_align: 0n, ...fields,
  };
}


/** What parseElf found: the headers, and what it could read beside them. */
export interface ElfFile {
  ehdr: Elf64_Ehdr;
  /** e_phnum entries (the PN_XNUM count from section 0 when used). */
  phdrs: Elf64_Phdr[];
  /** Empty when the file has no section header table. */
  shdrs: Elf64_Shdr[];
  /** Name of each section, when e_shstrndx names a string table inside the file. */
  sectionNames?: string[];
  /** The PT_INTERP path up to its first NUL, when there is one. */
  interp?: string;
}

export type ElfParseResult = { ok: true; elf: ElfFile } | { ok: false; reason: string };

const fail = (reason: string): ElfParseResult => ({ ok: false, reason });

/** True when count entries of entsize bytes starting at off lie inside file. */
function tableFits(file: Uint8Array, off: bigint, count: number, entsize: number): boolean {
  return off + BigInt(count) * BigInt(entsize) <= BigInt(file.length);
}

/** Bytes [off, off + size) of file, or null if that range is not inside it. */
function range(file: Uint8Array, off: bigint, size: bigint): Uint8Array | null {
  if (off + size > BigInt(file.length)) return null;
  return file.subarray(Number(off), Number(off + size));
}

function cstring(bytes: Uint8Array, from = 0): string {
  let end = from;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(from, end));
}

/**
 * Parse an x86-64 ELF64 little-endian file held in memory. Checks the magic,
 * class, data encoding, versions, machine, entry sizes, and that the program
 * and section header tables and the PT_INTERP string lie inside the file
 * (64-bit arithmetic, so no offset can wrap). A file without section headers
 * (e_shoff 0 or e_shnum 0) is fine. Never throws.
 *
 * @param file the whole file
 * @returns { ok: true, elf } or { ok: false, reason } saying what is wrong
 */
export function parseElf(file: Uint8Array): ElfParseResult {
  const ehdr = decodeEhdr(file);
  if (!ehdr) return fail(`file too short for an ELF header: ${file.length} < ${SIZEOF_ELF64_EHDR} bytes`);
  const id = ehdr.e_ident;
  if (id[EI_MAG0] !== ELFMAG0 || id[EI_MAG1] !== ELFMAG1 || id[EI_MAG2] !== ELFMAG2 || id[EI_MAG3] !== ELFMAG3) {
    return fail('bad ELF magic');
  }
  if (id[EI_CLASS] !== ELFCLASS64) return fail(`not ELFCLASS64: EI_CLASS is ${id[EI_CLASS]}`);
  if (id[EI_DATA] !== ELFDATA2LSB) return fail(`not little-endian: EI_DATA is ${id[EI_DATA]}`);
  if (id[EI_VERSION] !== EV_CURRENT) return fail(`bad EI_VERSION ${id[EI_VERSION]}`);
  if (ehdr.e_version !== EV_CURRENT) return fail(`bad e_version ${ehdr.e_version}`);
  if (ehdr.e_machine !== EM_X86_64) return fail(`not x86-64: e_machine is ${ehdr.e_machine}`);

  const sections = readSections(file, ehdr);
  if (typeof sections === 'string') return fail(sections);
  const { shdrs, sectionNames } = sections;

  // ELF gABI: PN_XNUM means the real program header count is section 0's sh_info.
  let phnum = ehdr.e_phnum;
  if (phnum === PN_XNUM && shdrs.length > 0) phnum = shdrs[0]!.sh_info;
  if (phnum > 0 && ehdr.e_phentsize !== SIZEOF_ELF64_PHDR) {
    return fail(`e_phentsize is ${ehdr.e_phentsize}, want ${SIZEOF_ELF64_PHDR}`);
  }
  if (!tableFits(file, ehdr.e_phoff, phnum, SIZEOF_ELF64_PHDR)) {
    return fail('program header table lies beyond the end of the file');
  }
  const phdrs: Elf64_Phdr[] = [];
  for (let i = 0; i < phnum; i++) {
    phdrs.push(decodePhdr(file, Number(ehdr.e_phoff) + i * SIZEOF_ELF64_PHDR)!);
  }

  const elf: ElfFile = { ehdr, phdrs, shdrs };
  if (sectionNames) elf.sectionNames = sectionNames;
  const pInterp = phdrs.find((p) => p.p_type === PT_INTERP);
  if (pInterp) {
    const bytes = range(file, pInterp.p_offset, pInterp.p_filesz);
    if (!bytes) return fail('PT_INTERP lies beyond the end of the file');
    elf.interp = cstring(bytes);
  }
  return { ok: true, elf };
}

/** The section headers and names, or a reason the table is unusable. */
function readSections(
  file: Uint8Array, ehdr: Elf64_Ehdr,
): { shdrs: Elf64_Shdr[]; sectionNames?: string[] } | string {
  if (ehdr.e_shoff === 0n) return { shdrs: [] };
  if (ehdr.e_shentsize !== SIZEOF_ELF64_SHDR) {
    if (ehdr.e_shnum === 0) return { shdrs: [] };
    return `e_shentsize is ${ehdr.e_shentsize}, want ${SIZEOF_ELF64_SHDR}`;
  }
  // ELF gABI: e_shnum 0 with a table means the count is section 0's sh_size.
  const first = decodeShdr(file, Number(ehdr.e_shoff));
  let shnum = ehdr.e_shnum;
  if (shnum === 0) {
    if (!first || first.sh_size === 0n) return { shdrs: [] };
    if (first.sh_size > 0xffffffffn) return 'section count in sh_size is absurd';
    shnum = Number(first.sh_size);
  }
  if (!tableFits(file, ehdr.e_shoff, shnum, SIZEOF_ELF64_SHDR)) {
    return 'section header table lies beyond the end of the file';
  }
  const shdrs: Elf64_Shdr[] = [];
  for (let i = 0; i < shnum; i++) {
    shdrs.push(decodeShdr(file, Number(ehdr.e_shoff) + i * SIZEOF_ELF64_SHDR)!);
  }
  let strndx = ehdr.e_shstrndx;
  if (strndx === SHN_XINDEX) strndx = shdrs[0]!.sh_link;
  const strtab = strndx !== SHN_UNDEF && strndx < shnum ? shdrs[strndx]! : undefined;
  if (!strtab || strtab.sh_type === SHT_NOBITS) return { shdrs };
  const bytes = range(file, strtab.sh_offset, strtab.sh_size);
  if (!bytes) return { shdrs };
  return { shdrs, sectionNames: shdrs.map((s) => (s.sh_name < bytes.length ? cstring(bytes, s.sh_name) : '')) };
}
