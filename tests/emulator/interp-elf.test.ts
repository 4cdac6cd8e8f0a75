/**
 * End to end without the kernel: a test-only loader maps a static non-PIE
 * ELF's PT_LOAD segments on an interp CPU, builds the initial stack (argc,
 * argv, envp, auxv) and answers the handful of syscalls a static libc hello
 * makes, inline. Proves the interpreter runs real musl and glibc start-up,
 * stdio and exit.
 */

import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { PROT_EXEC, PROT_READ, PROT_WRITE } from '../../emulator/engine.js';
import type { Cpu } from '../../emulator/engine.js';
import { createInterpEngine } from '../../emulator/interp/index.js';
import { lockstep } from '../../emulator/interp/lockstep.js';
import type { LockstepSide } from '../../emulator/interp/lockstep.js';
import { FS_BASE, R10, R8, R9, RAX, RDI, RDX, RIP, RSI, RSP } from '../../emulator/regs.js';

const PAGE = 4096;
const STACK_TOP = 0x7ffffff00000;
const STACK_SIZE = 256 * 1024;
const MMAP_BASE = 0x7f0000000000;

interface Guest {
  cpu: Cpu;
  stdin: Uint8Array;
  stdinPos: number;
  /** Set when the guest was killed by a signal (kill/tkill/tgkill to itself). */
  signal: number;
  /** How run() stopped when it was not a syscall (for failure messages). */
  stop: string;
  pages: Map<number, Uint8Array>;
  stdout: string;
  exitCode: number | null;
  brk: number;
  mmapNext: number;
  syscalls: number[];
}

function mapPages(g: Guest, addr: number, len: number, prot: number): void {
  const buf = new Uint8Array(len);
  g.cpu.map(BigInt(addr), len, prot, buf);
  for (let o = 0; o < len; o += PAGE) g.pages.set((addr + o) / PAGE, buf.subarray(o, o + PAGE));
}

function poke(g: Guest, addr: number, bytes: Uint8Array): void {
  for (let k = 0; k < bytes.length; k++) {
    const a = addr + k;
    g.pages.get(Math.floor(a / PAGE))![a % PAGE] = bytes[k]!;
  }
}

function peek(g: Guest, addr: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let k = 0; k < len; k++) {
    const a = addr + k;
    out[k] = g.pages.get(Math.floor(a / PAGE))![a % PAGE]!;
  }
  return out;
}

/** Map the PT_LOAD segments of a static ELF64; returns entry, phdr address, phnum, end of the image. */
function loadElf(g: Guest, file: Uint8Array): { entry: number; phdr: number; phnum: number; end: number } {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const entry = Number(v.getBigUint64(24, true));
  const phoff = Number(v.getBigUint64(32, true));
  const phentsize = v.getUint16(54, true), phnum = v.getUint16(56, true);
  // Union of protections per page, then map, then copy.
  const prots = new Map<number, number>();
  const segs: { vaddr: number; off: number; filesz: number; memsz: number }[] = [];
  let phdr = 0, end = 0, firstLoad = -1;
  for (let k = 0; k < phnum; k++) {
    const o = phoff + k * phentsize;
    const type = v.getUint32(o, true), flags = v.getUint32(o + 4, true);
    const off = Number(v.getBigUint64(o + 8, true)), vaddr = Number(v.getBigUint64(o + 16, true));
    const filesz = Number(v.getBigUint64(o + 32, true)), memsz = Number(v.getBigUint64(o + 40, true));
    if (type === 6) phdr = vaddr; // PT_PHDR
    if (type !== 1) continue; // PT_LOAD
    if (firstLoad < 0) firstLoad = vaddr - off;
    const prot = (flags & 4 ? PROT_READ : 0) | (flags & 2 ? PROT_WRITE : 0) | (flags & 1 ? PROT_EXEC : 0);
    for (let p = Math.floor(vaddr / PAGE); p < Math.ceil((vaddr + memsz) / PAGE); p++) prots.set(p, (prots.get(p) ?? 0) | prot);
    segs.push({ vaddr, off, filesz, memsz });
    end = Math.max(end, vaddr + memsz);
  }
  for (const [p, prot] of prots) mapPages(g, p * PAGE, PAGE, prot);
  for (const s of segs) poke(g, s.vaddr, file.subarray(s.off, s.off + s.filesz));
  if (phdr === 0) phdr = firstLoad + phoff;
  return { entry, phdr, phnum, end };
}

