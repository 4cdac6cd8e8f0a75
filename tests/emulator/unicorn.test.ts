/**
 * The unicorn engine against small hand-assembled programs (GNU as, Intel
 * syntax; the listing is above each hex string). Skipped where
 * libunicorn.so.2 or koffi is missing.
 */

import { expect } from 'chai';
import type { Cpu, CpuExit, Engine } from '../../emulator/engine.js';
import { PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../emulator/engine.js';
import {
  FS_BASE, FXSAVE_FCW, FXSAVE_FSW, FXSAVE_FTW, FXSAVE_MXCSR, FXSAVE_ST0, FXSAVE_XMM0,
  R11, RAX, RBX, RCX, RDI, RDX, RFLAGS, RIP, RSI, RSP, initialCpuState,
} from '../../emulator/regs.js';
import { loadUnicornEngine, unicornAvailable } from '../../emulator/unicorn/index.js';

const CODE = 0x400000n;
const DATA = 0x600000n;
const STACK = 0x7ff000n;
const RX = PROT_READ | PROT_EXEC;
const RW = PROT_READ | PROT_WRITE;
const BUDGET = { instructions: 1_000_000, timeoutMs: 2000 };

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

describe('emulator/unicorn', function () {
  let engine: Engine;
  const cpus: Cpu[] = [];

  before(function () {
    if (!unicornAvailable()) {
      console.log('    (libunicorn.so.2 not present: apt-get install libunicorn2)');
      this.skip();
    }
    engine = loadUnicornEngine();
  });

  afterEach(() => {
    for (const c of cpus.splice(0)) c.dispose();
  });

  /** A CPU with `code` at CODE (r-x), a data page (rw-) and a stack page (rw-). */
  function setup(code: string) {
    const cpu = engine.createCpu();
    cpus.push(cpu);
    const text = new Uint8Array(PAGE_SIZE);
    text.set(hex(code));
    const data = new Uint8Array(PAGE_SIZE);
    const stack = new Uint8Array(PAGE_SIZE);
    cpu.map(CODE, PAGE_SIZE, RX, text);
    cpu.map(DATA, PAGE_SIZE, RW, data);
    cpu.map(STACK, PAGE_SIZE, RW, stack);
    cpu.setReg(RIP, CODE);
    cpu.setReg(RSP, STACK + BigInt(PAGE_SIZE) - 0x100n);
    cpu.setReg(RSI, DATA);
    return { cpu, text, data, stack };
  }

  const run = (cpu: Cpu): CpuExit => cpu.run(BUDGET);

  it('starts with zero registers, RFLAGS 0x202, MXCSR 0x1f80, FCW 0x37f', () => {
    const cpu = engine.createCpu();
    cpus.push(cpu);
    const s = cpu.getState();
    expect(Array.from(s.regs).map(Number)).to.deep.equal(Array.from(initialCpuState().regs).map(Number));
    const v = new DataView(s.fxsave.buffer);
    expect(v.getUint32(FXSAVE_MXCSR, true)).to.equal(0x1f80);
    expect(v.getUint16(FXSAVE_FCW, true)).to.equal(0x37f);
  });

  it('stops at syscall with RIP past it, RCX = RIP, R11 = RFLAGS, and resumes', () => {
    //    0: mov eax,0x27 / 5: mov edi,0x7 / a: syscall / c: mov rbx,rax / f: mov eax,0x3c / 14: syscall
    const { cpu } = setup('b827000000bf070000000f054889c3b83c0000000f05');
    expect(run(cpu)).to.deep.equal({ kind: 'syscall' });
    expect(cpu.getReg(RAX)).to.equal(39n);
    expect(cpu.getReg(RDI)).to.equal(7n);
    expect(cpu.getReg(RIP)).to.equal(CODE + 0xcn);
    expect(cpu.getReg(RCX)).to.equal(CODE + 0xcn);
    expect(cpu.getReg(R11)).to.equal(cpu.getReg(RFLAGS));
    expect(cpu.getReg(RFLAGS) & 0x202n).to.equal(0x202n);
    cpu.setReg(RAX, 1234n); // the kernel's return value
    expect(run(cpu).kind).to.equal('syscall');
    expect(cpu.getReg(RBX)).to.equal(1234n);
    expect(cpu.getReg(RAX)).to.equal(60n);
    expect(cpu.getReg(RIP)).to.equal(CODE + 0x16n);
  });

  it('shares guest memory with the host buffer both ways', () => {
    //    0: mov rax,[rsi] / 3: mov qword [rsi+0x8],0x1234 / b: syscall
    const { cpu, data } = setup('488b0648c74608341200000f05');
    new DataView(data.buffer).setBigUint64(0, 0x1122334455667788n, true);
    expect(run(cpu).kind).to.equal('syscall');
    expect(cpu.getReg(RAX)).to.equal(0x1122334455667788n);
    expect(new DataView(data.buffer).getBigUint64(8, true)).to.equal(0x1234n);
  });

  it('faults on an unmapped read with the address, at the faulting instruction', () => {
    //    0: inc rbx / 3: mov rax,[0x10000] / b: inc rbx
    const { cpu } = setup('48ffc3488b04250000010048ffc3');
    expect(run(cpu)).to.deep.equal({ kind: 'fault', addr: 0x10000n, access: 'read', mapped: false });
    expect(cpu.getReg(RIP)).to.equal(CODE + 3n);
    expect(cpu.getReg(RBX)).to.equal(1n);
  });

  it('faults on a write to a read-only page with mapped = true', () => {
    //    0: inc rbx / 3: mov qword [rsi],0x1 / a: inc rbx / d: syscall
    const { cpu, data } = setup('48ffc348c7060100000048ffc30f05');
    cpu.protect(DATA, PAGE_SIZE, PROT_READ);
    expect(run(cpu)).to.deep.equal({ kind: 'fault', addr: DATA, access: 'write', mapped: true });
    expect(cpu.getReg(RIP)).to.equal(CODE + 3n);
    expect(data[0]).to.equal(0);
    cpu.protect(DATA, PAGE_SIZE, RW); // protect() back: the store now succeeds
    expect(run(cpu).kind).to.equal('syscall');
    expect(data[0]).to.equal(1);
    expect(cpu.getReg(RBX)).to.equal(2n);
  });

  it('stops running code whose page lost PROT_EXEC', () => {
    //    0: mov eax,0x1 / 5: syscall
    const { cpu } = setup('b8010000000f05');
    expect(run(cpu).kind).to.equal('syscall');
    cpu.protect(CODE, PAGE_SIZE, PROT_READ);
    cpu.setReg(RIP, CODE);
    expect(run(cpu)).to.deep.equal({ kind: 'fault', addr: CODE, access: 'exec', mapped: true });
  });

  it('unmap() removes memory, and code mapped anew runs instead of stale translations', () => {
    //    0: mov eax,0x1 / 5: syscall
    const { cpu } = setup('b8010000000f05');
    expect(run(cpu).kind).to.equal('syscall');
    cpu.unmap(CODE, PAGE_SIZE);
    cpu.setReg(RIP, CODE);
    expect(run(cpu)).to.deep.equal({ kind: 'fault', addr: CODE, access: 'exec', mapped: false });
    const other = new Uint8Array(PAGE_SIZE);
    other.set(hex('b8020000000f05')); // 0: mov eax,0x2 / 5: syscall
    cpu.map(CODE, PAGE_SIZE, RX, other);
    cpu.setReg(RIP, CODE);
    expect(run(cpu).kind).to.equal('syscall');
    expect(cpu.getReg(RAX)).to.equal(2n);
  });

  it('invalidate() makes a host write to code visible', () => {
    const { cpu, text } = setup('b8010000000f05'); // mov eax,0x1 / syscall
    expect(run(cpu).kind).to.equal('syscall');
    text.set(hex('b8020000000f05')); // mov eax,0x2 / syscall
    cpu.invalidate(CODE, 7);
    cpu.setReg(RIP, CODE);
    expect(run(cpu).kind).to.equal('syscall');
    expect(cpu.getReg(RAX)).to.equal(2n);
  });

  it('unmaps and protects parts of a mapping', () => {
    const { cpu } = setup('488b0648c74608341200000f05'); // mov rax,[rsi] / mov [rsi+8],0x1234 / syscall
    const big = new Uint8Array(4 * PAGE_SIZE);
    cpu.map(0x700000n, 4 * PAGE_SIZE, RW, big);
    cpu.protect(0x701000n, PAGE_SIZE, PROT_READ);
    cpu.unmap(0x702000n, PAGE_SIZE);
    const at = (addr: bigint) => { cpu.setReg(RIP, CODE); cpu.setReg(RSI, addr); return run(cpu); };
    expect(at(0x700000n).kind).to.equal('syscall');
    expect(big[8]).to.equal(0x34);
    expect(at(0x701000n)).to.deep.equal({ kind: 'fault', addr: 0x701008n, access: 'write', mapped: true });
    expect(at(0x702000n)).to.deep.equal({ kind: 'fault', addr: 0x702000n, access: 'read', mapped: false });
    expect(at(0x703000n).kind).to.equal('syscall');
    expect(big[3 * PAGE_SIZE + 8]).to.equal(0x34);
    expect(() => cpu.unmap(0x700000n, 4 * PAGE_SIZE)).to.throw(/not entirely mapped/);
  });

  it('reports ud2 as ud, at the instruction', () => {
    const { cpu } = setup('900f0b'); // 0: nop / 1: ud2
    expect(run(cpu)).to.deep.equal({ kind: 'ud' });
    expect(cpu.getReg(RIP)).to.equal(CODE + 1n);
  });

  it('reports divide by zero as de, again and again (no #DF)', () => {
    const { cpu } = setup('31c948f7f1'); // 0: xor ecx,ecx / 2: div rcx
    for (let i = 0; i < 3; i++) {
      cpu.setReg(RIP, CODE);
      expect(run(cpu)).to.deep.equal({ kind: 'de' });
      expect(cpu.getReg(RIP)).to.equal(CODE + 2n);
    }
  });

  it('runs the guest at CPL 3: cli is gp, hlt is hlt, int 0x80 is gp at the instruction', () => {
    const cli = setup('90fa').cpu; // 0: nop / 1: cli
    expect(run(cli)).to.deep.equal({ kind: 'gp' });
    expect(cli.getReg(RIP)).to.equal(CODE + 1n);
    const hlt = setup('90f4').cpu; // 0: nop / 1: hlt
    expect(run(hlt)).to.deep.equal({ kind: 'hlt' });
    expect(hlt.getReg(RIP)).to.equal(CODE + 1n);
    const int80 = setup('90cd80').cpu; // 0: nop / 1: int 0x80
    expect(run(int80)).to.deep.equal({ kind: 'gp' });
    expect(int80.getReg(RIP)).to.equal(CODE + 1n);
  });

  it('reports int3 with RIP past it, and a non-canonical access as gp', () => {
    const { cpu } = setup('90cc90'); // 0: nop / 1: int3 / 2: nop
    expect(run(cpu)).to.deep.equal({ kind: 'int3' });
    expect(cpu.getReg(RIP)).to.equal(CODE + 2n);
    // 0: movabs rax,0x8000000000000000 / a: mov rbx,[rax]
    const nc = setup('48b80000000000000080488b18').cpu;
    expect(run(nc)).to.deep.equal({ kind: 'gp' });
  });

  it('reads through FS_BASE', () => {
    // 0: mov rax,fs:[0] / 9: mov rbx,fs:[8] / 12: syscall
    const { cpu, data } = setup('64488b04250000000064488b1c25080000000f05');
    new DataView(data.buffer).setBigUint64(0x10, 0xfeedn, true);
    new DataView(data.buffer).setBigUint64(0x18, 0xbeefn, true);
    cpu.setReg(FS_BASE, DATA + 0x10n);
    expect(run(cpu).kind).to.equal('syscall');
    expect(cpu.getReg(RAX)).to.equal(0xfeedn);
    expect(cpu.getReg(RBX)).to.equal(0xbeefn);
    expect(cpu.getReg(FS_BASE)).to.equal(DATA + 0x10n);
  });

  it('runs SSE from the start and round-trips XMM registers through get/setState', () => {
    // 0: movaps xmm2,[rsp] / 4: paddq xmm0,xmm1 / 8: pxor xmm3,xmm3 / c: mov eax,0x1 / 11: cpuid / 13: syscall
    const { cpu } = setup('0f281424660fd4c1660fefdbb8010000000fa20f05');
    const s = cpu.getState();
    const v = new DataView(s.fxsave.buffer);
    for (let i = 0; i < 16; i++) {
      v.setBigUint64(FXSAVE_XMM0 + 16 * i, BigInt(i + 1), true);
      v.setBigUint64(FXSAVE_XMM0 + 16 * i + 8, BigInt(i + 1) << 32n, true);
    }
    cpu.setState(s);
    expect(run(cpu).kind).to.equal('syscall');
    const after = new DataView(cpu.getState().fxsave.buffer);
    expect(after.getBigUint64(FXSAVE_XMM0, true)).to.equal(3n); // 1 + 2
    expect(after.getBigUint64(FXSAVE_XMM0 + 8, true)).to.equal(3n << 32n);
    expect(after.getBigUint64(FXSAVE_XMM0 + 48, true)).to.equal(0n); // pxor
    for (let i = 4; i < 16; i++) expect(after.getBigUint64(FXSAVE_XMM0 + 16 * i, true)).to.equal(BigInt(i + 1));
    expect(Number(cpu.getReg(RDX) & (1n << 26n))).to.not.equal(0); // CPUID.1:EDX.SSE2
  });

  it('round-trips the x87 state through the FXSAVE image', () => {
    const { cpu } = setup('d9e8d9eb0f05'); // 0: fld1 / 2: fldpi / 4: syscall
    expect(run(cpu).kind).to.equal('syscall');
    const s = cpu.getState();
    const v = new DataView(s.fxsave.buffer);
    expect((v.getUint16(FXSAVE_FSW, true) >> 11) & 7).to.equal(6); // TOP after two pushes
    expect(v.getUint8(FXSAVE_FTW)).to.equal(0xc0); // physical registers 6 and 7 in use
    expect(v.getBigUint64(FXSAVE_ST0, true)).to.equal(0xc90fdaa22168c235n); // pi's significand
    expect(v.getUint16(FXSAVE_ST0 + 8, true)).to.equal(0x4000);
    expect(v.getBigUint64(FXSAVE_ST0 + 16, true)).to.equal(0x8000000000000000n); // 1.0
    const other = setup('90').cpu;
    other.setState(s);
    expect(Buffer.from(other.getState().fxsave).equals(Buffer.from(s.fxsave))).to.equal(true);
  });

  it('returns budget from an endless loop once its instruction budget is spent', () => {
    const { cpu } = setup('ebfe'); // 0: jmp 0
    expect(cpu.run({ instructions: 1000, timeoutMs: 50 })).to.deep.equal({ kind: 'budget' });
    expect(cpu.getReg(RIP)).to.equal(CODE);
    expect(cpu.run({ instructions: 10, timeoutMs: 20 }).kind).to.equal('budget');
  });


  it('lets CPUs over the same host pages see each other', () => {
    const a = setup('48ffc348c7060100000048ffc30f05'); // inc rbx / mov qword [rsi],1 / inc rbx / syscall
    const b = setup('488b0648c74608341200000f05'); // mov rax,[rsi] / mov [rsi+8],0x1234 / syscall
    b.cpu.unmap(DATA, PAGE_SIZE);
    b.cpu.map(DATA, PAGE_SIZE, RW, a.data);
    expect(run(a.cpu).kind).to.equal('syscall');
    expect(run(b.cpu).kind).to.equal('syscall');
    expect(b.cpu.getReg(RAX)).to.equal(1n);
  });

  it('rejects kernel bugs: bad ranges, overlaps, wrong buffer sizes, use after dispose', () => {
    const { cpu } = setup('90');
    expect(() => cpu.map(0x900001n, PAGE_SIZE, RW, new Uint8Array(PAGE_SIZE))).to.throw(/page-aligned/);
    expect(() => cpu.map(0x900000n, 100, RW, new Uint8Array(100))).to.throw(/page-aligned/);
    expect(() => cpu.map(0x900000n, PAGE_SIZE, RW, new Uint8Array(8))).to.throw(/exactly/);
    expect(() => cpu.map(DATA, PAGE_SIZE, RW, new Uint8Array(PAGE_SIZE))).to.throw(/overlaps/);
    expect(() => cpu.unmap(0x900000n, PAGE_SIZE)).to.throw(/not entirely mapped/);
    expect(() => cpu.protect(0x900000n, PAGE_SIZE, RW)).to.throw(/not entirely mapped/);
    expect(() => cpu.getReg(20)).to.throw(/register/);
    const gone = engine.createCpu();
    gone.dispose();
    gone.dispose(); // idempotent
    expect(() => gone.run(BUDGET)).to.throw(/dispose/);
    expect(() => gone.getReg(RAX)).to.throw(/dispose/);
    expect(() => gone.map(CODE, PAGE_SIZE, RX, new Uint8Array(PAGE_SIZE))).to.throw(/dispose/);
  });
});



describe('emulator/unicorn under load', function () {
  before(function () {
    if (!unicornAvailable()) this.skip();
  });

  it('keeps a syscall loop exact with 8 guests running at once', async function () {
    this.timeout(120_000);
    // A guest killed by SIGSEGV here means a stopped run lost register writes (see README, time budget).
    const { spawn } = await import('node:child_process');
    const path = await import('node:path');
    const { REPO_ROOT } = await import('../helpers/paths.js');
    const kemu = path.join(REPO_ROOT, 'dist/cli/kemu.js');
    const prog = path.join(REPO_ROOT, 'bench/programs/getpid');
    const runs = Array.from({ length: 8 }, () => new Promise<number | null>((resolve) => {
      const c = spawn(process.execPath, [kemu, 'run', '--engine', 'unicorn', prog, '20000'], { stdio: 'ignore' });
      c.on('exit', (code) => resolve(code));
    }));
    expect(await Promise.all(runs)).to.deep.equal(Array(8).fill(0));
  });
});
