/**
 * The native evidence for each Unicorn deviation the lockstep harness
 * accepts (emulator/interp/lockstep-exceptions.ts): a probe program run on
 * this machine's CPU, on interp and on Unicorn. Each probe must come out of
 * interp as it comes out of the real CPU, and out of Unicorn differently
 * (should a Unicorn upgrade fix one, this test says so and the exception
 * goes).
 */

import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterpEngine } from '../../emulator/interp/index.js';
import { loadUnicornEngine, unicornAvailable } from '../../emulator/unicorn/index.js';
import { runBareElf } from './bare-elf.js';

/** [name in lockstep-exceptions.ts, assembly leaving a 64-bit result in rax]. */
const PROBES: [string, string][] = [
  ['x87-compare-flags', 'fninit\n fld1\n fld1\n push 0x8d3\n popf\n fucomi st(0), st(1)\n pushf\n pop rax'],
  ['x87-compare-flags', 'fninit\n fldz\n fld1\n push 0x8d3\n popf\n fcomip st(0), st(1)\n pushf\n pop rax'],
  ['x87-precision-flag', 'fninit\n fld qword ptr [rip + onehalf]\n fistp qword ptr [rip + scratch]\n fnstsw ax'],
  ['x87-precision-flag', 'fninit\n fld qword ptr [rip + onehalf]\n fist dword ptr [rip + scratch]\n fnstsw ax'],
  ['x87-fprem', 'fninit\n fld tbyte ptr [rip + f2048]\n fld tbyte ptr [rip + fbig]\n fprem\n fstp tbyte ptr [rip + scratch]\n mov rax, [rip + scratch]'],
  ['x87-fprem', 'fninit\n fld tbyte ptr [rip + f2048]\n fld tbyte ptr [rip + fbig]\n fprem\n fnstsw ax'],
  ['x87-range-flags', 'fninit\n fld tbyte ptr [rip + ftiny]\n fstp qword ptr [rip + scratch]\n fnstsw ax\n movzx eax, ax\n and eax, 0x3f'],
  ['x87-range-flags', 'fninit\n fld tbyte ptr [rip + fhuge]\n fstp qword ptr [rip + scratch]\n fnstsw ax\n movzx eax, ax\n and eax, 0x3f'],
  ['x87-load-snan', 'fninit\n fld qword ptr [rip + snan]\n fstp tbyte ptr [rip + scratch]\n mov rax, [rip + scratch]'],
  ['shift-carry', 'lea r15, [rip + scratch]\n mov qword ptr [r15], 0x10\n mov cl, 5\n push 0x202\n popf\n sar qword ptr [r15], cl\n pushf\n pop rax\n and eax, 0xfef'],
  ['cmpxchg32-upper', 'mov rbx, 0x1234567800000005\n mov eax, 7\n mov ecx, 9\n cmpxchg ebx, ecx\n mov rax, rbx'],
  ['mmx-exponent-bits', 'fninit\n movq mm0, [rip + one]\n fxsave [rip + fxbuf]\n emms\n movzx eax, word ptr [rip + fxbuf + 40]'],
  ['sse-nan-choice', 'movd xmm0, [rip + qnan1]\n movd xmm1, [rip + qnan2]\n mulps xmm0, xmm1\n movd eax, xmm0'],
  ['sse-exception-flags', 'ldmxcsr [rip + mxinit]\n movsd xmm0, [rip + one]\n divsd xmm0, [rip + three]\n stmxcsr [rip + scratch]\n mov eax, [rip + scratch]'],
  ['sse-exception-flags', 'ldmxcsr [rip + mxinit]\n movsd xmm0, [rip + denorm]\n ucomisd xmm0, xmm0\n stmxcsr [rip + scratch]\n mov eax, [rip + scratch]'],
  ['sse-exception-flags', 'ldmxcsr [rip + mxinit]\n movsd xmm0, [rip + tiny]\n mulsd xmm0, xmm0\n stmxcsr [rip + scratch]\n mov eax, [rip + scratch]'],
  ['x87-denormal-flag', 'fninit\n fld qword ptr [rip + denorm]\n fnstsw ax\n movzx eax, ax'],
  ['x87-compare-invalid', 'fninit\n fld qword ptr [rip + qnand]\n ftst\n fnstsw ax\n movzx eax, ax'],
  ['x87-compare-invalid', 'fninit\n fld1\n fld qword ptr [rip + qnand]\n fcomi st(0), st(1)\n fnstsw ax\n movzx eax, ax'],
  ['sse-ftz', 'ldmxcsr [rip + mxftz]\n movsd xmm0, [rip + dmin]\n mulsd xmm0, [rip + half]\n movq rax, xmm0\n ldmxcsr [rip + mxinit]'],
];

