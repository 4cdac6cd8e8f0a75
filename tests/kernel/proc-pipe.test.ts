/**
 * Pipes (kernel/pipe/): the ring of pages as Linux fs/pipe.c keeps it, and
 * the host side of a pipe (kernel_read / kernel_write) that a kernel
 * module uses to talk to a guest, under every engine. The guest-visible
 * behaviour against real Linux is the proc-pipe fixture.
 */

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EAGAIN, EBUSY, EINVAL, EPIPE } from '../../abi/errno.js';
import { kernel_execve } from '../../binfmt/exec.js';
import { bootKernel, installFile, toGuest } from '../../cli/boot.js';
import { kill_all_tasks } from '../../kernel/exit.js';
import { fput, get_file, type File } from '../../kernel/fs/file.js';
import { HostStreamFile } from '../../kernel/fs/hoststream.js';
import { kernel_read, kernel_write } from '../../kernel/pipe/kernel_io.js';
import { create_pipe_files, PipeInodeInfo, round_pipe_size } from '../../kernel/pipe/pipe.js';
import { PROFILE_6_18 } from '../../kernel/profile.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Engine } from '../../emulator/engine.js';
import { describeEachEngine, ENGINES } from '../helpers/engines.js';
import { REPO_ROOT } from '../helpers/paths.js';

const anyEngine = (): Engine => ENGINES.find((e) => e.engine)!.engine!;
const bytes = (n: number, v = 0x61): Uint8Array => new Uint8Array(n).fill(v);

describe('kernel/pipe: the ring of pages (Linux fs/pipe.c)', () => {
  let pipe: PipeInodeInfo;
  beforeEach(() => {
    pipe = new PipeInodeInfo(bootKernel({ engine: anyEngine() }));
    pipe.readers = 1;
    pipe.writers = 1;
  });

  it('holds 65536 one-byte writes: small writes share a page', () => {
    let n = 0;
    while (pipe.writeSome(bytes(1), false, false) === 1) n++;
    expect(n, 'writes').to.equal(65536);
    expect(pipe.writeSome(bytes(1), false, false)).to.equal(-EAGAIN);
  });

  it('puts a write in a new page when it does not fit the last one (640 writes of 100 bytes)', () => {
    let n = 0;
    while (pipe.writeSome(bytes(100), false, false) === 100) n++;
    expect(n).to.equal(16 * 40);
  });

  it('never splits a write of up to PIPE_BUF: all or EAGAIN', () => {
    for (let i = 0; i < 15; i++) pipe.writeSome(bytes(4096), false, false);
    pipe.writeSome(bytes(4095), false, false);
    expect(pipe.writeSome(bytes(4096), false, false), 'one page left, partly used').to.equal(-EAGAIN);
    expect(pipe.writeSome(bytes(1), false, false), 'the byte that still fits').to.equal(1);
  });

  it('writes what fits of a big write, page by page', () => {
    expect(pipe.writeSome(bytes(100000), false, false)).to.equal(65536);
  });

  it('reads across pages, then EAGAIN while writers remain, then 0 at EOF', () => {
    pipe.writeSome(bytes(5000, 1), false, false);
    pipe.writeSome(bytes(3000, 2), false, false);
    const buf = new Uint8Array(10000);
    expect(pipe.readSome(buf)).to.equal(8000);
    expect(buf[4999]).to.equal(1);
    expect(buf[5000]).to.equal(2);
    expect(pipe.readSome(buf)).to.equal(-EAGAIN);
    pipe.writers = 0;
    expect(pipe.readSome(buf)).to.equal(0);
  });

  it('keeps packets whole in O_DIRECT mode: a short read drops the rest of the packet', () => {
    pipe.writeSome(bytes(10, 1), false, true);
    pipe.writeSome(bytes(10, 2), false, true);
    const buf = new Uint8Array(4);
    expect(pipe.readSome(buf)).to.equal(4);
    expect(pipe.readSome(new Uint8Array(100))).to.equal(10);
  });

  it('gives EPIPE with no reader', () => {
    pipe.readers = 0;
    expect(pipe.writeSome(bytes(1), false, false)).to.equal(-EPIPE);
  });

  it('resizes as F_SETPIPE_SZ: powers of two of pages, EBUSY below what it holds', () => {
    expect(round_pipe_size(1)).to.equal(4096);
    expect(round_pipe_size(100000)).to.equal(131072);
    expect(round_pipe_size(2 ** 31 + 1)).to.equal(0);
    expect(pipe.set_size(0x8000_0001, true)).to.equal(-EINVAL);
    expect(pipe.set_size(100000, true)).to.equal(131072);
    for (let i = 0; i < 8; i++) pipe.writeSome(bytes(4096), false, false);
    expect(pipe.set_size(4096, true)).to.equal(-EBUSY);
  });
});

