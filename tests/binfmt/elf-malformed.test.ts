/**
 * binfmt_elf on malformed images, one defect per test, each compared with
 * what this machine's Linux does with the same bytes: the errno execve
 * returns before the point of no return, or the signal that kills the
 * task after it. None may raise a host exception.
 */

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EM_386, ET_REL, elf64Phdr, PF_R, PF_W, PT_GNU_STACK } from '../../abi/elf.js';
import { errnoName } from '../../abi/errno.js';
import { installFile } from '../../cli/boot.js';
import { describeEachEngine } from '../helpers/engines.js';
import { buildImage, interpPhdr, loadPhdr } from '../helpers/elfimage.js';
import { nativeExec } from '../helpers/native.js';
import { runGuest } from '../helpers/run.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-elf-'));
const notElf = path.join(dir, 'not-elf');
fs.writeFileSync(notElf, 'just text\n', { mode: 0o755 });
const wrongArch = path.join(dir, 'wrong-arch');
fs.writeFileSync(wrongArch, buildImage({ ehdr: { e_machine: EM_386 } }), { mode: 0o755 });

const cstr = (s: string): Uint8Array => new Uint8Array(Buffer.from(s + '\0', 'latin1'));
const withInterp = (name: string, len = name.length + 1): Uint8Array =>
  buildImage({ phdrs: [interpPhdr(len), loadPhdr()], tail: cstr(name) });

/** name -> image bytes. */
const CASES: Array<[string, Uint8Array]> = [
  ['a valid image (control) runs and exits 7', buildImage()],
  ['an empty file', new Uint8Array(0)],
  ['a file of 3 bytes of the magic', Uint8Array.from([0x7f, 0x45, 0x4c])],
  ['a bad magic', (() => { const b = buildImage(); b[1] = 0x46; return b; })()],
  ['e_type ET_REL', buildImage({ ehdr: { e_type: ET_REL } })],
  ['e_machine EM_386 in a 64-bit file', buildImage({ ehdr: { e_machine: EM_386 } })],
  ['e_phentsize 32', buildImage({ ehdr: { e_phentsize: 32 } })],
  ['e_phnum 0', buildImage({ phdrs: [], ehdr: { e_phnum: 0 } })],
  ['e_phnum 74 (table over 4096 bytes)', buildImage({ ehdr: { e_phnum: 74 } })],
  ['the phdr table past the end of the file', buildImage({ ehdr: { e_phoff: 0x10000n } })],
  ['a header truncated at 64 bytes', buildImage().subarray(0, 64)],
  ['PT_INTERP of 1 byte', withInterp('/x', 1)],
  ['PT_INTERP without a NUL', buildImage({ phdrs: [interpPhdr(5), loadPhdr()], tail: Buffer.from('/abcdefgh') })],
  ['PT_INTERP past the end of the file', buildImage({ phdrs: [elf64Phdr({ p_type: 3, p_offset: 0x10000n, p_filesz: 8n }), loadPhdr()] })],
  ['PT_INTERP naming a missing file', withInterp(path.join(dir, 'no-such-interp'))],
  ['PT_INTERP naming a directory', withInterp(dir)],
  ['PT_INTERP naming a text file', withInterp(notElf)],
  ['PT_INTERP naming an ELF of the wrong arch', withInterp(wrongArch)],
  ['p_filesz > p_memsz (after the point of no return)', buildImage({ phdrs: [loadPhdr({ p_filesz: 0x400n, p_memsz: 0x100n })] })],
  ['p_offset and p_vaddr misaligned (after the point of no return)', buildImage({ phdrs: [loadPhdr({ p_offset: 0x10n })] })],
  ['PT_INTERP longer than PATH_MAX', withInterp('/x', 4097)],
  ['a PT_LOAD whose end passes TASK_SIZE (after the point of no return)', buildImage({ phdrs: [loadPhdr({ p_vaddr: 0x7ffffffff000n, p_memsz: 0x2000n })] })],
  ['a bss of 2^46 bytes (after the point of no return)', buildImage({ phdrs: [loadPhdr({ p_flags: PF_R | PF_W | 1, p_memsz: 0x400000000000n })] })],
  ['a non-executable stack via PT_GNU_STACK (control)', buildImage({ phdrs: [loadPhdr(), elf64Phdr({ p_type: PT_GNU_STACK, p_flags: PF_R | PF_W })] })],
];

/** Normalise kemu's result to the native helper's words. */
function kemuOutcome(r: { execErrno: number | null; status: number | null }): string {
  if (r.execErrno !== null) return `errno ${r.execErrno}`;
  return r.status! > 128 ? `signal ${r.status! - 128}` : `exit ${r.status}`;
}

const native = new Map<string, string | null>();
for (const [name, bytes] of CASES) {
  const file = path.join(dir, name.replace(/[^a-z0-9]+/gi, '-'));
  fs.writeFileSync(file, bytes, { mode: 0o755 });
  native.set(name, nativeExec(file));
}

describeEachEngine('binfmt_elf on malformed images gives what Linux gives', (engine) => {
  for (const [name] of CASES) {
    it(`${name}`, async function () {
      const want = native.get(name);
      if (want === null || want === undefined) {
        console.log('      skipped: python3 is needed to run the native side');
        this.skip();
      }
      const file = path.join(dir, name.replace(/[^a-z0-9]+/gi, '-'));
      const r = await runGuest({
        engine, prog: file, argv: [file],
        // The interpreter files the images name must exist in the guest at the same paths.
        setup: (k) => {
          installFile(k, notElf, fs.readFileSync(notElf), 0o755);
          installFile(k, wrongArch, fs.readFileSync(wrongArch), 0o755);
        },
      });
      const got = kemuOutcome(r);
      const label = (s: string): string => (s.startsWith('errno') ? `${s} (${errnoName(Number(s.slice(6)))})` : s);
      expect(label(got), `got ${label(got)}, want ${label(want!)}`).to.equal(label(want!));
    });
  }
});
