/**
 * The exec path's kernel-side API, where a guest cannot reach:
 * do_execve_file (4.18's entry for fork_usermode_blob), the handler list's
 * order and rules, request_module, and the 4.18 profile's differences.
 */

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AT_EXECFN } from '../../abi/auxv.js';
import { ELOOP, ENOENT, ENOEXEC } from '../../abi/errno.js';
import { do_execve_file, kernel_execve } from '../../binfmt/exec.js';
import { formats, register_binfmt, set_request_module, insert_binfmt } from '../../binfmt/formats.js';
import type { LinuxBinfmt, LinuxBinprm } from '../../binfmt/binprm.js';
import { bootKernel, installFile } from '../../cli/boot.js';
import type { Engine } from '../../emulator/engine.js';
import { HostStreamFile } from '../../kernel/fs/hoststream.js';
import { File, FMODE_READ } from '../../kernel/fs/file.js';
import { latin1Bytes } from '../../kernel/fs/namei.js';
import { TmpfsFile } from '../../kernel/fs/tmpfs.js';
import type { Kernel } from '../../kernel/kernel.js';
import { strncpy_from_user } from '../../kernel/mm/uaccess.js';
import { PROFILE_4_18, PROFILE_6_18, type KernelProfile } from '../../kernel/profile.js';
import { describeEachEngine } from '../helpers/engines.js';
import { REPO_ROOT } from '../helpers/paths.js';

const argvProg = fs.readFileSync(path.join(REPO_ROOT, 'fixtures/asm-argv/asm-argv'));

function boot(engine: Engine, profile: KernelProfile): { k: Kernel; out: () => string; task: ReturnType<Kernel['createTask']> } {
  const k = bootKernel({ engine, profile });
  k.log = () => {};
  const chunks: Buffer[] = [];
  const task = k.createTask();
  for (const fd of [0, 1, 2]) task.files.install(new HostStreamFile(k.rootSb, fd, fd === 0 ? { source: new Uint8Array(0) } : { sink: (b) => chunks.push(Buffer.from(b)) }));
  return { k, task, out: () => Buffer.concat(chunks).toString('latin1') };
}

function execfn(k: Kernel, t: ReturnType<Kernel['createTask']>): string {
  const aux = t.mm!.saved_auxv;
  for (let i = 0; i < aux.length; i += 2) {
    if (aux[i] === AT_EXECFN) {
      const b = strncpy_from_user(t.mm!, aux[i + 1]!, 4096);
      return b instanceof Uint8Array ? Buffer.from(b).toString('latin1') : '';
    }
  }
  void k;
  return '';
}

describeEachEngine('do_execve_file (Linux 4.18, for fork_usermode_blob)', (engine) => {
  it('execs an open file with no argv or envp: filename, comm and AT_EXECFN are "none", argc 0', async () => {
    const { k, task, out } = boot(engine, PROFILE_4_18);
    const inode = new TmpfsFile(k.rootSb, 0o777);
    inode.writeAt(argvProg, 0);
    const file = new File(inode, 0, FMODE_READ, '');
    expect(do_execve_file(k, task, file, null, null)).to.equal(0);
    expect(task.comm).to.equal('none');
    expect(execfn(k, task)).to.equal('none');
    const st = await k.waitForExit(task);
    expect(st.code).to.equal(0);
    expect(out()).to.equal(''); // asm-argv prints argc strings: none
  });

  it('skips the open checks: a file without any execute bit still runs', async () => {
    const { k, task } = boot(engine, PROFILE_4_18);
    const inode = new TmpfsFile(k.rootSb, 0o600);
    inode.writeAt(argvProg, 0);
    expect(do_execve_file(k, task, new File(inode, 0, FMODE_READ, ''), null, null)).to.equal(0);
    expect((await k.waitForExit(task)).code).to.equal(0);
  });

  it('under 6.18 an empty argv becomes { "" } (argc 1)', async () => {
    const { k, task, out } = boot(engine, PROFILE_6_18);
    const inode = new TmpfsFile(k.rootSb, 0o777);
    inode.writeAt(argvProg, 0);
    expect(do_execve_file(k, task, new File(inode, 0, FMODE_READ, ''), null, null)).to.equal(0);
    await k.waitForExit(task);
    expect(out()).to.equal('\n');
  });

  it('returns ENOEXEC for a blob no handler claims, leaving the task as it was', () => {
    const { k, task } = boot(engine, PROFILE_4_18);
    const inode = new TmpfsFile(k.rootSb, 0o777);
    inode.writeAt(new Uint8Array([1, 2, 3, 4, 5]), 0);
    expect(do_execve_file(k, task, new File(inode, 0, FMODE_READ, ''), null, null)).to.equal(-ENOEXEC);
    expect(task.mm).to.equal(null);
    expect(task.cpu).to.equal(null);
  });
});

