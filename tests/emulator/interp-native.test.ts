/**
 * The real CPU decides (DESIGN.md decision 9): seeded random operands for
 * the integer instructions, run natively and under interp, compared
 * register for register and flag for flag (masked to the flags the SDM
 * defines for each instruction).
 *
 * The test generates one static assembly program: per case it loads RAX,
 * RBX, RCX, RDX and RFLAGS, executes one instruction, and appends RAX, RBX,
 * RCX, RDX and RFLAGS to a buffer that it writes to stdout at the end. The
 * same binary runs on this machine's CPU and on an interp CPU (tiny loader
 * below); the outputs must agree.
 */

import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterpEngine } from '../../emulator/interp/index.js';
import type { InterpOptions } from '../../emulator/interp/index.js';
import { runBareElf } from './bare-elf.js';

const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
const ARITH = CF | PF | AF | ZF | SF | OF;

/** xorshift64*: reproducible operands. */
function rng(seed: bigint): () => bigint {
  let x = seed;
  return () => {
    x ^= x >> 12n; x ^= (x << 25n) & 0xffffffffffffffffn; x ^= x >> 27n;
    return (x * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
  };
}

interface Case { text: string; a: bigint; b: bigint; c: bigint; d: bigint; flags: number; mask: number }

const REGS: Record<number, [string, string, string, string]> = {
  1: ['al', 'bl', 'cl', 'dl'], 2: ['ax', 'bx', 'cx', 'dx'], 4: ['eax', 'ebx', 'ecx', 'edx'], 8: ['rax', 'rbx', 'rcx', 'rdx'],
};

/** Interesting operand values mixed with random ones. */
function operand(next: () => bigint): bigint {
  const r = next();
  switch (Number(r % 8n)) {
    case 0: return 0n;
    case 1: return 0xffffffffffffffffn;
    case 2: return 0x8000000000000000n >> (r >> 60n);
    case 3: return (r >> 8n) & 0xffn;
    case 4: return 0x7fffffffffffffffn >> ((r >> 8n) % 64n);
    default: return next();
  }
}

function generate(perForm: number): Case[] {
  const next = rng(0x9e3779b97f4a7c15n);
  const cases: Case[] = [];
  const add = (text: string, mask: number, fix?: (c: Case) => void) => {
    for (let k = 0; k < perForm; k++) {
      const c: Case = { text, a: operand(next), b: operand(next), c: next() & 0xffn, d: operand(next), flags: Number(next() & BigInt(ARITH)), mask };
      fix?.(c);
      cases.push(c);
    }
  };
  for (const s of [1, 2, 4, 8]) {
    const [A, B, C] = REGS[s]!;
    for (const op of ['add', 'adc', 'sub', 'sbb', 'cmp']) add(`${op} ${A}, ${B}`, ARITH);
    for (const op of ['and', 'or', 'xor', 'test']) add(`${op} ${A}, ${B}`, ARITH & ~AF);
    for (const op of ['inc', 'dec', 'neg', 'not']) add(`${op} ${A}`, ARITH);
    for (const op of ['shl', 'shr', 'sar']) {
      add(`${op} ${A}, cl`, ARITH & ~AF, (c) => { if (((c.c & 0xffn) & (s === 8 ? 63n : 31n)) > 1n) c.mask &= ~OF; });
      add(`${op} ${A}, 1`, ARITH & ~AF);
      for (const n of [0, 2, 7, 31, 32, 33, 63]) add(`${op} ${A}, ${n}`, (n & (s === 8 ? 63 : 31)) > 1 ? ARITH & ~AF & ~OF : ARITH & ~AF);
    }
    for (const op of ['rol', 'ror', 'rcl', 'rcr']) {
      add(`${op} ${A}, cl`, CF | OF, (c) => { if ((c.c & (s === 8 ? 63n : 31n)) > 1n) c.mask &= ~OF; });
    }
    add(`mul ${B}`, CF | OF);
    add(`imul ${B}`, CF | OF);
    add(`div ${B}`, 0, (c) => { c.b |= 1n; c.d = 0n; if (s === 1) c.a &= 0xffn; }); // no #DE: quotient fits
    add(`idiv ${B}`, 0, (c) => { c.b = (c.b & 0x7fn) + 1n; c.d = 0n; c.a &= 0x7fn; });
    if (s > 1) {
      add(`imul ${A}, ${B}`, CF | OF);
      add(`imul ${A}, ${B}, 0x1234`, CF | OF);
      // Compiled: the product without its flags, which the next instruction overwrites unread.
      add(`imul ${A}, ${B}\n  cmp ${A}, ${B}`, ARITH);
      add(`imul ${A}, ${B}, -0x1234\n  test ${A}, ${A}`, ARITH & ~AF);
      add(`bsf ${A}, ${B}`, ZF, (c) => { if (c.b === 0n) c.b = 0x100n; });
      add(`bsr ${A}, ${B}`, ZF, (c) => { if (c.b === 0n) c.b = 0x100n; });
      add(`popcnt ${A}, ${B}`, ARITH);
      for (const op of ['bt', 'bts', 'btr', 'btc']) add(`${op} ${A}, ${B}`, CF);
      for (const op of ['shld', 'shrd']) {
        add(`${op} ${A}, ${B}, cl`, ARITH & ~AF, (c) => {
          const n = c.c & (s === 8 ? 63n : 31n);
          if (n > 1n) c.mask &= ~OF;
          if (s === 2 && n > 16n) c.c = 5n; // result undefined above the operand size
        });
      }
      add(`cmovbe ${A}, ${B}`, ARITH);
      add(`xadd ${A}, ${B}`, ARITH);
      add(`cmpxchg ${B}, ${C}`, ARITH);
      add(`movsx ${A}, ${REGS[1]![1]}`, ARITH);
      add(`movzx ${A}, ${REGS[1]![1]}`, ARITH);
    }
    add(`xchg ${A}, ${B}`, ARITH);
    for (const cc of ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g']) {
      for (const op of ['cmp', 'test', 'add']) add(`${op} ${A}, ${B}\n  set${cc} cl`, op === 'test' ? ARITH & ~AF : ARITH);
    }
    add(`sete ${REGS[1]![0]}`, ARITH);
  }
  add('bswap rax', ARITH);
  add('bswap eax', ARITH);
  add('cqo', ARITH);
  add('cdqe', ARITH);
  add('lea rax, [rbx + rcx*4 - 0x20]', ARITH);
  add('lea eax, [rbx + rdx*2 + 7]', ARITH);
  return cases;
}

function program(cases: Case[]): string {
  const lines = ['.intel_syntax noprefix', '.globl _start', '.text', '_start:', '  lea rdi, [rip + buf]'];
  for (const c of cases) {
    lines.push(`  mov rax, ${c.a}`, `  mov rbx, ${c.b}`, `  mov rcx, ${c.c}`, `  mov rdx, ${c.d}`,
      `  push ${c.flags | 0x202}`, '  popf', `  ${c.text}`, '  pushf', '  pop rsi',
      '  mov [rdi], rax', '  mov [rdi + 8], rbx', '  mov [rdi + 16], rcx', '  mov [rdi + 24], rdx', '  mov [rdi + 32], rsi', '  add rdi, 40');
  }
  lines.push('  mov eax, 1', '  mov rdx, rdi', '  lea rsi, [rip + buf]', '  sub rdx, rsi', '  mov edi, 1', '  syscall',
    '  mov eax, 60', '  xor edi, edi', '  syscall', '.bss', '.align 16', `buf: .space ${cases.length * 40}`);
  return lines.join('\n') + '\n';
}

/**
 * How the differential programs run under interp: every instruction
 * interpreted, and every block compiled on first sight (so each template of
 * gen.ts meets the same random operands as its handler).
 */
const MODES: [string, InterpOptions][] = [['interpreted', { blocks: false }], ['compiled blocks', { blocks: true, hot: 1 }]];
let mode: InterpOptions = { blocks: false };

/** Run a static ELF under interp with write and exit only; returns what it wrote. */
function runInterp(path: string): Buffer {
  return runBareElf(createInterpEngine(mode), path);
}

const native = platform() === 'linux' && arch() === 'x64';

describe('interp engine agrees with this machine\'s CPU on random integer operands', function () {
  this.timeout(120_000);
  for (const [modeName, opts] of MODES) it(`registers and defined flags after every case match native execution (${modeName})`, function () {
    if (!native) this.skip();
    mode = opts;
    const cases = generate(48);
    const dir = mkdtempSync(join(tmpdir(), 'kemu-native-'));
    writeFileSync(join(dir, 't.s'), program(cases));
    execFileSync('as', ['--64', '-o', join(dir, 't.o'), join(dir, 't.s')]);
    execFileSync('ld', ['-static', '-o', join(dir, 't'), join(dir, 't.o')]);
    const want = execFileSync(join(dir, 't'));
    const got = runInterp(join(dir, 't'));
    expect(got.length).to.equal(want.length);
    const bad: string[] = [];
    const names = ['rax', 'rbx', 'rcx', 'rdx'];
    cases.forEach((c, k) => {
      for (let r = 0; r < 5; r++) {
        let w = want.readBigUInt64LE(40 * k + 8 * r), g = got.readBigUInt64LE(40 * k + 8 * r);
        if (r === 4) { w &= BigInt(c.mask); g &= BigInt(c.mask); }
        if (w !== g && bad.length < 20) {
          bad.push(`${c.text} with a=0x${c.a.toString(16)} b=0x${c.b.toString(16)} c=0x${c.c.toString(16)} d=0x${c.d.toString(16)} flags=0x${c.flags.toString(16)}: `
            + `${r === 4 ? 'flags' : names[r]} got 0x${g.toString(16)} want 0x${w.toString(16)}`);
        }
      }
    });
    expect(bad, bad.join('\n')).to.deep.equal([]);
  });
});

// ---- SSE ---------------------------------------------------------------------------------------

interface SseCase { text: string; x0: bigint[]; x1: bigint[]; rbx: bigint }

/** An interesting float32 bit pattern. */
function f32(next: () => bigint): bigint {
  const r = next();
  switch (Number(r % 12n)) {
    case 0: return 0n;
    case 1: return 0x80000000n;
    case 2: return 0x7f800000n; // inf
    case 3: return 0xff800000n;
    case 4: return 0x7fc00001n; // qNaN
    case 5: return 0x7f800005n; // sNaN
    case 6: return (r >> 8n) & 0x7fffffn; // denormal
    case 7: return 0x3f800000n; // 1.0
    default: return (((r >> 8n) & 1n) << 31n) | ((100n + ((r >> 9n) % 56n)) << 23n) | ((r >> 20n) & 0x7fffffn);
  }
}

/** An interesting float64 bit pattern. */
function f64(next: () => bigint): bigint {
  const r = next();
  switch (Number(r % 12n)) {
    case 0: return 0n;
    case 1: return 1n << 63n;
    case 2: return 0x7ffn << 52n;
    case 3: return 0xfffn << 52n;
    case 4: return (0x7ffn << 52n) | (1n << 51n) | 7n;
    case 5: return (0x7ffn << 52n) | 9n;
    case 6: return (r >> 12n) & 0xfffffffffffffn;
    case 7: return 0x3ffn << 52n;
    default: return (((r >> 8n) & 1n) << 63n) | ((990n + ((r >> 9n) % 80n)) << 52n) | ((r >> 12n) & 0xfffffffffffffn);
  }
}

function generateSse(per: number): SseCase[] {
  const next = rng(0x1234567887654321n);
  const out: SseCase[] = [];
  const add = (text: string, kind: 'int' | 'ps' | 'pd') => {
    for (let k = 0; k < per; k++) {
      const lanes = (): bigint[] => {
        if (kind === 'int') return [operand(next), operand(next)];
        if (kind === 'pd') return [f64(next), f64(next)];
        return [f32(next) | (f32(next) << 32n), f32(next) | (f32(next) << 32n)];
      };
      out.push({ text, x0: lanes(), x1: lanes(), rbx: operand(next) });
    }
  };
  for (const op of ['paddb', 'paddw', 'paddd', 'paddq', 'psubb', 'psubw', 'psubd', 'psubq', 'paddsb', 'paddsw', 'paddusb', 'paddusw',
    'psubsb', 'psubsw', 'psubusb', 'psubusw', 'pminub', 'pmaxub', 'pminsw', 'pmaxsw', 'pavgb', 'pavgw', 'pcmpeqb', 'pcmpeqw', 'pcmpeqd',
    'pcmpgtb', 'pcmpgtw', 'pcmpgtd', 'pmullw', 'pmulhw', 'pmulhuw', 'pmuludq', 'pmaddwd', 'psadbw', 'pand', 'pandn', 'por', 'pxor',
    'packsswb', 'packuswb', 'packssdw', 'punpcklbw', 'punpcklwd', 'punpckldq', 'punpcklqdq', 'punpckhbw', 'punpckhwd', 'punpckhdq',
    'punpckhqdq', 'unpcklps', 'unpckhps', 'unpcklpd', 'unpckhpd', 'movhlps', 'movlhps', 'movss', 'movsd', 'movq']) add(`${op} xmm0, xmm1`, 'int');
  for (const t of ['pshufd xmm0, xmm1, 0x1b', 'pshufhw xmm0, xmm1, 0x4e', 'pshuflw xmm0, xmm1, 0xb1', 'shufps xmm0, xmm1, 0x9c', 'shufpd xmm0, xmm1, 1',
    'psrlw xmm0, 3', 'psrld xmm0, 17', 'psrlq xmm0, 33', 'psraw xmm0, 9', 'psrad xmm0, 31', 'psllw xmm0, 15', 'pslld xmm0, 4', 'psllq xmm0, 63',
    'pslldq xmm0, 5', 'psrldq xmm0, 7', 'pmovmskb eax, xmm1', 'pextrw eax, xmm1, 3', 'pinsrw xmm0, ebx, 5', 'movd xmm0, ebx', 'movq xmm0, rbx',
    'movd eax, xmm1', 'movq rax, xmm1', 'movmskps eax, xmm1', 'movmskpd eax, xmm1']) add(t, 'int');
  for (const t of ['psrlw xmm0, xmm1', 'psllq xmm0, xmm1', 'psrad xmm0, xmm1']) add(t, 'int');
  for (const op of ['add', 'sub', 'mul', 'div', 'min', 'max', 'sqrt']) {
    add(`${op}ps xmm0, xmm1`, 'ps'); add(`${op}ss xmm0, xmm1`, 'ps'); add(`${op}pd xmm0, xmm1`, 'pd'); add(`${op}sd xmm0, xmm1`, 'pd');
  }
  for (let p = 0; p < 8; p++) { add(`cmpps xmm0, xmm1, ${p}`, 'ps'); add(`cmpsd xmm0, xmm1, ${p}`, 'pd'); }
  for (const t of ['comiss xmm0, xmm1', 'ucomiss xmm0, xmm1', 'cvttss2si eax, xmm1', 'cvtss2si rax, xmm1', 'cvtss2sd xmm0, xmm1',
    'cvtps2pd xmm0, xmm1', 'cvtps2dq xmm0, xmm1', 'cvttps2dq xmm0, xmm1', 'cvtsi2ss xmm0, ebx', 'cvtsi2ss xmm0, rbx']) add(t, 'ps');
  for (const t of ['comisd xmm0, xmm1', 'ucomisd xmm0, xmm1', 'cvttsd2si eax, xmm1', 'cvttsd2si rax, xmm1', 'cvtsd2si rax, xmm1',
    'cvtsd2si eax, xmm1', 'cvtsd2ss xmm0, xmm1', 'cvtpd2ps xmm0, xmm1', 'cvttpd2dq xmm0, xmm1', 'cvtpd2dq xmm0, xmm1', 'cvtsi2sd xmm0, rbx',
    'cvtsi2sd xmm0, ebx', 'andpd xmm0, xmm1', 'andnpd xmm0, xmm1', 'xorpd xmm0, xmm1']) add(t, 'pd');
  // Memory sources (MEM is the case's 16-byte aligned xmm1 image).
  for (const op of ['pcmpeqb', 'pxor', 'por', 'pand', 'pandn', 'pminub', 'paddq', 'psubb', 'punpcklbw', 'movdqa', 'movdqu']) add(`${op} xmm0, MEM`, 'int');
  for (const op of ['addpd', 'mulpd', 'maxpd']) add(`${op} xmm0, MEM`, 'pd');
  add('cvtdq2ps xmm0, xmm1', 'int');
  add('cvtdq2pd xmm0, xmm1', 'int');
  return out;
}

function sseProgram(cases: SseCase[]): string {
  const lines = ['.intel_syntax noprefix', '.globl _start', '.text', '_start:', '  lea rdi, [rip + buf]'];
  const data = ['.data', '.align 16', 'mxcsr_init: .long 0x1f80, 0, 0, 0'];
  cases.forEach((c, k) => {
    data.push(`x0_${k}: .quad ${c.x0[0]}, ${c.x0[1]}`, `x1_${k}: .quad ${c.x1[0]}, ${c.x1[1]}`);
    lines.push(`  movdqa xmm0, [rip + x0_${k}]`, `  movdqa xmm1, [rip + x1_${k}]`, `  mov rbx, ${c.rbx}`, '  xor eax, eax',
      '  ldmxcsr [rip + mxcsr_init]', '  push 0x202', '  popf', `  ${c.text.replace('MEM', `xmmword ptr [rip + x1_${k}]`)}`, '  pushf', '  pop rsi',
      '  movdqu [rdi], xmm0', '  movdqu [rdi + 16], xmm1', '  mov [rdi + 32], rax', '  mov [rdi + 40], rsi', '  stmxcsr [rdi + 44]', '  add rdi, 48');
  });
  lines.push('  mov eax, 1', '  mov rdx, rdi', '  lea rsi, [rip + buf]', '  sub rdx, rsi', '  mov edi, 1', '  syscall',
    '  mov eax, 60', '  xor edi, edi', '  syscall', ...data, '.bss', '.align 16', `buf: .space ${cases.length * 48}`);
  return lines.join('\n') + '\n';
}

describe('interp engine agrees with this machine\'s CPU on SSE/SSE2 instructions', function () {
  this.timeout(120_000);
  for (const [modeName, opts] of MODES) it(`XMM registers, RAX and flags after every case match native execution (${modeName})`, function () {
    if (!native) this.skip();
    mode = opts;
    const cases = generateSse(32);
    const dir = mkdtempSync(join(tmpdir(), 'kemu-native-sse-'));
    writeFileSync(join(dir, 't.s'), sseProgram(cases));
    execFileSync('as', ['--64', '-o', join(dir, 't.o'), join(dir, 't.s')]);
    execFileSync('ld', ['-static', '-o', join(dir, 't'), join(dir, 't.o')]);
    const want = execFileSync(join(dir, 't'));
    const got = runInterp(join(dir, 't'));
    expect(got.length).to.equal(want.length);
    const bad: string[] = [];
    const names = ['xmm0.lo', 'xmm0.hi', 'xmm1.lo', 'xmm1.hi', 'rax', 'mxcsr:flags'];
    cases.forEach((c, k) => {
      for (let r = 0; r < 6; r++) {
        let w = want.readBigUInt64LE(48 * k + 8 * r), g = got.readBigUInt64LE(48 * k + 8 * r);
        const mask = (0xffffffffn << 32n) | BigInt(ARITH); // MXCSR in the high half, EFLAGS in the low
        if (r === 5) { w &= mask; g &= mask; }
        if (w !== g && bad.length < 30) {
          bad.push(`${c.text} with xmm0=${c.x0.map((x) => x.toString(16))} xmm1=${c.x1.map((x) => x.toString(16))} rbx=0x${c.rbx.toString(16)}: `
            + `${names[r]} got 0x${g.toString(16)} want 0x${w.toString(16)}`);
        }
      }
    });
    expect(bad, bad.join('\n')).to.deep.equal([]);
  });
});

// ---- x87 -----------------------------------------------------------------------------------------

interface X87Case { text: string; a: [bigint, number]; b: [bigint, number]; cw: number }

/** An interesting 80-bit value: [significand, sign|exponent]. */
function f80(next: () => bigint): [bigint, number] {
  const r = next();
  const sign = Number((r >> 7n) & 1n) << 15;
  switch (Number(r % 10n)) {
    case 0: return [0n, sign];
    case 1: return [1n << 63n, sign | 0x7fff]; // inf
    case 2: return [(3n << 62n) | 5n, sign | 0x7fff]; // qNaN
    case 3: return [1n << 63n, sign | 0x3fff]; // 1.0
    case 4: return [(next() >> 1n) | 0n, sign]; // denormal
    case 5: return [(1n << 63n) | (next() >> 1n), sign | (0x3fff + Number((r >> 8n) % 70n))]; // integers-ish
    default: return [(1n << 63n) | (next() >> 1n), sign | (0x3ff0 + Number((r >> 8n) % 32n))];
  }
}

function generateX87(per: number): X87Case[] {
  const next = rng(0x51ed2701abcdef99n);
  const out: X87Case[] = [];
  const cws = [0x37f, 0x77f, 0xb7f, 0xf7f, 0x27f, 0x07f];
  for (const text of ['fadd st(0), st(1)', 'fsub st(0), st(1)', 'fsubr st(0), st(1)', 'fmul st(0), st(1)', 'fdiv st(0), st(1)',
    'fdivr st(0), st(1)', 'faddp st(1), st(0)', 'fsqrt', 'fprem', 'fprem1', 'frndint', 'fchs', 'fabs', 'fxch st(1)', 'fcomi st(0), st(1)',
    'fucomi st(0), st(1)', 'fcom st(1)', 'fucom st(1)', 'ftst', 'fxam', 'fscale', 'fxtract', 'fld1', 'fldpi', 'fldl2e', 'fldln2', 'fldz',
    'fst qword ptr [rbx]\n  fld qword ptr [rbx]', 'fst dword ptr [rbx]\n  fld dword ptr [rbx]', 'fistp qword ptr [rbx]\n  fild qword ptr [rbx]',
    // (no fisttp: it is SSE3, which CPUID does not report, so interp decodes it as #UD)
    'fist dword ptr [rbx]\n  fild dword ptr [rbx]', 'fistp word ptr [rbx]\n  fild word ptr [rbx]',
    // C1 as the store leaves it (rounded up or not, overflow, underflow), and after a stack overflow and underflow.
    'fst qword ptr [rbx]', 'fst dword ptr [rbx]', 'fstp qword ptr [rbx]', 'fist dword ptr [rbx]', 'fchs', 'fxch st(1)\n  fabs',
    'fld1\n  fld1\n  fld1\n  fld1\n  fld1\n  fld1\n  fldz', 'fstp st(0)\n  fstp st(0)\n  fadd st(0), st(1)', 'fstp st(0)\n  fstp st(0)\n  fst qword ptr [rbx]']) {
    for (let k = 0; k < per; k++) out.push({ text, a: f80(next), b: f80(next), cw: cws[Number(next() % BigInt(cws.length))]! });
  }
  // Stores at the ends of the double and float ranges under every rounding and precision control:
  // overflow to infinity or to the largest finite value (C1 says which), underflow, values that round to the limits.
  const edges: [bigint, number][] = [[0xc000000000000001n, 0x7000], [0xc000000000000001n, 0x3bf9], [0xfffffffffffff800n, 0x43fe],
    [0xfffffffffffffc00n, 0x43fe], [0xffffffffffffffffn, 0x43fe], [0x8000000000000000n, 0x3c01], [0xffffffffffffffffn, 0x3c00],
    [0xffffff8000000000n, 0x407e], [0xffffffffffffffffn, 0x407e], [0xffffffffffffffffn, 0x3f80], [0x8000000000000001n, 0x3bcd]];
  for (const text of ['fst qword ptr [rbx]', 'fst dword ptr [rbx]', 'fstp qword ptr [rbx]']) {
    for (const [m, e] of edges) for (const cw of cws) for (const sign of [0, 0x8000]) out.push({ text, a: [m, e | sign], b: [1n << 63n, 0x3fff], cw });
  }
  return out;
}

function x87Program(cases: X87Case[]): string {
  const lines = ['.intel_syntax noprefix', '.globl _start', '.text', '_start:', '  lea rdi, [rip + buf]', '  lea rbx, [rip + scratch]'];
  const data = ['.data', '.align 16', 'scratch: .quad 0, 0'];
  cases.forEach((c, k) => {
    data.push(`a_${k}: .quad ${c.a[0]}`, `  .short ${c.a[1]}, 0, 0, 0`, `b_${k}: .quad ${c.b[0]}`, `  .short ${c.b[1]}, 0, 0, 0`, `cw_${k}: .short ${c.cw}`);
    lines.push('  fninit', `  fldcw [rip + cw_${k}]`, `  fld tbyte ptr [rip + b_${k}]`, `  fld tbyte ptr [rip + a_${k}]`, '  push 0x202', '  popf',
      `  ${c.text}`, '  pushf', '  pop rsi', '  fnstsw ax', '  fstp tbyte ptr [rdi]', '  fstp tbyte ptr [rdi + 16]',
      '  mov [rdi + 32], rax', '  mov [rdi + 40], rsi', '  add rdi, 48');
  });
  lines.push('  mov eax, 1', '  mov rdx, rdi', '  lea rsi, [rip + buf]', '  sub rdx, rsi', '  mov edi, 1', '  syscall',
    '  mov eax, 60', '  xor edi, edi', '  syscall', ...data, '.bss', '.align 16', `buf: .space ${cases.length * 48}`);
  return lines.join('\n') + '\n';
}

describe('interp engine agrees with this machine\'s CPU on x87 instructions', function () {
  this.timeout(120_000);
  for (const [modeName, opts] of MODES) it(`ST0, ST1, condition codes (C1 included), TOP and EFLAGS after every case match native execution (${modeName})`, function () {
    if (!native) this.skip();
    mode = opts;
    const cases = generateX87(64);
    const dir = mkdtempSync(join(tmpdir(), 'kemu-native-x87-'));
    writeFileSync(join(dir, 't.s'), x87Program(cases));
    execFileSync('as', ['--64', '-o', join(dir, 't.o'), join(dir, 't.s')]);
    execFileSync('ld', ['-static', '-o', join(dir, 't'), join(dir, 't.o')]);
    const want = execFileSync(join(dir, 't'));
    const got = runInterp(join(dir, 't'));
    expect(got.length).to.equal(want.length);
    const bad: string[] = [];
    const hex = (b: Buffer, o: number) => b.subarray(o, o + 10).reverse().toString('hex');
    cases.forEach((c, k) => {
      const o = 48 * k;
      const diffs: string[] = [];
      if (hex(want, o) !== hex(got, o)) diffs.push(`st0 got ${hex(got, o)} want ${hex(want, o)}`);
      if (hex(want, o + 16) !== hex(got, o + 16)) diffs.push(`st1 got ${hex(got, o + 16)} want ${hex(want, o + 16)}`);
      const sw = (b: Buffer) => b.readUInt16LE(o + 32); // the whole FSW: B C3 TOP C2 C1 C0 ES SF and the exception flags
      if (sw(want) !== sw(got)) diffs.push(`fsw got 0x${sw(got).toString(16)} want 0x${sw(want).toString(16)}`);
      const fl = (b: Buffer) => b.readUInt32LE(o + 40) & ARITH;
      if (fl(want) !== fl(got)) diffs.push(`flags got 0x${fl(got).toString(16)} want 0x${fl(want).toString(16)}`);
      if (diffs.length && bad.length < 30) {
        bad.push(`${c.text.replace('\n ', ';')} a=${c.a[1].toString(16)}:${c.a[0].toString(16)} b=${c.b[1].toString(16)}:${c.b[0].toString(16)} cw=${c.cw.toString(16)}: ${diffs.join(', ')}`);
      }
    });
    expect(bad, bad.join('\n')).to.deep.equal([]);
  });
});

// ---- random instruction streams ----------------------------------------------------------------------

const STREAM_REGS: Record<number, string[]> = {
  1: ['al', 'bl', 'cl', 'dl', 'sil', 'dil', 'r8b', 'r9b', 'ah', 'bh'],
  2: ['ax', 'bx', 'cx', 'dx', 'si', 'di', 'r8w', 'r9w'],
  4: ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'r8d', 'r9d'],
  8: ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'r8', 'r9'],
};
const CCS = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

