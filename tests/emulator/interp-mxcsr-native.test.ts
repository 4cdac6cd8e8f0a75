/**
 * MXCSR modes against this machine's CPU: the SSE/SSE2 arithmetic and the
 * conversions that round, under each rounding control (nearest, down, up,
 * toward zero), flush-to-zero and denormals-are-zero, over seeded random
 * operands weighted toward the ends of the exponent range (overflow to
 * infinity or to the largest finite value, underflow, tininess, denormal
 * operands; DAZ also in min, max and the comparisons). Per case the program
 * loads MXCSR, xmm0, xmm1 and RBX, runs one instruction, and records xmm0,
 * RAX, MXCSR and EFLAGS; the same static binary runs
 * natively and under interp (interpreted and compiled).
 */

import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterpEngine } from '../../emulator/interp/index.js';
import type { InterpOptions } from '../../emulator/interp/index.js';
import { runBareElf } from './bare-elf.js';
import { rng } from './random-stream.js';

interface Case { text: string; x0: bigint[]; x1: bigint[]; rbx: bigint; mxcsr: number }

/** Every mask set (as Linux starts a task) with RC 0-3, FTZ (bit 15) and DAZ (bit 6) in combinations. */
const MODES = [0x1f80, 0x3f80, 0x5f80, 0x7f80, 0x9f80, 0x1fc0, 0xbfc0, 0xdfc0, 0x3fc0, 0xff80];

/** A double: specials, denormals, and normals near 1, near the top and near the bottom of the range. */
function f64(next: () => bigint): bigint {
  const r = next(), sign = ((r >> 8n) & 1n) << 63n, frac = (r >> 12n) & 0xfffffffffffffn;
  switch (Number(r % 16n)) {
    case 0: return sign;
    case 1: return sign | (0x7ffn << 52n);
    case 2: return (0x7ffn << 52n) | (1n << 51n) | 7n; // QNaN
    case 3: return sign | frac; // denormal
    case 4: return sign | (0x3ffn << 52n) | (frac & 0xfn); // 1 and a few ulps
    case 5: case 6: case 7: return sign | ((1530n + ((r >> 9n) % 517n)) << 52n) | frac; // 2^507 .. 2^1023
    case 8: case 9: case 10: return sign | ((1n + ((r >> 9n) % 520n)) << 52n) | frac; // 2^-1022 .. 2^-503
    case 11: return sign | ((1n + ((r >> 9n) % 3n)) << 52n) | frac; // just above the smallest normal
    default: return sign | ((990n + ((r >> 9n) % 80n)) << 52n) | frac;
  }
}

/** A float, the same shape as f64. */
function f32(next: () => bigint): bigint {
  const r = next(), sign = ((r >> 8n) & 1n) << 31n, frac = (r >> 12n) & 0x7fffffn;
  switch (Number(r % 16n)) {
    case 0: return sign;
    case 1: return sign | 0x7f800000n;
    case 2: return 0x7fc00001n;
    case 3: return sign | frac;
    case 4: return sign | 0x3f800000n | (frac & 0xfn);
    case 5: case 6: case 7: return sign | ((190n + ((r >> 9n) % 65n)) << 23n) | frac; // 2^63 .. 2^127
    case 8: case 9: case 10: return sign | ((1n + ((r >> 9n) % 64n)) << 23n) | frac; // 2^-126 .. 2^-63
    case 11: return sign | ((1n + ((r >> 9n) % 3n)) << 23n) | frac;
    default: return sign | ((100n + ((r >> 9n) % 56n)) << 23n) | frac;
  }
}

/** A 64-bit integer, often wider than a double's or a float's significand. */
function int64(next: () => bigint): bigint {
  const r = next();
  return r >> ((r & 7n) * 7n);
}