describeEachEngine('the binfmt handler list', (engine) => {
  it('is misc, script, elf after boot (misc inserted at the head)', () => {
    const { k } = boot(engine, PROFILE_4_18);
    expect(formats(k).map((f) => f.name)).to.deep.equal(['binfmt_misc', 'binfmt_script', 'binfmt_elf']);
  });

  it('gives ENOENT when the list is empty', () => {
    const { k, task } = boot(engine, PROFILE_4_18);
    formats(k).length = 0;
    installFile(k, '/bin/prog', argvProg, 0o755);
    expect(kernel_execve(k, task, '/bin/prog', [], [])).to.equal(-ENOENT);
  });

  it('asks request_module("binfmt-XXXX") once for an unclaimed binary file, then retries', () => {
    const { k, task } = boot(engine, PROFILE_4_18);
    const asked: string[] = [];
    let loaded = false;
    const mine: LinuxBinfmt = {
      name: 'test_fmt', module: 'binfmt_test', load_shlib: null, core_dump: null, min_coredump: 0,
      load_binary: (bprm: LinuxBinprm) => (bprm.buf[0] === 0xaa ? -ELOOP /* a recognisable result */ : -ENOEXEC),
    };
    set_request_module(k, (_k, name) => { asked.push(name); if (!loaded) { loaded = true; register_binfmt(k, mine); return 0; } return -ENOENT; });
    installFile(k, '/bin/blob', new Uint8Array([0xaa, 0xbb, 0x34, 0x12]), 0o755);
    expect(kernel_execve(k, task, '/bin/blob', [latin1Bytes('/bin/blob')], [])).to.equal(-ELOOP);
    expect(asked).to.deep.equal(['binfmt-1234']);
  });

  it('does not ask for a module when the first four bytes are printable', () => {
    const { k, task } = boot(engine, PROFILE_4_18);
    const asked: string[] = [];
    set_request_module(k, (_k, name) => { asked.push(name); return -ENOENT; });
    installFile(k, '/bin/text', latin1Bytes('text file\n'), 0o755);
    expect(kernel_execve(k, task, '/bin/text', [], [])).to.equal(-ENOEXEC);
    expect(asked).to.deep.equal([]);
  });

  it('stops at the first handler that returns anything but ENOEXEC', () => {
    const { k, task } = boot(engine, PROFILE_4_18);
    const seen: string[] = [];
    const fmt = (name: string, r: number): LinuxBinfmt => ({
      name, module: null, load_shlib: null, core_dump: null, min_coredump: 0,
      load_binary: () => { seen.push(name); return r; },
    });
    insert_binfmt(k, fmt('third', -ENOENT));
    insert_binfmt(k, fmt('second', -ENOEXEC));
    insert_binfmt(k, fmt('first', -ENOEXEC));
    installFile(k, '/bin/x', argvProg, 0o755);
    expect(kernel_execve(k, task, '/bin/x', [], [])).to.equal(-ENOENT);
    expect(seen).to.deep.equal(['first', 'second', 'third']);
  });
});

describeEachEngine('binfmt_script under the 4.18 profile', (engine) => {
  it('execs a #! interpreter path cut at the 128-byte buffer as it is', () => {
    const { k, task } = boot(engine, PROFILE_4_18);
    const long = '/' + 'd'.repeat(200);
    installFile(k, '/bin/s', latin1Bytes(`#!${long}\n`), 0o755);
    // The cut name (125 bytes after "#!" and the forced NUL) exists: 4.18 runs it.
    installFile(k, long.slice(0, 125), argvProg, 0o755);
    expect(kernel_execve(k, task, '/bin/s', [latin1Bytes('/bin/s')], [])).to.equal(0);
  });

  it('refuses the same script under 6.18 (ENOEXEC: the path was cut)', () => {
    const { k, task } = boot(engine, PROFILE_6_18);
    const long = '/' + 'd'.repeat(300);
    installFile(k, '/bin/s', latin1Bytes(`#!${long}\n`), 0o755);
    expect(kernel_execve(k, task, '/bin/s', [latin1Bytes('/bin/s')], [])).to.equal(-ENOEXEC);
  });

  it('allows five nested scripts and gives ELOOP at six', () => {
    const { k, task } = boot(engine, PROFILE_4_18);
    installFile(k, '/bin/elf', argvProg, 0o755);
    let prev = '/bin/elf';
    for (let i = 1; i <= 6; i++) {
      installFile(k, `/bin/s${i}`, latin1Bytes(`#!${prev}\n`), 0o755);
      prev = `/bin/s${i}`;
    }
    const t2 = k.createTask();
    expect(kernel_execve(k, t2, '/bin/s5', [], [])).to.equal(0);
    expect(kernel_execve(k, task, '/bin/s6', [], [])).to.equal(-ELOOP);
  });
});