/**
 * One random instruction whose flags are all defined (so that later
 * instructions reading them are deterministic): ALU, inc/dec, 1-bit shifts
 * and rotates, setcc, cmovcc, xadd, cmpxchg, moves, popcnt.
 */
function randomInsn(next: () => bigint): string {
  const pick = <T>(a: readonly T[]): T => a[Number(next() % BigInt(a.length))]!;
  const size = pick([1, 2, 4, 8, 8, 4]);
  let regs = STREAM_REGS[size]!;
  const a = pick(regs);
  // AH..BH cannot be encoded with a REX prefix: keep byte pairs REX-compatible.
  if (size === 1 && (a === 'ah' || a === 'bh')) regs = regs.filter((r) => !/^(sil|dil|r8b|r9b)$/.test(r));
  if (size === 1 && /^(sil|dil|r8b|r9b)$/.test(a)) regs = regs.filter((r) => r !== 'ah' && r !== 'bh');
  const b = pick(regs);
  const imm = Number(next() % 256n) - 128;
  const mem = pick(['qword ptr [rsp - 64]', 'qword ptr [rsp - 60]']);
  const memOf = (sz: number): string => mem.replace('qword', { 1: 'byte', 2: 'word', 4: 'dword', 8: 'qword' }[sz]!);
  switch (Number(next() % 28n)) {
    case 24: return `${pick(['add', 'sub', 'and', 'or', 'xor', 'cmp', 'test'])} ${STREAM_REGS[size]![0]}, ${size === 1 ? imm : imm * 1000 + 7}`;
    case 25: return `call 1f\n1: pop ${pick(STREAM_REGS[8]!)}`;
    case 26: return `test ${a}, ${size === 1 ? imm : imm * 4099}`;
    case 27: return size === 1 ? `set${pick(CCS)} ${a}` : `cmov${pick(CCS)} ${a}, ${b}`;
    case 20: return `push ${pick(STREAM_REGS[8]!)}\n  pop ${pick(STREAM_REGS[8]!)}`;
    case 21: return `mov ${memOf(size === 2 ? 4 : size)}, ${size === 8 ? imm * 65536 : imm}`;
    case 22: return size >= 4 ? `movsx ${a}, ${memOf(pick([1, 2]))}` : `movsx ${STREAM_REGS[4]![1]}, ${memOf(size)}`;
    case 23: return size === 8 ? `movsxd ${a}, ${memOf(4)}` : `inc ${memOf(size)}`;
    case 14: return size >= 4 ? `mov ${memOf(size)}, ${a}` : `mov ${a}, ${memOf(size)}`;
    case 15: return size >= 4 ? `mov ${a}, ${memOf(size)}` : `cmp ${memOf(1)}, ${imm}`;
    case 16: return size >= 4 ? `${pick(['add', 'sub', 'and', 'or', 'xor', 'cmp'])} ${a}, ${memOf(size)}` : `add ${memOf(size)}, ${a}`;
    case 17: return size >= 4 ? `cmp ${memOf(size)}, ${imm}` : `movzx ${STREAM_REGS[4]![0]}, ${memOf(size)}`;
    case 18: return `j${pick(CCS)} 1f\n1:`;
    case 19: return `lea ${STREAM_REGS[8]![Number(next() % 8n)]}, [${pick(STREAM_REGS[8]!)} + ${pick(STREAM_REGS[8]!)}*${pick([1, 2, 4, 8])} + ${imm}]`;
    case 0: case 1: case 2: return `${pick(['add', 'adc', 'sub', 'sbb', 'cmp', 'and', 'or', 'xor', 'test'])} ${a}, ${b}`;
    case 3: return `${pick(['add', 'adc', 'sub', 'sbb', 'cmp', 'and', 'or', 'xor'])} ${a}, ${imm}`;
    case 4: return `${pick(['inc', 'dec', 'neg', 'not'])} ${a}`;
    case 5: return `${pick(['shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr'])} ${a}, 1`;
    case 6: return `set${pick(CCS)} ${pick(STREAM_REGS[1]!.slice(0, 8))}`;
    case 7: return size === 1 ? `mov ${a}, ${b}` : `cmov${pick(CCS)} ${a}, ${b}`;
    case 8: return size === 1 || a === b ? `xchg ${a}, ${b}` : `xadd ${a}, ${b}`;
    case 9: return `cmpxchg ${a}, ${b}`;
    case 10: return size === 1 ? `mov ${a}, ${imm}` : `${pick(['movzx', 'movsx'])} ${a}, ${pick(STREAM_REGS[1]!.slice(0, 8))}`;
    case 11: return size <= 2 ? `lea ${STREAM_REGS[4]![0]}, [${pick(STREAM_REGS[8]!)} + ${pick(STREAM_REGS[8]!)}*2 + ${imm}]` : `lea ${a}, [${pick(STREAM_REGS[8]!)} + ${imm}]`;
    case 12: return size === 1 ? 'cmc' : `popcnt ${a}, ${b}`;
    default: return pick(['stc', 'clc', 'cmc', 'cqo', 'cdqe', 'cwde', 'cbw']);
  }
}

