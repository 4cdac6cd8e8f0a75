/**
 * The interp decoder against iced-x86 (decoder-iced.ts says what is
 * compared): seeded random bytes covering every opcode map, and every
 * instruction of the fixture binaries' code and of /bin/busybox.
 * KEMU_ICED_CASES=<n> runs n random cases instead of RANDOM_CASES
 * (KEMU_ICED_SEED another seed).
 */

import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROT_EXEC, PROT_READ } from '../../emulator/engine.js';
import { createInterpEngine } from '../../emulator/interp/index.js';
import { RAX, RIP } from '../../emulator/regs.js';
import { runBareElf } from './bare-elf.js';
import type { Mismatch, Tally } from './decoder-iced.js';
import { DIFFERENCES, IcedDecoder, codeMemory, compareAt, execSections, newTally, opcodeOf, randomCases } from './decoder-iced.js';

const SEED = Number(process.env['KEMU_ICED_SEED'] ?? 20261129);
const RANDOM_CASES = Number(process.env['KEMU_ICED_CASES'] ?? 400_000);
/** Random cases per buffer (one Decoder and one GuestMemory each). */
const CHUNK = 50_000;
const BASE = 0x7f1234560000;
const FIXTURES = new URL('../../../fixtures/', import.meta.url).pathname;

/** Mismatches grouped by opcode and kind, a few examples each, as one report. */
function report(ms: Mismatch[]): string {
  const groups = new Map<string, string[]>();
  for (const m of ms) {
    const g = groups.get(m.key) ?? [];
    g.push(m.line);
    groups.set(m.key, g);
  }
  return [...groups].sort((a, b) => b[1].length - a[1].length)
    .map(([k, lines]) => `${k} (${lines.length})\n    ${lines.slice(0, 3).join('\n    ')}`).join('\n');
}

function summary(t: Tally): string {
  const ex = [...t.explained].map(([k, n]) => `${k}: ${n}`).join(', ');
  return `${t.compared} compared, ${t.bothValid} valid in both, ${t.bothUd} #UD in both; deliberate differences: ${ex || 'none'}`;
}

/** Fixture binaries (fixtures/<name>/<name>, static ELF) and busybox where present. */
function binaries(): string[] {
  const out: string[] = [];
  for (const d of readdirSync(FIXTURES).sort()) {
    const p = `${FIXTURES}${d}/${d}`;
    if (existsSync(p) && readFileSync(p).subarray(0, 4).toString('latin1') === '\x7fELF') out.push(p);
  }
  if (existsSync('/bin/busybox')) out.push('/bin/busybox');
  return out;
}

/**
 * One case per decoder bug the cross-check found (commit 8fa44f2), each
 * agreeing with iced now: [bytes, what our decoder or table said before].
 * The "form" ones were wrong operand descriptions (disassembly) only.
 */
const REGRESSIONS: [string, string][] = [
  ['f0 01 c0', 'lock add eax, eax decoded (LOCK needs a memory destination: #UD)'],
  ['f0 90', 'lock nop decoded'],
  ['f0 e8 00 00 00 00', 'lock call decoded'],
  ['f0 01 00', '(still valid: lock add [rax], eax)'],
  ['66 0f 77', '66 emms decoded as emms'],
  ['66 0f c3 00', '66 movnti decoded as movnti'],
  ['66 0f ae 38', 'clflushopt (not advertised) decoded as clflush'],
  ['f3 0f ae 38', 'F3 0F AE /7 decoded as clflush'],
  ['f3 0f ae f0', 'umonitor (WAITPKG, not advertised) decoded as mfence'],
  ['db 08', 'fisttp (SSE3, not advertised) decoded'],
  ['d9 08', 'reserved D9 /1 decoded'],
  ['da e0', 'reserved DA E0 decoded'],
  ['dd f0', 'reserved DD F0 decoded'],
  ['8c 30', 'mov to Sreg 6 decoded'],
  ['8e c8', 'mov cs, eax decoded'],
  ['8c 18', 'form Ev,Sw: a 4-byte memory operand (the store was 2 bytes)'],
  ['0f 01 f8', 'swapgs: #UD instead of #GP, length 2'],
  ['0f 01 10', 'lgdt: #UD'],
  ['0f 00 c0', 'sldt: #UD'],
  ['0f 02 c1', 'lar: #UD'],
  ['0f 20 00', 'mov rax, cr0 (ModRM.mod ignored: 3 bytes)'],
  ['0f 22 44 00', 'mov cr0, rsp with mod 1 (no displacement follows)'],
  ['0f a8', 'push gs: #UD'],
  ['0f b2 00', 'lss: #UD'],
  ['0f b9 40 10', 'ud1 with its ModRM and displacement: 2 bytes'],
  ['0f ff 00', 'ud0 with its ModRM: 2 bytes'],
  ['ff 18', 'far call through memory: #UD'],
  ['48 ff 28', 'far jmp through memory: #UD'],
  ['0f 52 c1', 'rsqrtps missing'],
  ['f3 0f 53 08', 'rcpss missing'],
  ['0f 1e c8', 'reserved nop Ev,Gv: one operand'],
  ['0f 18 20', 'reserved nop 0F 18 /4'],
  ['66 ff d0', 'form Ev: call ax (the handler used 64 bits)'],
  ['66 50', '(push ax: 66 makes push 16-bit)'],
  ['41 5b', 'form Zv: pop r11d (the handler used 64 bits)'],
  ['66 63 0a', 'form Gv,Ed: a 4-byte source with 66 (the handler read 2)'],
  ['48 0f c4 c0 01', 'form Ew: pinsrw mm0, ax instead of rax'],
  ['48 0f 50 c1', 'form Gd: movmskps eax instead of rax'],
];

