/**
 * abi/elf.ts on images built in memory: the codecs round-trip at the elf.h
 * offsets, and parseElf refuses each malformed image for the right reason
 * (one defect per test) without ever throwing.
 */
import { expect } from 'chai';
import {
  decodeEhdr, decodePhdr, decodeShdr, elf64Ehdr, elf64Phdr, encodeEhdr, encodePhdr, encodeShdr,
  parseElf, EI_CLASS, EI_DATA, EI_OSABI, EI_VERSION, ELFCLASS32, ELFDATA2MSB, ELFOSABI_GNU,
  EM_386, EM_AARCH64, ET_DYN, PF_R, PF_X, PT_GNU_STACK, PT_INTERP, PT_LOAD, SHT_NULL, SHT_PROGBITS,
  SHT_STRTAB, SIZEOF_ELF64_EHDR, SIZEOF_ELF64_PHDR, SIZEOF_ELF64_SHDR,
  type Elf64_Ehdr, type Elf64_Phdr, type Elf64_Shdr, type ElfParseResult,
} from '../../abi/elf.js';

const INTERP = '/lib64/ld-linux-x86-64.so.2';

/** ELF header, then the program headers right after it, then payload; sized to fit. */
function image(ehdr: Partial<Elf64_Ehdr>, phdrs: Elf64_Phdr[] = [], payload = new Uint8Array(0)): Uint8Array {
  const phoff = SIZEOF_ELF64_EHDR;
  const h = elf64Ehdr({ e_phoff: phdrs.length ? BigInt(phoff) : 0n, e_phnum: phdrs.length, ...ehdr });
  const out = new Uint8Array(phoff + phdrs.length * SIZEOF_ELF64_PHDR + payload.length);
  out.set(encodeEhdr(h), 0);
  phdrs.forEach((p, i) => out.set(encodePhdr(p), phoff + i * SIZEOF_ELF64_PHDR));
  out.set(payload, phoff + phdrs.length * SIZEOF_ELF64_PHDR);
  return out;
}

const load = elf64Phdr({ p_type: PT_LOAD, p_flags: PF_R | PF_X, p_vaddr: 0x400000n, p_align: 0x1000n });

function withIdent(index: number, value: number): Partial<Elf64_Ehdr> {
  const e_ident = elf64Ehdr().e_ident.slice();
  e_ident[index] = value;
  return { e_ident };
}

function expectFail(r: ElfParseResult, pattern: RegExp): void {
  expect(r.ok, 'parse result ok').to.equal(false);
  if (!r.ok) expect(r.reason).to.match(pattern);
}