describe('interp engine agrees with this machine\'s CPU on random instruction streams', function () {
  this.timeout(120_000);
  for (const [modeName, opts] of MODES) it(`eight registers and the defined flags after each stream of 8 random instructions match native execution (${modeName})`, function () {
    if (!native) this.skip();
    mode = opts;
    const next = rng(0xdeadbeefcafef00dn);
    const streams: { init: bigint[]; flags: number; insns: string[] }[] = [];
    for (let k = 0; k < 4000; k++) {
      streams.push({ init: Array.from({ length: 8 }, () => operand(next)), flags: Number(next() & BigInt(ARITH)), insns: Array.from({ length: 8 }, () => randomInsn(next)) });
    }
    const names = STREAM_REGS[8]!;
    const lines = ['.intel_syntax noprefix', '.globl _start', '.text', '_start:', '  lea r15, [rip + buf]'];
    for (const st of streams) {
      st.init.forEach((v, r) => lines.push(`  mov ${names[r]}, ${v}`));
      lines.push('  mov [rsp - 64], rbx', '  mov [rsp - 56], rcx');
      lines.push(`  push ${st.flags | 0x202}`, '  popf', ...st.insns.map((t) => '  ' + t), '  pushf', '  pop r14');
      names.forEach((n, r) => lines.push(`  mov [r15 + ${8 * r}], ${n}`));
      lines.push('  mov [r15 + 64], r14', '  add r15, 72');
    }
    lines.push('  mov eax, 1', '  mov rdx, r15', '  lea rsi, [rip + buf]', '  sub rdx, rsi', '  mov edi, 1', '  syscall',
      '  mov eax, 60', '  xor edi, edi', '  syscall', '.bss', '.align 16', `buf: .space ${streams.length * 72}`);
    const dir = mkdtempSync(join(tmpdir(), 'kemu-native-stream-'));
    writeFileSync(join(dir, 't.s'), lines.join('\n') + '\n');
    execFileSync('as', ['--64', '-o', join(dir, 't.o'), join(dir, 't.s')]);
    execFileSync('ld', ['-static', '-o', join(dir, 't'), join(dir, 't.o')]);
    const want = execFileSync(join(dir, 't'));
    const got = runInterp(join(dir, 't'));
    expect(got.length).to.equal(want.length);
    const bad: string[] = [];
    streams.forEach((st, k) => {
      for (let r = 0; r < 9; r++) {
        let w = want.readBigUInt64LE(72 * k + 8 * r), g = got.readBigUInt64LE(72 * k + 8 * r);
        if (r === 8) { w &= BigInt(ARITH & ~AF); g &= BigInt(ARITH & ~AF); }
        if (w !== g && bad.length < 10) {
          bad.push(`[${st.insns.join('; ')}] from ${st.init.map((v) => v.toString(16)).join(',')} flags=0x${st.flags.toString(16)}: `
            + `${r === 8 ? 'flags' : names[r]} got 0x${g.toString(16)} want 0x${w.toString(16)}`);
        }
      }
    });
    expect(bad, bad.join('\n')).to.deep.equal([]);
  });
});

