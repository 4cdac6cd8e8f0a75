/**
 * parseElf on real binaries of this machine, checked against `readelf -lhSW`
 * run at test time. Skipped when readelf or the binary is missing.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseElf, ET_DYN, ET_REL, PT_DYNAMIC, PT_GNU_EH_FRAME, PT_GNU_PROPERTY, PT_GNU_RELRO, PT_GNU_STACK,
  PT_INTERP, PT_LOAD, PT_NOTE, PT_NULL, PT_PHDR, PT_TLS, PF_R, PF_W, PF_X,
} from '../../abi/elf.js';
import { haveTool } from './native.js';

const READELF_TYPE: Record<number, string> = {
  [PT_NULL]: 'NULL', [PT_LOAD]: 'LOAD', [PT_DYNAMIC]: 'DYNAMIC', [PT_INTERP]: 'INTERP',
  [PT_NOTE]: 'NOTE', [PT_PHDR]: 'PHDR', [PT_TLS]: 'TLS', [PT_GNU_EH_FRAME]: 'GNU_EH_FRAME',
  [PT_GNU_STACK]: 'GNU_STACK', [PT_GNU_RELRO]: 'GNU_RELRO', [PT_GNU_PROPERTY]: 'GNU_PROPERTY',
};

interface ReadelfView {
  header: Map<string, string>;
  segments: Array<{ type: string; offset: bigint; vaddr: bigint; paddr: bigint; filesz: bigint;
    memsz: bigint; flags: string; align: bigint }>;
  interp?: string;
  sections: string[];
}

function readelf(path: string): ReadelfView {
  const out = spawnSync('readelf', ['-lhSW', path], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }).stdout;
  const view: ReadelfView = { header: new Map(), segments: [], sections: [] };
  let inSegments = false;
  for (const line of out.split('\n')) {
    const h = /^ {2}([A-Za-z /]+):\s+(.*)$/.exec(line);
    if (h && !view.header.has(h[1]!)) view.header.set(h[1]!, h[2]!.trim());
    if (line.startsWith('Program Headers:')) inSegments = true;
    else if (line.trim() === '') inSegments = false;
    const s = /^ {2}(\S+)\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) (...) 0x([0-9a-f]+)$/.exec(line);
    if (inSegments && s) {
      const hex = (i: number): bigint => BigInt('0x' + s[i]!);
      view.segments.push({ type: s[1]!, offset: hex(2), vaddr: hex(3), paddr: hex(4), filesz: hex(5),
        memsz: hex(6), flags: s[7]!, align: hex(8) });
    }
    const i = /\[Requesting program interpreter: (.*)\]/.exec(line);
    if (i) view.interp = i[1]!;
    const sec = /^\s*\[\s*\d+\] (.*?)\s*(\S+)\s+([0-9a-f]{16}) /.exec(line);
    if (sec) view.sections.push(sec[1]!);
  }
  return view;
}

function flagString(f: number): string {
  return (f & PF_R ? 'R' : ' ') + (f & PF_W ? 'W' : ' ') + (f & PF_X ? 'E' : ' ');
}

const BINARIES = ['/bin/ls', '/sbin/ldconfig', '/lib64/ld-linux-x86-64.so.2', '/usr/bin/gcc'];

describe('abi/elf parseElf on real binaries against readelf', function () {
  before(function () {
    if (!haveTool('readelf')) this.skip();
  });

  it('finds /bin/ls dynamic with the x86-64 glibc interpreter', function () {
    if (!existsSync('/bin/ls')) this.skip();
    const r = parseElf(readFileSync('/bin/ls'));
    expect(r.ok, r.ok ? '' : r.reason).to.equal(true);
    if (!r.ok) return;
    expect(r.elf.ehdr.e_type).to.equal(ET_DYN);
    expect(r.elf.interp).to.equal('/lib64/ld-linux-x86-64.so.2');
  });

  for (const path of BINARIES) {
    it(`agrees with readelf on ${path}`, function () {
      if (!existsSync(path)) this.skip();
      const file = readFileSync(realpathSync(path));
      const r = parseElf(file);
      expect(r.ok, r.ok ? '' : r.reason).to.equal(true);
      if (!r.ok) return;
      const { ehdr, phdrs, shdrs, sectionNames, interp } = r.elf;
      const want = readelf(path);
      const num = (k: string): bigint => BigInt(want.header.get(k)!.split(' ')[0]!);
      expect(ehdr.e_entry, 'entry').to.equal(num('Entry point address'));
      expect(ehdr.e_phoff, 'phoff').to.equal(num('Start of program headers'));
      expect(ehdr.e_shoff, 'shoff').to.equal(num('Start of section headers'));
      expect(BigInt(ehdr.e_phnum), 'phnum').to.equal(num('Number of program headers'));
      expect(BigInt(ehdr.e_shnum), 'shnum').to.equal(num('Number of section headers'));
      expect(BigInt(ehdr.e_shstrndx), 'shstrndx').to.equal(num('Section header string table index'));
      expect(phdrs.length, 'segments').to.equal(want.segments.length);
      phdrs.forEach((p, i) => {
        const w = want.segments[i]!;
        const label = `segment ${i} (${w.type})`;
        if (READELF_TYPE[p.p_type]) expect(READELF_TYPE[p.p_type], label).to.equal(w.type);
        expect([p.p_offset, p.p_vaddr, p.p_paddr, p.p_filesz, p.p_memsz, p.p_align], label)
          .to.deep.equal([w.offset, w.vaddr, w.paddr, w.filesz, w.memsz, w.align]);
        expect(flagString(p.p_flags), label).to.equal(w.flags);
      });
      expect(interp, 'interp').to.equal(want.interp);
      expect(shdrs.length).to.equal(want.sections.length);
      expect(sectionNames, 'section names').to.deep.equal(want.sections);
    });
  }

  it('reads a gcc object file (ET_REL, no program headers) and names its sections', function () {
    if (!haveTool('gcc')) this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'kemu-elf-'));
    try {
      writeFileSync(join(dir, 'o.c'), 'int answer(void) { return 42; }\n');
      const cc = spawnSync('gcc', ['-c', '-o', join(dir, 'o.o'), join(dir, 'o.c')]);
      expect(cc.status, 'gcc -c').to.equal(0);
      const r = parseElf(readFileSync(join(dir, 'o.o')));
      expect(r.ok, r.ok ? '' : r.reason).to.equal(true);
      if (!r.ok) return;
      expect(r.elf.ehdr.e_type).to.equal(ET_REL);
      expect(r.elf.phdrs).to.deep.equal([]);
      expect(r.elf.sectionNames).to.include.members(['.text', '.symtab', '.strtab', '.shstrtab']);
      expect(r.elf.sectionNames).to.deep.equal(readelf(join(dir, 'o.o')).sections);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