/** argc, argv, NULL, envp NULL, auxv (AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_ENTRY, AT_RANDOM, AT_NULL). */
function buildStack(g: Guest, argv: string[], envp: string[], img: { entry: number; phdr: number; phnum: number }): number {
  mapPages(g, STACK_TOP - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE);
  let sp = STACK_TOP;
  const strAddrs: number[] = [];
  const envAddrs: number[] = [];
  for (const [list, out] of [[argv, strAddrs], [envp, envAddrs]] as const) {
    for (const a of list) {
      const bytes = new TextEncoder().encode(a + '\0');
      sp -= bytes.length;
      poke(g, sp, bytes);
      out.push(sp);
    }
  }
  sp -= 16;
  const random = sp;
  poke(g, random, new Uint8Array(16).map((_, k) => k * 17 + 3));
  sp -= sp % 16;
  const auxv: [number, number][] = [[3, img.phdr], [4, 56], [5, img.phnum], [6, PAGE], [9, img.entry], [25, random], [0, 0]];
  const words: number[] = [argv.length, ...strAddrs, 0, ...envAddrs, 0];
  for (const [k, val] of auxv) words.push(k, val);
  if (words.length % 2) words.push(0);
  sp -= words.length * 8;
  const buf = new Uint8Array(words.length * 8);
  const dv = new DataView(buf.buffer);
  words.forEach((w, k) => dv.setBigUint64(k * 8, BigInt(w), true));
  poke(g, sp, buf);
  return sp;
}

const ENOSYS = -38, EBADF = -9, ENOTTY = -25;

/** Answer one syscall; returns false when the guest exited. */
function syscall(g: Guest): boolean {
  const cpu = g.cpu;
  const nr = Number(cpu.getReg(RAX));
  const a = [RDI, RSI, RDX, R10, R8, R9].map((r) => Number(BigInt.asIntN(64, cpu.getReg(r))));
  g.syscalls.push(nr);
  let ret: number;
  switch (nr) {
    case 0: { // read: fd 0 from the case's stdin
      if (a[0] !== 0) { ret = EBADF; break; }
      const n = Math.min(a[2]!, g.stdin.length - g.stdinPos);
      poke(g, a[1]!, g.stdin.subarray(g.stdinPos, g.stdinPos + n));
      g.stdinPos += n;
      ret = n;
      break;
    }
    case 19: { // readv: fd 0
      if (a[0] !== 0) { ret = EBADF; break; }
      const iov = new DataView(peek(g, a[1]!, a[2]! * 16).buffer);
      ret = 0;
      for (let k = 0; k < a[2]!; k++) {
        const base = Number(iov.getBigUint64(k * 16, true)), len = Number(iov.getBigUint64(k * 16 + 8, true));
        const n = Math.min(len, g.stdin.length - g.stdinPos);
        poke(g, base, g.stdin.subarray(g.stdinPos, g.stdinPos + n));
        g.stdinPos += n;
        ret += n;
        if (n < len) break;
      }
      break;
    }
    case 62: case 200: case 234: { // kill, tkill, tgkill: to ourselves; default action kills
      const sig = nr === 234 ? a[2]! : a[1]!;
      if (sig === 0) { ret = 0; break; }
      g.signal = sig;
      return false;
    }
    case 13: case 14: ret = 0; break; // rt_sigaction, rt_sigprocmask: accepted, nothing delivered
    case 1: // write
      if (a[0] !== 1 && a[0] !== 2) { ret = EBADF; break; }
      g.stdout += Buffer.from(peek(g, a[1]!, a[2]!)).toString('latin1');
      ret = a[2]!;
      break;
    case 20: { // writev
      if (a[0] !== 1 && a[0] !== 2) { ret = EBADF; break; }
      const iov = new DataView(peek(g, a[1]!, a[2]! * 16).buffer);
      ret = 0;
      for (let k = 0; k < a[2]!; k++) {
        const base = Number(iov.getBigUint64(k * 16, true)), len = Number(iov.getBigUint64(k * 16 + 8, true));
        g.stdout += Buffer.from(peek(g, base, len)).toString('latin1');
        ret += len;
      }
      break;
    }
    case 60: case 231: g.exitCode = a[0]! & 0xff; return false; // exit, exit_group
    case 12: ret = g.brk; break; // brk: never grows; libc falls back to mmap
    case 9: { // mmap: anonymous only
      if ((a[3]! & 0x20) === 0) { ret = ENOSYS; break; }
      const len = Math.ceil(a[1]! / PAGE) * PAGE;
      const addr = g.mmapNext;
      g.mmapNext += len + PAGE;
      mapPages(g, addr, len, a[2]!);
      ret = addr;
      break;
    }
    case 10: { // mprotect
      const len = Math.ceil(a[1]! / PAGE) * PAGE;
      for (let o = 0; o < len; o += PAGE) if (g.pages.has((a[0]! + o) / PAGE)) cpu.protect(BigInt(a[0]! + o), PAGE, a[2]!);
      ret = 0;
      break;
    }
    case 11: { // munmap
      const len = Math.ceil(a[1]! / PAGE) * PAGE;
      for (let o = 0; o < len; o += PAGE) {
        if (g.pages.delete((a[0]! + o) / PAGE)) cpu.unmap(BigInt(a[0]! + o), PAGE);
      }
      ret = 0;
      break;
    }
    case 25: ret = -12; break; // mremap: ENOMEM, so libc moves the block itself
    case 16: ret = ENOTTY; break; // ioctl
    case 158: // arch_prctl
      if (a[0] === 0x1002) { cpu.setReg(FS_BASE, BigInt(a[1]!)); ret = 0; } else ret = -22;
      break;
    case 218: ret = 1; break; // set_tid_address
    case 39: case 186: ret = 1; break; // getpid, gettid
    default: ret = ENOSYS;
  }
  cpu.setReg(RAX, BigInt.asUintN(64, BigInt(ret)));
  return true;
}