// ---- MMX -------------------------------------------------------------------------------------------

interface MmxCase { text: string; m0: bigint; m1: bigint; x0: bigint[]; x1: bigint[]; rbx: bigint }

function generateMmx(per: number): MmxCase[] {
  const next = rng(0x3141592653589793n);
  const out: MmxCase[] = [];
  const add = (text: string, kind: 'int' | 'ps' | 'pd' = 'int') => {
    for (let k = 0; k < per; k++) {
      const xmm = (): bigint[] => kind === 'pd' ? [f64(next), f64(next)] : kind === 'ps'
        ? [f32(next) | (f32(next) << 32n), f32(next) | (f32(next) << 32n)] : [operand(next), operand(next)];
      const m = (): bigint => kind === 'int' ? operand(next) : (next() & 0xffffffffn) | (operand(next) << 32n & 0xffffffff00000000n);
      out.push({ text, m0: m(), m1: m(), x0: xmm(), x1: xmm(), rbx: operand(next) });
    }
  };
  for (const op of ['paddb', 'paddw', 'paddd', 'paddq', 'psubb', 'psubw', 'psubd', 'psubq', 'paddsb', 'paddsw', 'paddusb', 'paddusw',
    'psubsb', 'psubsw', 'psubusb', 'psubusw', 'pminub', 'pmaxub', 'pminsw', 'pmaxsw', 'pavgb', 'pavgw', 'pcmpeqb', 'pcmpeqw', 'pcmpeqd',
    'pcmpgtb', 'pcmpgtw', 'pcmpgtd', 'pmullw', 'pmulhw', 'pmulhuw', 'pmuludq', 'pmaddwd', 'psadbw', 'pand', 'pandn', 'por', 'pxor',
    'packsswb', 'packuswb', 'packssdw', 'punpcklbw', 'punpcklwd', 'punpckldq', 'punpckhbw', 'punpckhwd', 'punpckhdq',
    'psrlw', 'psrld', 'psrlq', 'psraw', 'psrad', 'psllw', 'pslld', 'psllq', 'movq']) {
    add(`${op} mm0, mm1`);
    add(`${op} mm0, ${op.startsWith('punpckl') ? 'dword' : 'qword'} ptr [rdi]`);
  }
  for (const t of ['psrlw mm0, 3', 'psrld mm0, 17', 'psrlq mm0, 33', 'psraw mm0, 9', 'psrad mm0, 31', 'psllw mm0, 15', 'pslld mm0, 4',
    'psllq mm0, 63', 'psrlq mm0, 64', 'psrlw mm0, 200', 'psrlw mm0, mm2', 'pshufw mm0, mm1, 0x1b', 'pshufw mm0, qword ptr [rdi], 0xb1',
    'pinsrw mm0, ebx, 2', 'pinsrw mm0, word ptr [rdi], 7', 'pextrw eax, mm1, 3', 'pextrw eax, mm1, 6', 'pmovmskb eax, mm1', 'movd mm0, ebx',
    'movq mm0, rbx', 'movd eax, mm1', 'movq rax, mm1', 'movd mm0, dword ptr [rdi]', 'movd dword ptr [rdi], mm1', 'movq qword ptr [rdi], mm1',
    'movntq qword ptr [rdi], mm1', 'maskmovq mm1, mm0', 'movq2dq xmm0, mm1', 'movdq2q mm0, xmm1', 'emms', 'movq mm3, mm1']) add(t);
  for (const t of ['cvtpi2ps xmm0, mm1', 'cvtpi2ps xmm0, qword ptr [rdi]', 'cvtpi2pd xmm0, mm1', 'cvtpi2pd xmm0, qword ptr [rdi]']) add(t);
  for (const t of ['cvtps2pi mm0, xmm1', 'cvttps2pi mm0, xmm1', 'cvtps2pi mm0, qword ptr [rdi + 8]']) add(t, 'ps');
  for (const t of ['cvtpd2pi mm0, xmm1', 'cvttpd2pi mm0, xmm1', 'cvtpd2pi mm0, xmmword ptr [rdi + 16]']) add(t, 'pd');
  return out;
}