describe('interp decoder agrees with iced-x86', function () {
  this.timeout(600_000);

  it(`${RANDOM_CASES} seeded random instructions (seed ${SEED}): validity for our CPUID, length, operands`, function () {
    const t = newTally();
    const ms: Mismatch[] = [];
    const seen = new Set<number>();
    for (let done = 0; done < RANDOM_CASES; done += CHUNK) {
      const n = Math.min(CHUNK, RANDOM_CASES - done);
      const bytes = randomCases(SEED + done, n);
      const ice = new IcedDecoder(bytes, BASE);
      const mem = codeMemory(bytes, BASE);
      try {
        for (let c = 0; c < n; c++) {
          const [map, opcode] = opcodeOf(bytes, c * 16);
          seen.add((map << 8) | opcode);
          const m = compareAt(ice, mem, bytes, BASE, c * 16, t);
          if (m) ms.push(m);
        }
      } finally {
        ice.free();
      }
    }
    console.log(`      ${summary(t)}; ${seen.size} opcodes seen`);
    if (ms.length) console.log(report(ms));
    // Every opcode of the four maps but the 28 one-byte values that are prefixes, REX or the 0F
    // escape, and 0F 38 / 0F 3A, which are the escapes to the three-byte maps.
    expect(seen.size, 'every opcode of the four maps').to.equal(1024 - 28 - 2);
    expect(ms.length, 'mismatches').to.equal(0);
  });

  it('every instruction of the fixture binaries and busybox (linear sweep, each distinct byte string once)', function () {
    const t = newTally();
    const ms: Mismatch[] = [];
    const done = new Set<string>();
    let total = 0;
    for (const path of binaries()) {
      for (const s of execSections(readFileSync(path))) {
        const ice = new IcedDecoder(s.bytes, s.addr);
        const mem = codeMemory(s.bytes, s.addr);
        try {
          for (let off = 0; off < s.bytes.length;) {
            const { view } = ice.at(off);
            const len = view.valid ? view.len : 1;
            total++;
            const key = Buffer.from(s.bytes.subarray(off, off + len)).toString('latin1');
            if (!done.has(key)) {
              done.add(key);
              const m = compareAt(ice, mem, s.bytes, s.addr, off, t);
              if (m) ms.push({ key: m.key, line: `${path.replace(FIXTURES, '')} ${(s.addr + off).toString(16)}: ${m.line}` });
            }
            off += len;
          }
        } finally {
          ice.free();
        }
      }
    }
    console.log(`      ${total} instructions, ${summary(t)}`);
    if (ms.length) console.log(report(ms));
    expect(t.bothValid).to.be.greaterThan(10_000);
    expect(ms.length, 'mismatches').to.equal(0);
  });

  it('the regression cases of the bugs it found agree with iced', function () {
    const bad: string[] = [];
    for (const [hex, was] of REGRESSIONS) {
      const bytes = new Uint8Array(16);
      bytes.set(hex.split(' ').map((h) => parseInt(h, 16)));
      const t = newTally();
      const ice = new IcedDecoder(bytes, BASE);
      try {
        const m = compareAt(ice, codeMemory(bytes, BASE), bytes, BASE, 0, t);
        if (m || t.explained.size) bad.push(`${hex} (${was}): ${m?.line ?? 'a deliberate difference'}`);
      } finally {
        ice.free();
      }
    }
    expect(bad).to.deep.equal([]);
  });

  it('lists each deliberate difference with its reason', function () {
    for (const d of DIFFERENCES) expect(d.why.length, d.name).to.be.greaterThan(40);
  });
});