/**
 * Start `prog` as a kernel-made task with fd 0, 1 and 2 as given (as
 * fork_usermode_blob wires a helper); the task takes the caller's
 * reference to each file.
 */
function spawnWithFds(k: Kernel, prog: string, fds: [File, File, File]): void {
  const host = path.join(REPO_ROOT, prog);
  installFile(k, toGuest(host), fs.readFileSync(host), 0o755);
  const t = k.createTask();
  fds.forEach((f, i) => t.files.install(fds.indexOf(f) < i ? get_file(f) : f));
  const r = kernel_execve(k, t, toGuest(host), [Buffer.from(host)], []);
  expect(r, 'exec').to.equal(0);
  k.wake_up_new_task(t);
}

describeEachEngine('kernel/pipe: host code talks to a guest through pipes', (engine) => {
  it('kernel_write feeds a guest filter and kernel_read collects its output to EOF', async () => {
    const k = bootKernel({ engine, profile: PROFILE_6_18 });
    const [inR, inW] = create_pipe_files(k, 0);
    const [outR, outW] = create_pipe_files(k, 0);
    const err = new HostStreamFile(k.rootSb, 2, { sink: () => {} });
    spawnWithFds(k, 'fixtures/musl-stdin/musl-stdin', [inR, outW, err]);
    expect(await kernel_write(k, inW, Buffer.from('hello pipes'))).to.equal(11);
    fput(inW); // the guest's stdin reaches EOF
    const chunks: Buffer[] = [];
    for (;;) {
      const buf = new Uint8Array(7);
      const n = await kernel_read(k, outR, buf);
      expect(n).to.be.at.least(0);
      if (n === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    expect(Buffer.concat(chunks).toString()).to.equal('stdin: 11 bytes\nHELLO PIPES-- end\n');
    await kill_all_tasks(k);
    expect(k.tasks.size, 'tasks left').to.equal(0);
  });

  it('kernel_read waits without blocking the event loop: a host timer fires meanwhile', async () => {
    const k = bootKernel({ engine, profile: PROFILE_6_18 });
    const [inR, inW] = create_pipe_files(k, 0);
    const [outR, outW] = create_pipe_files(k, 0);
    spawnWithFds(k, 'fixtures/musl-stdin/musl-stdin', [inR, outW, new HostStreamFile(k.rootSb, 2, { sink: () => {} })]);
    const buf = new Uint8Array(100);
    const read = kernel_read(k, outR, buf);
    const first = await Promise.race([read.then(() => 'read'), new Promise((r) => setTimeout(() => r('timer'), 50))]);
    expect(first, 'what came first').to.equal('timer');
    fput(inW); // the guest's stdin reaches EOF; it prints and exits
    const n = await read;
    expect(Buffer.from(buf.subarray(0, n)).toString()).to.match(/^stdin: 0 bytes/);
    await kill_all_tasks(k);
  });

  it('kernel_write to a pipe whose guest reader died gets EPIPE (and no signal goes anywhere)', async () => {
    const k = bootKernel({ engine, profile: PROFILE_6_18 });
    const [inR, inW] = create_pipe_files(k, 0);
    const [, outW] = create_pipe_files(k, 0);
    spawnWithFds(k, 'fixtures/asm-hello/asm-hello', [inR, outW, outW]);
    await k.run(); // asm-hello never reads: it exits, closing its read end
    expect(await kernel_write(k, inW, bytes(10))).to.equal(-EPIPE);
  });
});