/**
 * Per case: mm0, mm1 (and mm2 = 65), xmm0, xmm1 and a 32-byte scratch at
 * rdi ([m1, m0, xmm1]) loaded; then emms and fld1, so the x87 state is TOP 7
 * with R7 valid and mm0-mm2 held in empty registers; the instruction; then
 * fxsave (FSW's TOP, the tag byte, R0-R7 with their exponent bits, MXCSR,
 * xmm0, xmm1), RAX, RFLAGS and the scratch.
 */
function mmxProgram(cases: MmxCase[]): string {
  const lines = ['.intel_syntax noprefix', '.globl _start', '.text', '_start:', '  lea r15, [rip + buf]', '  lea rdi, [rip + scratch]'];
  const data = ['.data', '.align 16', 'mxcsr_init: .long 0x1f80, 0, 0, 0', 'scratch: .quad 0, 0, 0, 0', 'sixtyfive: .quad 65, 0'];
  cases.forEach((c, k) => {
    data.push(`m_${k}: .quad ${c.m0}, ${c.m1}`, `x0_${k}: .quad ${c.x0[0]}, ${c.x0[1]}`, `x1_${k}: .quad ${c.x1[0]}, ${c.x1[1]}`);
    lines.push('  fninit', `  movq mm0, [rip + m_${k}]`, `  movq mm1, [rip + m_${k} + 8]`, '  movq mm2, [rip + sixtyfive]',
      `  movq [rdi], mm1`, `  movq [rdi + 8], mm0`, `  movdqa xmm0, [rip + x0_${k}]`, `  movdqa xmm1, [rip + x1_${k}]`, '  movdqa [rdi + 16], xmm1',
      '  emms', '  fld1', `  mov rbx, ${c.rbx}`, '  xor eax, eax', '  ldmxcsr [rip + mxcsr_init]', '  push 0x202', '  popf',
      `  ${c.text}`, '  pushf', '  pop rsi', '  fxsave [r15]', '  mov [r15 + 464], rax', '  mov [r15 + 472], rsi',
      '  movdqa xmm2, [rdi]', '  movdqu [r15 + 480], xmm2', '  movdqa xmm2, [rdi + 16]', '  movdqu [r15 + 496], xmm2', '  add r15, 512');
  });
  lines.push('  mov eax, 1', '  mov rdx, r15', '  lea rsi, [rip + buf]', '  sub rdx, rsi', '  mov edi, 1', '  syscall',
    '  mov eax, 60', '  xor edi, edi', '  syscall', ...data, '.bss', '.align 16', `buf: .space ${cases.length * 512}`);
  return lines.join('\n') + '\n';
}