describe('instructions the cross-check decoded anew', function () {
  /** Run `bytes` at 0x400000 with RAX = rax on a bare interp CPU; the exit. */
  const runBytes = (bytes: number[], rax: bigint) => {
    const cpu = createInterpEngine({ blocks: false }).createCpu();
    try {
      const code = new Uint8Array(4096);
      code.set(bytes);
      cpu.map(0x400000n, 4096, PROT_READ | PROT_EXEC, code);
      cpu.setReg(RIP, 0x400000n);
      cpu.setReg(RAX, rax);
      return { exit: cpu.run({ instructions: 10, timeoutMs: 1000 }), rip: cpu.getReg(RIP) };
    } finally {
      cpu.dispose();
    }
  };

  it('clflush faults as a byte load of its operand would, and runs on a mapped one', () => {
    expect(runBytes([0x0f, 0xae, 0x38], 0x10000n).exit).to.deep.include({ kind: 'fault', addr: 0x10000n, mapped: false });
    expect(runBytes([0x0f, 0xae, 0x38, 0xf4], 0x400000n)).to.deep.equal({ exit: { kind: 'hlt' }, rip: 0x400003n });
  });

  it('system instructions raise #GP at their address; mov from cr10, ud1 and a misplaced lock raise #UD', () => {
    expect(runBytes([0x0f, 0x01, 0xf8], 0n)).to.deep.equal({ exit: { kind: 'gp' }, rip: 0x400000n }); // swapgs
    expect(runBytes([0x0f, 0x20, 0xc0], 0n).exit).to.deep.equal({ kind: 'gp' }); // mov rax, cr0
    expect(runBytes([0x44, 0x0f, 0x20, 0xd0], 0n).exit).to.deep.equal({ kind: 'ud' }); // mov rax, cr10 (the handler's #UD)
    expect(runBytes([0x44, 0x0f, 0x20, 0xc0], 0n).exit).to.deep.equal({ kind: 'gp' }); // mov rax, cr8 exists
    expect(runBytes([0x0f, 0xb9, 0x40, 0x10], 0n).exit).to.deep.equal({ kind: 'ud' }); // ud1
    expect(runBytes([0xf0, 0x01, 0xc0], 0n).exit).to.deep.equal({ kind: 'ud' }); // lock add eax, eax
  });
});

/**
 * rcpps, rcpss, rsqrtps, rsqrtss (added when the cross-check found them
 * missing) against this machine's CPU: the same special results (zeros,
 * denormals, infinities, NaNs, negative square roots) exactly, and finite
 * results within twice the SDM's bound (1.5 * 2^-12) of the native ones,
 * since the native approximation is the CPU's own table.
 */
describe('rcp and rsqrt approximations against this machine\'s CPU', function () {
  this.timeout(60_000);
  it('special cases exactly, finite results within the SDM bound', function () {
    if (platform() !== 'linux' || arch() !== 'x64') this.skip();
    const inputs = [0, 0x80000000, 1, 0x807fffff, 0x00800000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000, 0x7fc00001,
      0x7f800001, 0xffc00000, 0x7f7fffff, 0x7e800000, 0x7f000000, 0xff000000, 0x40490fdb, 0x3eaaaaab, 0x00000010, 0x1b000000];
    const r = prngFor();
    for (let k = 0; k < 200; k++) inputs.push(r());
    const lines = ['.intel_syntax noprefix', '.globl _start', '.text', '_start:', '  lea rsi, [rip + inp]', '  lea rdi, [rip + buf]',
      `  mov ecx, ${inputs.length / 4}`, '1:', '  movaps xmm0, [rsi]', '  rcpps xmm1, xmm0', '  rsqrtps xmm2, xmm0',
      '  movaps xmm3, xmm0', '  rcpss xmm3, [rsi + 4]', '  movaps xmm4, xmm0', '  rsqrtss xmm4, [rsi + 8]',
      '  movaps [rdi], xmm1', '  movaps [rdi + 16], xmm2', '  movaps [rdi + 32], xmm3', '  movaps [rdi + 48], xmm4',
      '  add rsi, 16', '  add rdi, 64', '  dec ecx', '  jnz 1b',
      '  mov eax, 1', '  mov rdx, rdi', '  lea rsi, [rip + buf]', '  sub rdx, rsi', '  mov edi, 1', '  syscall',
      '  mov eax, 60', '  xor edi, edi', '  syscall',
      '.data', '.align 16', `inp: .long ${inputs.join(', ')}`, '.bss', '.align 16', `buf: .space ${inputs.length * 16}`];
    const dir = mkdtempSync(join(tmpdir(), 'kemu-rcp-'));
    writeFileSync(join(dir, 't.s'), lines.join('\n') + '\n');
    execFileSync('as', ['--64', '-o', join(dir, 't.o'), join(dir, 't.s')]);
    execFileSync('ld', ['-static', '-o', join(dir, 't'), join(dir, 't.o')]);
    const want = execFileSync(join(dir, 't'));
    const got = runBareElf(createInterpEngine({ blocks: false }), join(dir, 't'));
    expect(got.length).to.equal(want.length);
    const f = new Float32Array(1), u = new Uint32Array(f.buffer);
    const val = (b: number): number => { u[0] = b; return f[0]!; };
    const bad: string[] = [];
    for (let k = 0; k < want.length / 4; k++) {
      const w = want.readUInt32LE(4 * k), g = got.readUInt32LE(4 * k);
      const wv = val(w), gv = val(g);
      const finite = Number.isFinite(wv) && wv !== 0;
      const ok = finite ? Math.abs(gv - wv) <= 3 * 2 ** -12 * Math.abs(wv) : w === g;
      if (!ok && bad.length < 20) bad.push(`word ${k}: got 0x${g.toString(16)}, native 0x${w.toString(16)}`);
    }
    expect(bad).to.deep.equal([]);
  });
});

/** Random float32 bit patterns over the whole exponent range. */
function prngFor(): () => number {
  let a = 0x1234567;
  return () => {
    a ^= a << 13; a ^= a >>> 17; a ^= a << 5;
    return a >>> 0;
  };
}