describe('abi/elf codecs', function () {
  it('decodes what encodeEhdr wrote, field for field', function () {
    const h = elf64Ehdr({
      e_type: ET_DYN, e_entry: 0x1122334455667788n, e_phoff: 64n, e_shoff: 0xabcdefn, e_flags: 7,
      e_phnum: 3, e_shnum: 9, e_shstrndx: 8,
    });
    expect(decodeEhdr(encodeEhdr(h))).to.deep.equal(h);
  });

  it('reads EI_OSABI from byte 7', function () {
    expect(EI_OSABI).to.equal(7);
    const bytes = encodeEhdr(elf64Ehdr(withIdent(EI_OSABI, ELFOSABI_GNU)));
    expect(bytes[7]).to.equal(ELFOSABI_GNU);
    expect(decodeEhdr(bytes)!.e_ident[EI_OSABI]).to.equal(ELFOSABI_GNU);
  });

  it('puts p_flags right after p_type in Elf64_Phdr', function () {
    const p: Elf64_Phdr = {
      p_type: 0x11111111, p_flags: 0x22222222, p_offset: 0x3n, p_vaddr: 0x4n, p_paddr: 0x5n,
      p_filesz: 0x6n, p_memsz: 0x7n, p_align: 0x8n,
    };
    const b = encodePhdr(p);
    const dv = new DataView(b.buffer);
    expect(b.length).to.equal(56);
    expect(dv.getUint32(4, true)).to.equal(0x22222222);
    [3n, 4n, 5n, 6n, 7n, 8n].forEach((v, i) => expect(dv.getBigUint64(8 + 8 * i, true)).to.equal(v));
    expect(decodePhdr(b)).to.deep.equal(p);
  });

  it('lays out Elf64_Shdr at the elf.h offsets (sh_link 40, sh_info 44, sh_entsize 56)', function () {
    const s: Elf64_Shdr = {
      sh_name: 1, sh_type: 2, sh_flags: 3n, sh_addr: 4n, sh_offset: 5n, sh_size: 6n,
      sh_link: 7, sh_info: 8, sh_addralign: 9n, sh_entsize: 10n,
    };
    const b = encodeShdr(s);
    const dv = new DataView(b.buffer);
    expect(b.length).to.equal(64);
    expect([dv.getUint32(0, true), dv.getUint32(4, true)]).to.deep.equal([1, 2]);
    expect([8, 16, 24, 32].map((o) => dv.getBigUint64(o, true))).to.deep.equal([3n, 4n, 5n, 6n]);
    expect([dv.getUint32(40, true), dv.getUint32(44, true)]).to.deep.equal([7, 8]);
    expect([dv.getBigUint64(48, true), dv.getBigUint64(56, true)]).to.deep.equal([9n, 10n]);
    expect(decodeShdr(b)).to.deep.equal(s);
  });

  it('returns null instead of throwing when a struct does not fit', function () {
    expect(decodeEhdr(new Uint8Array(63))).to.equal(null);
    expect(decodeEhdr(new Uint8Array(64))).to.not.equal(null);
    const buf = new Uint8Array(100);
    expect(decodePhdr(buf, 45)).to.equal(null);
    expect(decodePhdr(buf, 44)).to.not.equal(null);
    expect(decodePhdr(buf, -1)).to.equal(null);
    expect(decodePhdr(buf, Number.NaN)).to.equal(null);
    expect(decodeShdr(buf, 37)).to.equal(null);
    expect(decodeShdr(buf, 2 ** 60)).to.equal(null);
  });

  it('decodes from a subarray that does not start at offset 0 of its buffer', function () {
    const whole = new Uint8Array(8 + 64);
    whole.set(encodeEhdr(elf64Ehdr({ e_entry: 0x401000n })), 8);
    expect(decodeEhdr(whole.subarray(8))!.e_entry).to.equal(0x401000n);
  });
});