describe('interp engine agrees with this machine\'s CPU on MMX instructions', function () {
  this.timeout(120_000);
  for (const [modeName, opts] of MODES) it(`the x87/MMX registers, tags, TOP, XMM, MXCSR, RAX, flags and memory after every case match native execution (${modeName})`, function () {
    if (!native) this.skip();
    mode = opts;
    const cases = generateMmx(12);
    const dir = mkdtempSync(join(tmpdir(), 'kemu-native-mmx-'));
    writeFileSync(join(dir, 't.s'), mmxProgram(cases));
    execFileSync('as', ['--64', '-o', join(dir, 't.o'), join(dir, 't.s')]);
    execFileSync('ld', ['-static', '-o', join(dir, 't'), join(dir, 't.o')]);
    const want = execFileSync(join(dir, 't'), { maxBuffer: 64 << 20 });
    const got = runInterp(join(dir, 't'));
    expect(got.length).to.equal(want.length);
    // [offset, length, name]: FSW, FTW, MXCSR, R0-R7 (ST slots: TOP is 0 after an MMX instruction), xmm0, xmm1, rax, flags, scratch.
    const fields: [number, number, string][] = [[2, 2, 'fsw'], [4, 1, 'ftw'], [24, 4, 'mxcsr'],
      ...Array.from({ length: 8 }, (_, r): [number, number, string] => [32 + 16 * r, 10, `st${r}`]),
      [160, 16, 'xmm0'], [176, 16, 'xmm1'], [464, 8, 'rax'], [472, 8, 'rflags'], [480, 32, 'scratch']];
    const bad: string[] = [];
    cases.forEach((c, k) => {
      for (const [o, n, name] of fields) {
        let w = want.subarray(512 * k + o, 512 * k + o + n).toString('hex'), g = got.subarray(512 * k + o, 512 * k + o + n).toString('hex');
        if (name === 'rflags') { w = (want.readUInt32LE(512 * k + o) & ARITH).toString(16); g = (got.readUInt32LE(512 * k + o) & ARITH).toString(16); }
        if (w !== g && bad.length < 30) {
          bad.push(`${c.text} with mm0=${c.m0.toString(16)} mm1=${c.m1.toString(16)} xmm0=${c.x0.map((x) => x.toString(16))} xmm1=${c.x1.map((x) => x.toString(16))} rbx=${c.rbx.toString(16)}: ${name} got ${g} want ${w}`);
        }
      }
    });
    expect(bad, bad.join('\n')).to.deep.equal([]);
  });
});