function program(): string {
  const lines = ['.intel_syntax noprefix', '.globl _start', '.text', '_start:', '  lea rdi, [rip + buf]'];
  for (const [, text] of PROBES) lines.push(`  ${text}`, '  mov [rdi], rax', '  add rdi, 8');
  lines.push('  mov eax, 1', '  mov edi, 1', '  lea rsi, [rip + buf]', `  mov edx, ${8 * PROBES.length}`, '  syscall',
    '  mov eax, 60', '  xor edi, edi', '  syscall',
    '.data', '.align 16', 'onehalf: .double 1.5', 'one: .double 1.0', 'three: .double 3.0', 'denorm: .quad 1', 'tiny: .double 1e-200', 'fbig: .quad 0x83126e978d4fdf3b', '  .short 0xc03e, 0, 0, 0', 'f2048: .quad 0x8000000000000000', '  .short 0x400a, 0, 0, 0', 'ftiny: .quad 0xc000000000000001', '  .short 0x3bf9, 0, 0, 0', 'fhuge: .quad 0xc000000000000001', '  .short 0x7000, 0, 0, 0',
    'snan: .quad 0xfff5555555555555', 'qnand: .quad 0x7ff8000000000000', 'qnan1: .long 0xfffe0000', 'qnan2: .long 0xffffffff', '.align 16', 'fxbuf: .space 512',
    'mxinit: .long 0x1f80', 'mxftz: .long 0x9f80', 'dmin: .quad 0x0010000000000000', 'half: .double 0.5', 'scratch: .quad 0, 0', '.bss', '.align 16', `buf: .space ${8 * PROBES.length}`);
  return lines.join('\n') + '\n';
}

const native = platform() === 'linux' && arch() === 'x64';

describe('Unicorn deviations the lockstep harness accepts: the real CPU decides', function () {
  this.timeout(60_000);
  it('each probe: interp gives what this machine\'s CPU gives, Unicorn does not', function () {
    if (!native) this.skip();
    if (!unicornAvailable()) { console.log('      skipped: libunicorn.so.2 not present'); this.skip(); }
    const dir = mkdtempSync(join(tmpdir(), 'kemu-probe-'));
    writeFileSync(join(dir, 'p.s'), program());
    execFileSync('as', ['--64', '-o', join(dir, 'p.o'), join(dir, 'p.s')]);
    execFileSync('ld', ['-static', '-o', join(dir, 'p'), join(dir, 'p.o')]);
    const want = execFileSync(join(dir, 'p'));
    const interp = runBareElf(createInterpEngine(), join(dir, 'p'));
    const unicorn = runBareElf(loadUnicornEngine(), join(dir, 'p'));
    PROBES.forEach(([name, text], k) => {
      const w = want.readBigUInt64LE(8 * k), i = interp.readBigUInt64LE(8 * k), u = unicorn.readBigUInt64LE(8 * k);
      expect(i, `${name}: interp on ${text.replace(/\n/g, ';')}`).to.equal(w);
      expect(u, `${name}: Unicorn now agrees with the CPU on ${text.replace(/\n/g, ';')}: drop the exception`).to.not.equal(w);
    });
  });
});