describe('abi/elf parseElf', function () {
  it('accepts a file with no section headers (e_shoff 0, e_shnum 0)', function () {
    const r = parseElf(image({}, [load]));
    expect(r.ok).to.equal(true);
    if (!r.ok) return;
    expect(r.elf.phdrs).to.deep.equal([load]);
    expect(r.elf.shdrs).to.deep.equal([]);
    expect(r.elf.sectionNames).to.equal(undefined);
    expect(r.elf.interp).to.equal(undefined);
  });

  it('accepts e_shoff set but e_shnum 0 as no sections', function () {
    const r = parseElf(image({ e_shoff: 64n }, [load]));
    expect(r.ok && r.elf.shdrs.length).to.equal(0);
  });

  it('refuses bad magic', function () {
    const bytes = image({}, [load]);
    bytes[1] = 0x45 ^ 0x20; // 'e'
    expectFail(parseElf(bytes), /magic/);
  });

  it('refuses a 32-bit (ELFCLASS32) file', function () {
    expectFail(parseElf(image(withIdent(EI_CLASS, ELFCLASS32), [load])), /ELFCLASS64/);
  });

  it('refuses a big-endian file', function () {
    expectFail(parseElf(image(withIdent(EI_DATA, ELFDATA2MSB), [load])), /little-endian/);
  });

  it('refuses a bad EI_VERSION and a bad e_version', function () {
    expectFail(parseElf(image(withIdent(EI_VERSION, 2), [load])), /EI_VERSION/);
    expectFail(parseElf(image({ e_version: 0 }, [load])), /e_version/);
  });

  it('refuses another machine (i386, aarch64)', function () {
    expectFail(parseElf(image({ e_machine: EM_386 }, [load])), /x86-64/);
    expectFail(parseElf(image({ e_machine: EM_AARCH64 }, [load])), /x86-64/);
  });

  it('refuses a truncated header', function () {
    expectFail(parseElf(image({}, [load]).subarray(0, 63)), /too short/);
    expectFail(parseElf(new Uint8Array(0)), /too short/);
  });

  it('refuses a program header table that runs past the end of the file', function () {
    const bytes = image({}, [load, load]);
    expectFail(parseElf(bytes.subarray(0, bytes.length - 1)), /program header table/);
  });

  it('refuses e_phentsize other than 56', function () {
    expectFail(parseElf(image({ e_phentsize: 32 }, [load])), /e_phentsize/);
  });

  it('ignores e_phentsize when there are no program headers (as in .o files)', function () {
    expect(parseElf(image({ e_phentsize: 0 })).ok).to.equal(true);
  });

  it('refuses an e_phoff whose end wraps around 2^64', function () {
    // 0xffffffffffffffc0 + 2 * 56 wraps to 48 in 64-bit arithmetic.
    expectFail(parseElf(image({ e_phoff: 0xffffffffffffffc0n }, [load, load])), /program header table/);
  });

  it('refuses PN_XNUM program headers when there is no section 0 to count them', function () {
    expectFail(parseElf(image({ e_phnum: 0xffff }, [load])), /program header table/);
  });

  it('reads the PT_INTERP path up to its NUL', function () {
    const path = new TextEncoder().encode(INTERP + '\0');
    const off = BigInt(SIZEOF_ELF64_EHDR + 2 * SIZEOF_ELF64_PHDR);
    const interp = elf64Phdr({ p_type: PT_INTERP, p_offset: off, p_filesz: BigInt(path.length), p_flags: PF_R });
    const r = parseElf(image({ e_type: ET_DYN }, [interp, load], path));
    expect(r.ok && r.elf.interp).to.equal(INTERP);
  });

  it('refuses a PT_INTERP that lies past the end of the file', function () {
    const interp = elf64Phdr({ p_type: PT_INTERP, p_offset: 0x10000n, p_filesz: 28n });
    expectFail(parseElf(image({}, [interp])), /PT_INTERP/);
  });

  it('reads section headers and their names from .shstrtab', function () {
    const names = new TextEncoder().encode('\0.text\0.shstrtab\0');
    const strOff = SIZEOF_ELF64_EHDR + SIZEOF_ELF64_PHDR;
    const shoff = strOff + names.length;
    const sh = (f: Partial<Elf64_Shdr>): Elf64_Shdr => ({
      sh_name: 0, sh_type: SHT_NULL, sh_flags: 0n, sh_addr: 0n, sh_offset: 0n, sh_size: 0n,
      sh_link: 0, sh_info: 0, sh_addralign: 0n, sh_entsize: 0n, ...f,
    });
    const shdrs = [
      sh({}),
      sh({ sh_name: 1, sh_type: SHT_PROGBITS, sh_addr: 0x401000n }),
      sh({ sh_name: 7, sh_type: SHT_STRTAB, sh_offset: BigInt(strOff), sh_size: BigInt(names.length) }),
    ];
    const table = new Uint8Array(shdrs.length * SIZEOF_ELF64_SHDR);
    shdrs.forEach((s, i) => table.set(encodeShdr(s), i * SIZEOF_ELF64_SHDR));
    const payload = new Uint8Array(names.length + table.length);
    payload.set(names, 0);
    payload.set(table, names.length);
    const bytes = image({ e_shoff: BigInt(shoff), e_shnum: 3, e_shstrndx: 2 }, [load], payload);
    const r = parseElf(bytes);
    expect(r.ok).to.equal(true);
    if (!r.ok) return;
    expect(r.elf.shdrs).to.deep.equal(shdrs);
    expect(r.elf.sectionNames).to.deep.equal(['', '.text', '.shstrtab']);

    expectFail(parseElf(bytes.subarray(0, bytes.length - 1)), /section header table/);
    const badEntsize = image({ e_shoff: BigInt(shoff), e_shnum: 3, e_shentsize: 40 }, [load], payload);
    expectFail(parseElf(badEntsize), /e_shentsize/);
  });

  it('never throws on random corruptions of a valid image', function () {
    const stack = elf64Phdr({ p_type: PT_GNU_STACK, p_flags: PF_R });
    const good = image({ e_shoff: 64n, e_shnum: 2 }, [load, stack], new Uint8Array(200));
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 3000; i++) {
      const bytes = good.slice(0, rand(good.length + 1));
      for (let k = 0; k < 4; k++) if (bytes.length) bytes[rand(bytes.length)] = rand(256);
      const r = parseElf(bytes);
      expect(r.ok === true || typeof r.reason === 'string').to.equal(true);
    }
  });
});