/** Load a static ELF on `cpu` with its initial stack; ready to run. */
function prepareElf(cpu: Cpu, path: string, argv: string[], envp: string[] = [], stdin = ''): Guest {
  const g: Guest = {
    cpu, pages: new Map(), stdout: '', exitCode: null, brk: 0, mmapNext: MMAP_BASE, syscalls: [],
    stdin: new TextEncoder().encode(stdin), stdinPos: 0, signal: 0, stop: '',
  };
  const img = loadElf(g, new Uint8Array(readFileSync(path)));
  g.brk = Math.ceil(img.end / PAGE) * PAGE;
  const sp = buildStack(g, argv, envp, img);
  cpu.setReg(RSP, BigInt(sp));
  cpu.setReg(RIP, BigInt(img.entry));
  return g;
}

/** Linux's signal for each way run() can stop on an exception (arch/x86/kernel/traps.c). */
const SIGNAL_OF: Record<string, number> = { fault: 11, gp: 11, hlt: 11, ud: 4, de: 8, int3: 5 };

function runElf(path: string, argv: string[] = ['prog'], envp: string[] = [], stdin = ''): Guest {
  const g = prepareElf(createInterpEngine().createCpu(), path, argv, envp, stdin);
  const cpu = g.cpu;
  for (let n = 0; n < 10000; n++) {
    const exit = cpu.run({ instructions: 50_000_000, timeoutMs: 20_000 });
    if (exit.kind === 'syscall') {
      if (!syscall(g)) return g;
      continue;
    }
    if (exit.kind === 'budget') continue;
    if (SIGNAL_OF[exit.kind] !== undefined) {
      g.signal = SIGNAL_OF[exit.kind]!;
      g.stop = `${exit.kind} at rip 0x${cpu.getReg(RIP).toString(16)}` + ('addr' in exit ? ` addr 0x${exit.addr.toString(16)}` : '');
      return g;
    }
    throw new Error(`${path}: stopped with ${JSON.stringify(exit, (_, x) => typeof x === 'bigint' ? '0x' + x.toString(16) : x)} at rip 0x${cpu.getReg(RIP).toString(16)}; stdout so far ${JSON.stringify(g.stdout)}; syscalls ${g.syscalls.join(',')}`);
  }
  throw new Error('too many syscalls');
}

const ROOT = new URL('../../../', import.meta.url).pathname;
const FIXTURES = ROOT + 'fixtures/';

interface Case { name: string; prog: string; args?: string[]; env?: Record<string, string>; stdin?: string }

/**
 * The fixture programs whose syscalls the inline loader answers (stdio,
 * exit, memory, signals to self). Others need the real kernel (files,
 * auxv contents, processes) and run in tests/fixtures.test.ts under every
 * engine, interp included.
 */
const LOADER_CASES = /^(asm-|musl-(hello|exit|args|abort|stdin|malloc|printf)|glibc-(hello|exit|args|printf))/;

function manifestCases(): Case[] {
  const path = FIXTURES + 'manifest.json';
  if (!existsSync(path)) return [];
  return (JSON.parse(readFileSync(path, 'utf8')) as Case[]).filter((c) => LOADER_CASES.test(c.name));
}