function generate(per: number): Case[] {
  const next = rng(0x6d786373725f7263n);
  const out: Case[] = [];
  const add = (text: string, kind: 'ps' | 'pd' | 'int') => {
    for (let k = 0; k < per; k++) {
      const lanes = (): bigint[] => {
        if (kind === 'pd') return [f64(next), f64(next)];
        if (kind === 'int') return [int64(next), int64(next)];
        return [f32(next) | (f32(next) << 32n), f32(next) | (f32(next) << 32n)];
      };
      out.push({ text, x0: lanes(), x1: lanes(), rbx: int64(next), mxcsr: MODES[Number(next() % BigInt(MODES.length))]! });
    }
  };
  for (const op of ['add', 'sub', 'mul', 'div', 'sqrt']) {
    add(`${op}ps xmm0, xmm1`, 'ps'); add(`${op}ss xmm0, xmm1`, 'ps'); add(`${op}pd xmm0, xmm1`, 'pd'); add(`${op}sd xmm0, xmm1`, 'pd');
  }
  for (const op of ['min', 'max']) {
    add(`${op}ps xmm0, xmm1`, 'ps'); add(`${op}ss xmm0, xmm1`, 'ps'); add(`${op}pd xmm0, xmm1`, 'pd'); add(`${op}sd xmm0, xmm1`, 'pd');
  }
  for (const t of ['cmpps xmm0, xmm1, 1', 'cmpss xmm0, xmm1, 2', 'comiss xmm0, xmm1', 'ucomiss xmm0, xmm1']) add(t, 'ps');
  for (const t of ['cmppd xmm0, xmm1, 0', 'cmpsd xmm0, xmm1, 6', 'comisd xmm0, xmm1', 'ucomisd xmm0, xmm1']) add(t, 'pd');
  for (const t of ['cvtss2si eax, xmm1', 'cvtss2si rax, xmm1', 'cvttss2si eax, xmm1', 'cvtps2dq xmm0, xmm1', 'cvttps2dq xmm0, xmm1',
    'cvtss2sd xmm0, xmm1', 'cvtps2pd xmm0, xmm1']) add(t, 'ps');
  for (const t of ['cvtsd2si eax, xmm1', 'cvtsd2si rax, xmm1', 'cvttsd2si rax, xmm1', 'cvtpd2dq xmm0, xmm1', 'cvttpd2dq xmm0, xmm1',
    'cvtsd2ss xmm0, xmm1', 'cvtpd2ps xmm0, xmm1']) add(t, 'pd');
  for (const t of ['cvtsi2sd xmm0, rbx', 'cvtsi2ss xmm0, rbx', 'cvtsi2ss xmm0, ebx', 'cvtsi2sd xmm0, ebx', 'cvtdq2ps xmm0, xmm1']) add(t, 'int');
  return out;
}

function program(cases: Case[]): string {
  const lines = ['.intel_syntax noprefix', '.globl _start', '.text', '_start:', '  lea rdi, [rip + buf]'];
  const data = ['.data', '.align 16'];
  cases.forEach((c, k) => {
    data.push(`x0_${k}: .quad ${c.x0[0]}, ${c.x0[1]}`, `x1_${k}: .quad ${c.x1[0]}, ${c.x1[1]}`, `m_${k}: .long ${c.mxcsr}, 0, 0, 0`);
    lines.push(`  movdqa xmm0, [rip + x0_${k}]`, `  movdqa xmm1, [rip + x1_${k}]`, `  mov rbx, ${c.rbx}`, '  xor eax, eax',
      `  ldmxcsr [rip + m_${k}]`, `  ${c.text}`, '  pushf', '  pop rsi', '  movdqu [rdi], xmm0', '  mov [rdi + 16], rax', '  stmxcsr [rdi + 24]', '  mov [rdi + 28], esi', '  add rdi, 32');
  });
  lines.push('  mov eax, 1', '  mov rdx, rdi', '  lea rsi, [rip + buf]', '  sub rdx, rsi', '  mov edi, 1', '  syscall',
    '  mov eax, 60', '  xor edi, edi', '  syscall', ...data, '.bss', '.align 16', `buf: .space ${cases.length * 32}`);
  return lines.join('\n') + '\n';
}

const ENGINES: [string, InterpOptions][] = [['interpreted', { blocks: false }], ['compiled blocks', { blocks: true, hot: 1 }]];
const native = platform() === 'linux' && arch() === 'x64';

describe('interp engine agrees with this machine\'s CPU under every MXCSR rounding mode, FTZ and DAZ', function () {
  this.timeout(120_000);
  let binary = '';
  let want = Buffer.alloc(0);
  let cases: Case[] = [];
  before(function () {
    if (!native) this.skip();
    cases = generate(Number(process.env.KEMU_MXCSR_PER ?? 48));
    const dir = mkdtempSync(join(tmpdir(), 'kemu-native-mxcsr-'));
    writeFileSync(join(dir, 't.s'), program(cases));
    execFileSync('as', ['--64', '-o', join(dir, 't.o'), join(dir, 't.s')]);
    execFileSync('ld', ['-static', '-o', join(dir, 't'), join(dir, 't.o')]);
    binary = join(dir, 't');
    want = execFileSync(binary);
  });
  for (const [name, opts] of ENGINES) it(`xmm0, RAX, MXCSR and EFLAGS after every case match native execution (${name})`, function () {
    if (!native) this.skip();
    const got = runBareElf(createInterpEngine(opts), binary);
    expect(got.length).to.equal(want.length);
    const bad: string[] = [];
    const fields = ['xmm0.lo', 'xmm0.hi', 'rax', 'eflags:mxcsr'];
    cases.forEach((c, k) => {
      for (let f = 0; f < 4; f++) {
        const w = want.readBigUInt64LE(32 * k + 8 * f), g = got.readBigUInt64LE(32 * k + 8 * f);
        if (w !== g && bad.length < 30) {
          bad.push(`${c.text} mxcsr=0x${c.mxcsr.toString(16)} xmm0=${c.x0.map((x) => x.toString(16))} xmm1=${c.x1.map((x) => x.toString(16))} `
            + `rbx=0x${c.rbx.toString(16)}: ${fields[f]} got 0x${g.toString(16)} want 0x${w.toString(16)}`);
        }
      }
    });
    expect(bad, bad.join('\n')).to.deep.equal([]);
  });
});
