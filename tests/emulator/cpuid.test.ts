/**
 * Both engines report the one CPU model of emulator/cpuid.ts, and it is
 * enough for glibc: Debian 12's libc.so.6 refuses to start ("CPU ISA level
 * is lower than required") unless CPUID shows glibc 2.36's x86-64-baseline
 * (sysdeps/x86/get-isa-level.h: CMOV, CX8, FPU, FXSR, MMX, SSE, SSE2).
 * Unicorn 2.0's own CPUID lacks FPU and MMX; interp once lacked MMX.
 */

import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { bootKernel, spawnHostProgram } from '../../cli/boot.js';
import { cpuidLeaf } from '../../emulator/cpuid.js';
import { PROT_EXEC, PROT_READ } from '../../emulator/engine.js';
import { RAX, RBX, RCX, RDX, RIP } from '../../emulator/regs.js';
import { shellStatus } from '../../kernel/task.js';
import { kill_all_tasks } from '../../kernel/exit.js';
import { describeEachEngine } from '../helpers/engines.js';

const FPU = 1 << 0, CX8 = 1 << 8, CMOV = 1 << 15, MMX = 1 << 23, FXSR = 1 << 24, SSE = 1 << 25, SSE2 = 1 << 26;
const BASELINE = (FPU | CX8 | CMOV | MMX | FXSR | SSE | SSE2) >>> 0;
const LEAVES: [number, number][] = [[0, 0], [1, 0], [2, 0], [4, 0], [4, 1], [4, 2], [4, 3], [4, 4], [7, 0], [0xd, 0],
  [0x80000000, 0], [0x80000001, 0], [0x80000002, 0], [0x80000003, 0], [0x80000004, 0], [0x80000006, 0], [0x80000008, 0]];

/** A dynamically linked program of this machine's glibc (Debian 12 in CI). */
const SORT = '/usr/bin/sort';

describeEachEngine('CPUID', (engine) => {
  it('every leaf reads as emulator/cpuid.ts says, and CPUID.1:EDX is the hwcap (AT_HWCAP)', () => {
    const cpu = engine.createCpu();
    try {
      const code = new Uint8Array(4096);
      code.set([0x0f, 0xa2]); // cpuid
      cpu.map(0x400000n, 4096, PROT_READ | PROT_EXEC, code);
      for (const [leaf, sub] of LEAVES) {
        cpu.setReg(RAX, BigInt(leaf)); cpu.setReg(RCX, BigInt(sub)); cpu.setReg(RIP, 0x400000n);
        expect(cpu.run({ instructions: 1, timeoutMs: 5000 }).kind).to.equal('budget');
        const got = [RAX, RBX, RCX, RDX].map((r) => Number(cpu.getReg(r)));
        expect(got, `leaf 0x${leaf.toString(16)}.${sub}`).to.deep.equal(cpuidLeaf(leaf, sub));
        expect(cpu.getReg(RIP)).to.equal(0x400002n);
      }
      expect(engine.hwcap).to.equal(cpuidLeaf(1, 0)[3]);
    } finally {
      cpu.dispose();
    }
  });

  it('CPUID.1:EDX has glibc\'s x86-64-baseline', () => {
    expect((cpuidLeaf(1, 0)[3] & BASELINE) >>> 0).to.equal(BASELINE);
  });

  it(`${SORT} --version (dynamically linked against Debian's glibc) prints what it prints natively`, async function () {
    this.timeout(60_000);
    if (!existsSync(SORT)) this.skip();
    const k = bootKernel({ engine, root: '/' });
    k.log = () => {};
    const out: Buffer[] = [], err: Buffer[] = [];
    const r = spawnHostProgram(k, {
      prog: SORT, argv: [SORT, '--version'], env: ['LC_ALL=C'], cwd: '/',
      stdio: { stdin: { source: new Uint8Array(0) }, stdout: { sink: (b) => out.push(Buffer.from(b)) }, stderr: { sink: (b) => err.push(Buffer.from(b)) } },
    });
    expect(r).not.to.have.property('errno');
    if ('errno' in r) return;
    const status = shellStatus(await k.waitForExit(r.task));
    await kill_all_tasks(k);
    expect(Buffer.concat(err).toString(), 'stderr').to.equal('');
    expect(status).to.equal(0);
    expect(Buffer.concat(out).toString()).to.equal(execFileSync(SORT, ['--version'], { env: { LC_ALL: 'C' }, encoding: 'utf8' }));
  });
});