describe('interp engine runs static ELF programs (test-only loader)', () => {
  for (const [name, greeting] of [
    ['musl-hello', 'Hello from musl, kemu!\n'],
    ['glibc-hello', 'Hello from glibc, kemu!\n'],
  ] as const) {
    const path = FIXTURES + `${name}/${name}`;
    it(`${name} prints its greeting and exits 0`, function () {
      if (!existsSync(path)) this.skip();
      const g = runElf(path);
      expect(g.stdout).to.equal(greeting);
      expect(g.exitCode).to.equal(0);
    });
  }
});

describe('interp engine runs every fixture case like the real machine (test-only loader)', () => {
  for (const c of manifestCases()) {
    it(`${c.name}: same stdout and status as captured natively`, () => {
      const want = readFileSync(FIXTURES + `expected/${c.name}.stdout`, 'latin1');
      const wantStatus = Number(readFileSync(FIXTURES + `expected/${c.name}.status`, 'utf8').trim());
      const argv = ['fixtures/' + c.prog, ...(c.args ?? [])];
      const envp = Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v}`);
      const g = runElf(FIXTURES + c.prog, argv, envp, c.stdin ?? '');
      expect(g.stdout, `${g.stop} syscalls ${g.syscalls.join(',')}`).to.equal(want);
      expect(g.signal ? 128 + g.signal : g.exitCode).to.equal(wantStatus);
    });
  }
});

/** The regions of a guest for the lockstep harness: every page mapped so far. */
function sideOf(g: Guest): LockstepSide {
  return { cpu: g.cpu, regions: [...g.pages].sort((x, y) => x[0] - y[0]).map(([pn, bytes]) => ({ addr: BigInt(pn * PAGE), bytes })) };
}

describe('lockstep harness (interp against interp)', function () {
  this.timeout(120_000);
  const path = FIXTURES + 'musl-printf/musl-printf';

  /** Two guests of the same program; syscalls answered by the test loader on each side. */
  function pair(dutCpu: Cpu): { a: Guest; b: Guest; onSyscall: (side: LockstepSide) => boolean } {
    const a = prepareElf(createInterpEngine().createCpu(), path, ['musl-printf']);
    const b = prepareElf(dutCpu, path, ['musl-printf']);
    const guests = new Map([[a.cpu, a], [b.cpu, b]]);
    const onSyscall = (side: LockstepSide): boolean => {
      const g = guests.get(side.cpu)!;
      const more = syscall(g);
      side.regions.splice(0, side.regions.length, ...sideOf(g).regions);
      return more;
    };
    return { a, b, onSyscall };
  }

  it('finds no divergence between two interp CPUs running musl-printf', function () {
    if (!existsSync(path)) this.skip();
    const { a, b, onSyscall } = pair(createInterpEngine().createCpu());
    const r = lockstep(sideOf(a), sideOf(b), { steps: 50_000, onSyscall, memoryEvery: 256 });
    expect(r.divergence).to.equal(null);
    expect(r.steps).to.equal(50_000);
    expect(a.syscalls.length).to.be.greaterThan(1);
  });

  it('reports the first instruction after which the CPU under test differs, with its bytes and disassembly', function () {
    if (!existsSync(path)) this.skip();
    const inner = createInterpEngine().createCpu();
    let runs = 0;
    // A CPU under test that gets RBX wrong after its 500th instruction.
    const faulty: Cpu = {
      run(budget) {
        const exit = inner.run(budget);
        if (++runs === 500) inner.setReg(3, inner.getReg(3) ^ 1n);
        return exit;
      },
      getReg: (r) => inner.getReg(r), setReg: (r, v) => inner.setReg(r, v),
      getRegLo: (r) => inner.getRegLo(r), getRegHi: (r) => inner.getRegHi(r), setRegNumber: (r, v) => inner.setRegNumber(r, v),
      getState: () => inner.getState(), setState: (s) => inner.setState(s),
      map: (a, l, p, h) => inner.map(a, l, p, h), unmap: (a, l) => inner.unmap(a, l),
      protect: (a, l, p) => inner.protect(a, l, p), invalidate: (a, l) => inner.invalidate(a, l),
      dispose: () => inner.dispose(),
    };
    const { a, b, onSyscall } = pair(faulty);
    const d = lockstep(sideOf(a), sideOf(b), { steps: 2000, onSyscall }).divergence;
    expect(d).to.not.equal(null);
    expect(d!.step).to.equal(499);
    expect(d!.differences[0]).to.match(/^rbx: reference 0x[0-9a-f]+, under test 0x[0-9a-f]+$/);
    expect(d!.disasm).to.be.a('string').and.not.equal('(unreadable)');
    expect(d!.bytes.length).to.be.greaterThan(0);
  });
});
