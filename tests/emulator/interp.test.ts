/**
 * The interp engine, instruction by instruction: each test assembles a
 * snippet with GNU as (Intel syntax), runs it on a fresh CPU with code,
 * data and stack mapped, and checks registers, flags and memory.
 */

import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROT_EXEC, PROT_READ, PROT_WRITE } from '../../emulator/engine.js';
import type { Cpu, CpuExit } from '../../emulator/engine.js';
import { decode } from '../../emulator/interp/decode.js';
import { disassemble } from '../../emulator/interp/disasm.js';
import { createInterpEngine, InterpCpu } from '../../emulator/interp/index.js';
import { GuestMemory } from '../../emulator/interp/memory.js';
import {
  FLAG_CF, FLAG_OF, FLAG_PF, FLAG_SF, FLAG_ZF, FS_BASE, RAX, RBX, RCX, RDI, RDX, RFLAGS, RIP, RSI, RSP,
  R8, R9, R11, R12,
} from '../../emulator/regs.js';

const CODE = 0x400000n;
const DATA = 0x600000n;
const STACK_TOP = 0x800000n;
const tmp = mkdtempSync(join(tmpdir(), 'kemu-interp-'));
const cache = new Map<string, Uint8Array>();

/** Assemble Intel-syntax x86-64 source to flat bytes. */
function asm(src: string): Uint8Array {
  const hit = cache.get(src);
  if (hit) return hit;
  const s = join(tmp, 'a.s'), o = join(tmp, 'a.o'), b = join(tmp, 'a.bin');
  writeFileSync(s, `.intel_syntax noprefix\n.text\n${src}\n`);
  execFileSync('as', ['--64', '-o', o, s]);
  execFileSync('objcopy', ['-O', 'binary', '-j', '.text', o, b]);
  const bytes = new Uint8Array(readFileSync(b));
  cache.set(src, bytes);
  return bytes;
}

interface Machine {
  cpu: InterpCpu;
  code: Uint8Array;
  data: Uint8Array;
  stack: Uint8Array;
  exit: CpuExit;
  reg(n: number): bigint;
  flags(): number;
}

/** Map code (RX), 64 KiB of data (RW) and 64 KiB of stack (RW); run `src` (which should end in hlt). */
function run(src: string, setup?: (m: Machine) => void, bytes?: Uint8Array): Machine {
  const cpu = createInterpEngine().createCpu() as InterpCpu;
  const code = new Uint8Array(0x10000);
  code.set(bytes ?? asm(src));
  const data = new Uint8Array(0x10000);
  const stack = new Uint8Array(0x10000);
  cpu.map(CODE, code.length, PROT_READ | PROT_EXEC, code);
  cpu.map(DATA, data.length, PROT_READ | PROT_WRITE, data);
  cpu.map(STACK_TOP - 0x10000n, stack.length, PROT_READ | PROT_WRITE, stack);
  cpu.setReg(RIP, CODE);
  cpu.setReg(RSP, STACK_TOP);
  const m: Machine = {
    cpu, code, data, stack, exit: { kind: 'budget' },
    reg: (n) => cpu.getReg(n),
    flags: () => Number(cpu.getReg(RFLAGS)),
  };
  setup?.(m);
  m.exit = cpu.run({ instructions: 1_000_000, timeoutMs: 10_000 });
  return m;
}

const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

describe('interp engine', () => {
  describe('memory', () => {
    it('reads and writes 8, 16, 32 and 64 bits little-endian', () => {
      const m = run(`
        mov rax, 0x1122334455667788
        mov [0x600000], rax
        mov ebx, [0x600000]
        movzx ecx, word ptr [0x600006]
        mov dl, [0x600001]
        hlt`);
      expect(m.reg(RBX)).to.equal(0x55667788n);
      expect(m.reg(RCX)).to.equal(0x1122n);
      expect(m.reg(RDX) & 0xffn).to.equal(0x77n);
      expect(Array.from(m.data.subarray(0, 8))).to.deep.equal([0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]);
    });

    it('reads and writes values that straddle a page boundary', () => {
      const m = run(`
        mov rax, 0x0102030405060708
        mov [0x600ffd], rax
        mov rbx, [0x600ffd]
        mov ecx, [0x600ffe]
        hlt`);
      expect(m.reg(RBX)).to.equal(0x0102030405060708n);
      expect(m.reg(RCX)).to.equal(0x04050607n);
      expect(m.data[0xffd]).to.equal(0x08);
      expect(m.data[0x1004]).to.equal(0x01);
    });

    it('faults on an unmapped read with RIP left on the instruction (SEGV_MAPERR)', () => {
      const m = run('mov rax, 1\nmov rbx, [0x12345]\nhlt');
      expect(m.exit).to.deep.equal({ kind: 'fault', addr: 0x12345n, access: 'read', mapped: false });
      expect(m.reg(RIP)).to.equal(CODE + 7n);
      expect(m.reg(RAX)).to.equal(1n);
    });

    it('faults on a write to a read-only page with mapped true (SEGV_ACCERR)', () => {
      const m = run('mov byte ptr [0x400800], 1\nhlt');
      expect(m.exit).to.deep.equal({ kind: 'fault', addr: 0x400800n, access: 'write', mapped: true });
      expect(m.reg(RIP)).to.equal(CODE);
    });

    it('faults on a straddling write without writing the mapped part', () => {
      const m = run('mov rax, -1\nmov [0x60fffc], rax\nhlt');
      expect(m.exit).to.deep.equal({ kind: 'fault', addr: 0x610000n, access: 'write', mapped: false });
      expect(Array.from(m.data.subarray(0xfffc))).to.deep.equal([0, 0, 0, 0]);
    });

    it('leaves flags and the destination unchanged when a read-modify-write faults', () => {
      const m = run('mov eax, 1\ncmp eax, 2\nadd [0x400800], eax\nhlt');
      expect(m.exit.kind).to.equal('fault');
      expect(m.flags() & FLAG_CF).to.equal(FLAG_CF); // from the cmp
    });

    it('faults with access exec when jumping to a non-executable page', () => {
      const m = run('mov rax, 0x600000\njmp rax');
      expect(m.exit).to.deep.equal({ kind: 'fault', addr: 0x600000n, access: 'exec', mapped: true });
      expect(m.reg(RIP)).to.equal(0x600000n);
    });

    it('sees code written at run time (self-modifying code)', () => {
      // The code page is made writable; the loop patches the immediate of `mov eax, 1` to 2 after running it once.
      const src = `
        xor ecx, ecx
      again:
        mov eax, 1
        add ecx, eax
        cmp ecx, 1
        jne done
        mov byte ptr [rip + again + 1], 2
        jmp again
      done:
        hlt`;
      const bytes = asm(src);
      const cpu = createInterpEngine().createCpu();
      const code = new Uint8Array(0x1000);
      code.set(bytes);
      cpu.map(CODE, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC, code);
      cpu.setReg(RIP, CODE);
      expect(cpu.run({ instructions: 100, timeoutMs: 1000 }).kind).to.equal('hlt');
      expect(cpu.getReg(RCX)).to.equal(3n);
    });

    it('drops decoded code on invalidate() after the kernel rewrites it', () => {
      const cpu = createInterpEngine().createCpu();
      const code = new Uint8Array(0x1000);
      code.set(asm('mov eax, 1\nhlt'));
      cpu.map(CODE, 0x1000, PROT_READ | PROT_EXEC, code);
      cpu.setReg(RIP, CODE);
      cpu.run({ instructions: 10, timeoutMs: 1000 });
      code.set(asm('mov eax, 2\nhlt'));
      cpu.invalidate(CODE, 0x1000);
      cpu.setReg(RIP, CODE);
      cpu.run({ instructions: 10, timeoutMs: 1000 });
      expect(cpu.getReg(RAX)).to.equal(2n);
    });

    it('addresses fs: and gs: relative to FS_BASE and GS_BASE', () => {
      const m = run('mov rax, fs:[8]\nmov qword ptr fs:[16], 7\nhlt', (mm) => {
        mm.cpu.setReg(FS_BASE, DATA + 0x100n);
        mm.data[0x108] = 0x42;
      });
      expect(m.reg(RAX)).to.equal(0x42n);
      expect(m.data[0x110]).to.equal(7);
    });
  });

  describe('compiled blocks', () => {
    /** Map `src` at CODE (RWX) on a CPU that compiles every block on first sight. */
    function compiled(src: string): Cpu {
      const cpu = createInterpEngine({ blocks: true, hot: 1 }).createCpu();
      const code = new Uint8Array(0x1000);
      code.set(asm(src));
      cpu.map(CODE, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC, code);
      const data = new Uint8Array(0x1000);
      cpu.map(DATA, 0x1000, PROT_READ | PROT_WRITE, data);
      cpu.setReg(RIP, CODE);
      return cpu;
    }

    it('popf setting TF inside a compiled region leaves it: each following instruction then traps alone', () => {
      const cpu = compiled(`
        mov ecx, 300
      spin:
        dec ecx
        jnz spin
        pushf
        or qword ptr [rsp], 0x100
        popf
        mov eax, 1
      second:
        mov ebx, 2
      third:
        hlt`);
      cpu.setReg(RSP, DATA + 0x1000n);
      const at = (label: string): bigint => CODE + BigInt(asm(`mov ecx, 300\nspin:\ndec ecx\njnz spin\npushf\nor qword ptr [rsp], 0x100\npopf\nmov eax, 1\n${label === 'third' ? 'mov ebx, 2' : ''}`).length);
      const budget = { instructions: 100_000, timeoutMs: 10_000 };
      expect(cpu.run(budget)).to.deep.equal({ kind: 'db', icebp: false });
      expect(cpu.getReg(RIP)).to.equal(at('second'));
      expect([cpu.getReg(RAX), cpu.getReg(RBX)]).to.deep.equal([1n, 0n]);
      expect(cpu.run(budget)).to.deep.equal({ kind: 'db', icebp: false });
      expect(cpu.getReg(RIP)).to.equal(at('third'));
      expect(cpu.getReg(RBX)).to.equal(2n);
      expect(cpu.run(budget)).to.deep.equal({ kind: 'hlt' }); // a fault, not a trap after it
    });

    it('a store that patches a later instruction of the same block takes effect', () => {
      const cpu = compiled(`
        xor ecx, ecx
      again:
        mov byte ptr [rip + patch + 1], 2
      patch:
        mov eax, 1
        add ecx, eax
        cmp ecx, 10
        jb again
        hlt`);
      expect(cpu.run({ instructions: 1000, timeoutMs: 1000 }).kind).to.equal('hlt');
      expect(cpu.getReg(RCX)).to.equal(10n);
      expect(cpu.getReg(RAX)).to.equal(2n);
    });

    it('a fault inside a block leaves RIP on the faulting instruction and keeps the earlier effects', () => {
      const cpu = compiled('mov eax, 7\nadd eax, 1\nmov rbx, [0x12345]\nmov eax, 99\nhlt');
      expect(cpu.run({ instructions: 100, timeoutMs: 1000 })).to.deep.equal({ kind: 'fault', addr: 0x12345n, access: 'read', mapped: false });
      expect(cpu.getReg(RAX)).to.equal(8n);
      expect(cpu.getReg(RIP)).to.equal(CODE + 8n);
    });

    it('counts instructions exactly: a budget smaller than a block runs it instruction by instruction', () => {
      const cpu = compiled('1: inc eax\ninc eax\ninc eax\njmp 1b');
      cpu.run({ instructions: 4, timeoutMs: 1000 }); // compiles the loop's block
      expect(cpu.run({ instructions: 10, timeoutMs: 1000 })).to.deep.equal({ kind: 'budget' });
      expect(cpu.getReg(RAX)).to.equal(3n + 8n);
    });

    it('a block that loops to itself stops on a fault in a later iteration with the earlier iterations done', () => {
      // DATA has one page mapped: the 513th 8-byte store faults.
      const cpu = compiled('mov rdi, 0x600000\nxor ecx, ecx\n1: mov [rdi], rcx\nadd rdi, 8\ninc ecx\njmp 1b');
      expect(cpu.run({ instructions: 100_000, timeoutMs: 1000 })).to.deep.equal({ kind: 'fault', addr: 0x601000n, access: 'write', mapped: false });
      expect(cpu.getReg(RCX)).to.equal(512n);
      expect(cpu.getReg(RDI)).to.equal(0x601000n);
      expect(cpu.getReg(RIP)).to.equal(CODE + 9n);
    });

    it('runs the same as the interpreter when a chained successor is invalidated', () => {
      const cpu = compiled('xor eax, eax\n1: add eax, 1\ncmp eax, 100\njb 1b\nhlt');
      expect(cpu.run({ instructions: 150, timeoutMs: 1000 }).kind).to.equal('budget');
      cpu.invalidate(CODE, 0x1000);
      expect(cpu.run({ instructions: 1000, timeoutMs: 1000 }).kind).to.equal('hlt');
      expect(cpu.getReg(RAX)).to.equal(100n);
    });
  });

  describe('decoder', () => {
    it('raises #UD for an undefined opcode with RIP on it', () => {
      const m = run('nop', undefined, new Uint8Array([0x90, 0x0f, 0x0b]));
      expect(m.exit).to.deep.equal({ kind: 'ud' });
      expect(m.reg(RIP)).to.equal(CODE + 1n);
    });

    it('disassembles from the same tables it executes', () => {
      const bytes = asm(`
        add rax, rbx
        mov ecx, [rbp - 8]
        movsd xmm1, qword ptr [rsp + rcx*8 + 16]
        mov al, fs:[0x28]
      1: jne 1b
        lock xadd [rdi], edx
        rep stosb`);
      const mem = new GuestMemory();
      const code = new Uint8Array(0x1000);
      code.set(bytes);
      mem.map(0x400000, 0x1000, PROT_READ | PROT_EXEC, code);
      const out: string[] = [];
      for (let a = 0x400000, k = 0; k < 7; k++) {
        const i = decode(mem, a);
        out.push(disassemble(i));
        a += i.len;
      }
      expect(out).to.deep.equal([
        'add rax, rbx', 'mov ecx, [rbp-0x8]', 'movsd xmm1, [rsp+rcx*8+0x10]', 'mov al, fs:[0x28]', 'jne 0x400014',
        'lock xadd [rdi], edx', 'rep stosb',
      ]);
    });

    it('runs RIP-relative loads', () => {
      const m = run('mov rax, [rip + val]\nhlt\nval: .quad 0x1234567890', undefined);
      expect(m.reg(RAX)).to.equal(0x1234567890n);
    });

    it('decodes SIB with index, scale and negative displacement', () => {
      const m = run('mov rbx, 0x600100\nmov rcx, -2\nmov qword ptr [0x6000e0], 5\nmov rax, [rbx + rcx*8 - 0x10]\nhlt');
      expect(m.reg(RAX)).to.equal(5n);
    });

    it('stops with budget after exactly the given number of instructions', () => {
      const cpu = createInterpEngine().createCpu();
      const code = new Uint8Array(0x1000);
      code.set(asm('inc eax\ninc eax\ninc eax\nhlt'));
      cpu.map(CODE, 0x1000, PROT_READ | PROT_EXEC, code);
      cpu.setReg(RIP, CODE);
      expect(cpu.run({ instructions: 2, timeoutMs: 1000 })).to.deep.equal({ kind: 'budget' });
      expect(cpu.getReg(RAX)).to.equal(2n);
    });
  });

  describe('integer ALU and flags', () => {
    it('add sets CF and ZF on 64-bit wrap-around', () => {
      const m = run('mov rax, -1\nadd rax, 1\nhlt');
      expect(m.reg(RAX)).to.equal(0n);
      expect(m.flags() & (FLAG_CF | FLAG_ZF | FLAG_SF | FLAG_OF)).to.equal(FLAG_CF | FLAG_ZF);
    });

    it('add sets OF on signed overflow at 32 bits and zero-extends', () => {
      const m = run('mov rax, -1\nmov eax, 0x7fffffff\nadd eax, 1\nhlt');
      expect(m.reg(RAX)).to.equal(0x80000000n);
      expect(m.flags() & (FLAG_CF | FLAG_ZF | FLAG_SF | FLAG_OF)).to.equal(FLAG_SF | FLAG_OF);
    });

    it('sub borrows across the 32-bit halves of a 64-bit register', () => {
      const m = run('mov rax, 0x100000000\nsub rax, 1\nhlt');
      expect(m.reg(RAX)).to.equal(0xffffffffn);
      expect(m.flags() & FLAG_CF).to.equal(0);
    });

    it('cmp sets CF for unsigned below and PF from the low byte of the result', () => {
      const m = run('mov eax, 1\ncmp eax, 4\nhlt');
      expect(m.flags() & (FLAG_CF | FLAG_SF | FLAG_PF)).to.equal(FLAG_CF | FLAG_SF); // 0xfffffffd: 7 bits set, odd
      const n = run('mov eax, 4\ncmp eax, 1\nhlt');
      expect(n.flags() & (FLAG_CF | FLAG_SF | FLAG_PF)).to.equal(FLAG_PF); // 3: two bits set, even
    });

    it('adc and sbb chain a 128-bit addition and subtraction', () => {
      const m = run(`
        mov rax, -1
        mov rdx, 1
        add rax, 1
        adc rdx, 0
        mov rbx, 0
        mov rcx, 0
        sub rbx, 1
        sbb rcx, 0
        hlt`);
      expect(m.reg(RAX)).to.equal(0n);
      expect(m.reg(RDX)).to.equal(2n);
      expect(m.reg(RBX)).to.equal(u64(-1n));
      expect(m.reg(RCX)).to.equal(u64(-1n));
    });

    it('inc and dec keep CF', () => {
      const m = run('stc\nmov eax, 0xffffffff\ninc eax\nhlt');
      expect(m.reg(RAX)).to.equal(0n);
      expect(m.flags() & (FLAG_CF | FLAG_ZF)).to.equal(FLAG_CF | FLAG_ZF);
    });

    it('neg sets CF unless the operand is zero', () => {
      const m = run('mov rax, 5\nneg rax\nhlt');
      expect(m.reg(RAX)).to.equal(u64(-5n));
      expect(m.flags() & FLAG_CF).to.equal(FLAG_CF);
    });

    it('byte registers without REX are AH..BH, with REX SPL..DIL', () => {
      const m = run('mov eax, 0x1234\nmov bl, ah\nmov sil, 0x55\nmov ecx, 0\nmov ch, 7\nhlt');
      expect(m.reg(RBX) & 0xffn).to.equal(0x12n);
      expect(m.reg(RSI) & 0xffn).to.equal(0x55n);
      expect(m.reg(RCX)).to.equal(0x700n);
    });

    it('16-bit writes keep the upper bits, 32-bit writes clear them', () => {
      const m = run('mov rax, -1\nmov ax, 0\nmov rbx, -1\nmov ebx, 0\nhlt');
      expect(m.reg(RAX)).to.equal(0xffffffffffff0000n);
      expect(m.reg(RBX)).to.equal(0n);
    });

    it('sign- and zero-extends with movsx, movzx, movsxd, cdqe, cqo', () => {
      const m = run(`
        mov dword ptr [0x600000], 0x80
        movsx rax, byte ptr [0x600000]
        movzx ebx, byte ptr [0x600000]
        mov ecx, 0x80000000
        movsxd rcx, ecx
        mov edx, 0xffff8000
        mov r8, rdx
        mov eax, 0x80000000
        cdqe
        mov r9, rax
        cqo
        hlt`);
      expect(m.reg(RBX)).to.equal(0x80n);
      expect(m.reg(RCX)).to.equal(0xffffffff80000000n);
      expect(m.reg(R9)).to.equal(0xffffffff80000000n);
      expect(m.reg(RDX)).to.equal(u64(-1n));
    });

    it('lea computes full 64-bit addresses without touching flags', () => {
      const m = run('xor eax, eax\nmov rbx, 0\nlea rcx, [rbx - 1]\nlea rdx, [rbx + rcx*4 + 8]\nhlt');
      expect(m.reg(RCX)).to.equal(u64(-1n));
      expect(m.reg(RDX)).to.equal(4n);
      expect(m.flags() & FLAG_ZF).to.equal(FLAG_ZF);
    });
  });

  describe('shifts and rotates', () => {
    it('shl, shr and sar on 64-bit values move bits across the halves', () => {
      const m = run('mov rax, 1\nshl rax, 40\nmov rbx, rax\nshr rbx, 39\nmov rcx, -256\nsar rcx, 4\nhlt');
      expect(m.reg(RAX)).to.equal(1n << 40n);
      expect(m.reg(RBX)).to.equal(2n);
      expect(m.reg(RCX)).to.equal(u64(-16n));
    });

    it('masks the count to 5 bits for 32-bit operands and leaves flags for a zero count', () => {
      const m = run('mov eax, 1\nmov cl, 33\nshl eax, cl\nstc\nmov cl, 32\nshl eax, cl\nhlt');
      expect(m.reg(RAX)).to.equal(2n);
      expect(m.flags() & FLAG_CF).to.equal(FLAG_CF);
    });

    it('shl sets CF to the last bit shifted out', () => {
      const m = run('mov eax, 0x80000001\nshl eax, 1\nhlt');
      expect(m.reg(RAX)).to.equal(2n);
      expect(m.flags() & (FLAG_CF | FLAG_OF)).to.equal(FLAG_CF | FLAG_OF);
    });

    it('rol and ror rotate 64-bit values', () => {
      const m = run('mov rax, 0x8000000000000001\nrol rax, 4\nmov rbx, 0x0123456789abcdef\nror rbx, 8\nhlt');
      expect(m.reg(RAX)).to.equal(0x18n);
      expect(m.reg(RBX)).to.equal(0xef0123456789abcdn);
    });

    it('rcl and rcr rotate through the carry', () => {
      const m = run('stc\nmov al, 0x80\nrcl al, 1\nmov bl, 0\nrcr bl, 1\nhlt');
      expect(m.reg(RAX) & 0xffn).to.equal(1n);
      expect(m.reg(RBX) & 0xffn).to.equal(0x80n);
    });

    it('shld and shrd shift in bits from the second register', () => {
      const m = run('mov rax, 0x1\nmov rbx, 0x8000000000000000\nshld rax, rbx, 1\nmov ecx, 0x10\nmov edx, 0xf\nshrd ecx, edx, 4\nhlt');
      expect(m.reg(RAX)).to.equal(3n);
      expect(m.reg(RCX)).to.equal(0xf0000001n);
    });
  });

  describe('multiply and divide', () => {
    it('mul r64 gives the 128-bit product in rdx:rax', () => {
      const m = run('mov rax, -1\nmov rbx, -1\nmul rbx\nhlt');
      expect(m.reg(RAX)).to.equal(1n);
      expect(m.reg(RDX)).to.equal(u64(-2n));
      expect(m.flags() & (FLAG_CF | FLAG_OF)).to.equal(FLAG_CF | FLAG_OF);
    });

    it('imul r64 one-operand is signed', () => {
      const m = run('mov rax, -3\nmov rbx, 5\nimul rbx\nhlt');
      expect(m.reg(RAX)).to.equal(u64(-15n));
      expect(m.reg(RDX)).to.equal(u64(-1n));
      expect(m.flags() & FLAG_CF).to.equal(0);
    });

    it('imul two- and three-operand forms truncate and flag overflow', () => {
      const m = run('mov rax, 0x100000000\nimul rax, rax\nmov ebx, 7\nimul ecx, ebx, -3\nhlt');
      expect(m.reg(RAX)).to.equal(0n);
      expect(m.reg(RCX)).to.equal(0xffffffebn);
    });

    it('div r64 divides rdx:rax (128 bits)', () => {
      const m = run('mov rdx, 1\nmov rax, 0\nmov rbx, 3\ndiv rbx\nhlt');
      expect(m.reg(RAX)).to.equal((1n << 64n) / 3n);
      expect(m.reg(RDX)).to.equal((1n << 64n) % 3n);
    });

    it('idiv truncates toward zero with the remainder taking the dividend sign', () => {
      const m = run('mov eax, -7\ncdq\nmov ebx, 2\nidiv ebx\nhlt');
      expect(m.reg(RAX)).to.equal(0xfffffffdn);
      expect(m.reg(RDX)).to.equal(0xffffffffn);
    });

    it('raises #DE on division by zero with RIP on the div', () => {
      const m = run('xor ebx, ebx\ndiv ebx\nhlt');
      expect(m.exit).to.deep.equal({ kind: 'de' });
      expect(m.reg(RIP)).to.equal(CODE + 2n);
    });

    it('raises #DE when the quotient overflows', () => {
      const m = run('mov edx, 1\nxor eax, eax\nmov ebx, 1\ndiv ebx\nhlt');
      expect(m.exit).to.deep.equal({ kind: 'de' });
    });
  });

  describe('bit instructions', () => {
    it('bt with a register offset reaches beyond the operand in memory', () => {
      const m = run('mov eax, 35\nbts dword ptr [0x600000], eax\nmov ebx, [0x600004]\nhlt');
      expect(m.reg(RBX)).to.equal(8n);
    });

    it('bsf, bsr and popcnt', () => {
      const m = run('mov rax, 0x0100000000000010\nbsf rbx, rax\nbsr rcx, rax\npopcnt rdx, rax\nhlt');
      expect(m.reg(RBX)).to.equal(4n);
      expect(m.reg(RCX)).to.equal(56n);
      expect(m.reg(RDX)).to.equal(2n);
    });

    it('bswap reverses bytes of 32- and 64-bit registers', () => {
      const m = run('mov rax, 0x0102030405060708\nbswap rax\nmov ebx, 0x11223344\nbswap ebx\nhlt');
      expect(m.reg(RAX)).to.equal(0x0807060504030201n);
      expect(m.reg(RBX)).to.equal(0x44332211n);
    });
  });

  describe('control flow and the stack', () => {
    it('call and ret through the stack', () => {
      const m = run('call f\nhlt\nf: mov eax, 42\nret');
      expect(m.reg(RAX)).to.equal(42n);
      expect(m.reg(RSP)).to.equal(STACK_TOP);
    });

    it('indirect call and jmp through a register and memory', () => {
      const m = run('lea rax, [rip + f]\nmov [0x600000], rax\ncall qword ptr [0x600000]\nhlt\nf: mov ebx, 1\nret');
      expect(m.reg(RBX)).to.equal(1n);
    });

    it('jcc follows signed and unsigned conditions', () => {
      const m = run(`
        xor ebx, ebx
        mov eax, -1
        cmp eax, 1
        jl 1f
        or ebx, 1
      1:
        cmp eax, 1
        ja 2f
        or ebx, 2
      2:
        hlt`);
      expect(m.reg(RBX)).to.equal(0n);
    });

    it('loop counts rcx down', () => {
      const m = run('mov ecx, 5\nxor eax, eax\n1: add eax, 2\nloop 1b\nhlt');
      expect(m.reg(RAX)).to.equal(10n);
    });

    it('push and pop, pushf and popf', () => {
      const m = run('push 0x12\npop rax\nstc\npushf\npop rbx\nhlt');
      expect(m.reg(RAX)).to.equal(0x12n);
      expect(Number(m.reg(RBX)) & FLAG_CF).to.equal(FLAG_CF);
    });

    it('enter and leave build and tear down a frame', () => {
      const m = run('mov rbp, 0x1234\nenter 16, 0\nmov rax, rsp\nleave\nhlt');
      expect(m.reg(RAX)).to.equal(STACK_TOP - 8n - 16n);
      expect(m.reg(RSP)).to.equal(STACK_TOP);
      expect(m.reg(5)).to.equal(0x1234n);
    });

    it('cmov and setcc read the flags', () => {
      const m = run('mov eax, 1\nmov ebx, 2\ncmp eax, ebx\ncmovb eax, ebx\nsetb cl\nsete dl\nhlt');
      expect(m.reg(RAX)).to.equal(2n);
      expect(m.reg(RCX) & 0xffn).to.equal(1n);
      expect(m.reg(RDX) & 0xffn).to.equal(0n);
    });
  });

  describe('exchange and atomics', () => {
    it('xchg, xadd and cmpxchg', () => {
      const m = run(`
        mov qword ptr [0x600000], 10
        mov eax, 3
        lock xadd [0x600000], rax
        mov rbx, [0x600000]
        mov eax, 13
        mov ecx, 99
        lock cmpxchg [0x600000], rcx
        mov rdx, [0x600000]
        hlt`);
      expect(m.reg(RBX)).to.equal(13n);
      expect(m.reg(RDX)).to.equal(99n);
      expect(m.flags() & FLAG_ZF).to.equal(FLAG_ZF);
    });

    it('cmpxchg16b compares and swaps 16 bytes', () => {
      const m = run(`
        xor eax, eax
        xor edx, edx
        mov ebx, 1
        mov ecx, 2
        lock cmpxchg16b [0x600010]
        mov r8, [0x600010]
        mov r9, [0x600018]
        hlt`);
      expect(m.reg(R8)).to.equal(1n);
      expect(m.reg(R9)).to.equal(2n);
    });
  });

  describe('string instructions', () => {
    it('rep movsb copies forward and updates rsi, rdi, rcx', () => {
      const m = run('mov rsi, 0x600000\nmov rdi, 0x600100\nmov ecx, 5\nrep movsb\nhlt', (mm) => {
        mm.data.set([1, 2, 3, 4, 5]);
      });
      expect(Array.from(m.data.subarray(0x100, 0x105))).to.deep.equal([1, 2, 3, 4, 5]);
      expect(m.reg(RCX)).to.equal(0n);
      expect(m.reg(RSI)).to.equal(0x600005n);
      expect(m.reg(RDI)).to.equal(0x600105n);
    });

    it('rep movsb with the destination one byte ahead replicates the first byte', () => {
      const m = run('mov rsi, 0x600000\nmov rdi, 0x600001\nmov ecx, 100\nrep movsb\nhlt', (mm) => { mm.data[0] = 0x5a; });
      expect(Array.from(m.data.subarray(0, 101)).every((b) => b === 0x5a)).to.equal(true);
    });

    it('rep movsq and rep stosd cross page boundaries', () => {
      const m = run(`
        mov rdi, 0x600ff0
        mov eax, 0x11223344
        mov ecx, 1024
        rep stosd
        mov rsi, 0x600ff8
        mov rdi, 0x602ff8
        mov ecx, 300
        rep movsq
        hlt`);
      const v = new DataView(m.data.buffer);
      expect(v.getUint32(0xff0, true)).to.equal(0x11223344);
      expect(v.getUint32(0xff0 + 4 * 1023, true)).to.equal(0x11223344);
      expect(v.getUint32(0xff0 + 4 * 1024, true)).to.equal(0);
      expect(v.getUint32(0x2ff8, true)).to.equal(0x11223344);
      expect(v.getUint32(0x2ff8 + 8 * 299, true)).to.equal(0x11223344);
      expect(m.reg(RSI)).to.equal(0x600ff8n + 2400n);
    });

    it('rep stosq fills and std makes string ops go backwards', () => {
      const m = run('mov rdi, 0x600008\nmov eax, 7\nmov ecx, 2\nstd\nrep stosq\ncld\nhlt');
      expect(m.data[0]).to.equal(7);
      expect(m.data[8]).to.equal(7);
      expect(m.reg(RDI)).to.equal(0x5ffff8n);
    });

    it('repne scasb finds a byte (strlen)', () => {
      const m = run('mov rdi, 0x600000\nxor eax, eax\nmov rcx, -1\nrepne scasb\nnot rcx\ndec rcx\nhlt', (mm) => {
        mm.data.set([65, 66, 67, 0]);
      });
      expect(m.reg(RCX)).to.equal(3n);
    });

    it('repe cmpsb stops at the first difference', () => {
      const m = run('mov rsi, 0x600000\nmov rdi, 0x600010\nmov ecx, 4\nrepe cmpsb\nhlt', (mm) => {
        mm.data.set([1, 2, 3, 4]);
        mm.data.set([1, 2, 9, 4], 0x10);
      });
      expect(m.reg(RCX)).to.equal(1n);
      expect(m.flags() & FLAG_ZF).to.equal(0);
    });

    it('a fault in rep movsb leaves the completed iterations done and RIP on the instruction', () => {
      const m = run('mov rsi, 0x600000\nmov rdi, 0x60fffe\nmov ecx, 4\nrep movsb\nhlt');
      expect(m.exit).to.deep.equal({ kind: 'fault', addr: 0x610000n, access: 'write', mapped: false });
      expect(m.reg(RCX)).to.equal(2n);
      expect(m.reg(RDI)).to.equal(0x610000n);
    });
  });

  describe('system instructions', () => {
    it('syscall stops with RCX = next RIP and R11 = RFLAGS', () => {
      const m = run('mov eax, 60\nsyscall\nhlt');
      expect(m.exit).to.deep.equal({ kind: 'syscall' });
      expect(m.reg(RIP)).to.equal(CODE + 7n);
      expect(m.reg(RCX)).to.equal(CODE + 7n);
      expect(m.reg(R11)).to.equal(0x202n);
    });

    it('cpuid reports GenuineIntel with SSE2 and no AVX', () => {
      const m = run('xor eax, eax\ncpuid\nmov r8, rbx\nmov r9, rdx\nmov r12, rcx\nmov eax, 1\ncpuid\nhlt');
      const s = (v: bigint) => Buffer.from(new Uint32Array([Number(v)]).buffer).toString('latin1');
      expect(s(m.reg(R8)) + s(m.reg(R9)) + s(m.reg(R12))).to.equal('GenuineIntel');
      expect(Number(m.reg(RDX)) & (1 << 26)).to.not.equal(0);
      expect(Number(m.reg(RCX)) & (1 << 28)).to.equal(0);
    });

    it('the engine reports CPUID.1:EDX as its hwcap (AT_HWCAP)', () => {
      const m = run('mov eax, 1\ncpuid\nhlt');
      expect(createInterpEngine().hwcap).to.equal(Number(m.reg(RDX)));
    });

    it('rdtsc increases', () => {
      const m = run('rdtsc\nmov ebx, eax\nrdtsc\nsub eax, ebx\nhlt');
      expect(Number(m.reg(RAX))).to.be.greaterThan(0);
    });

    it('int3 stops with RIP past it; hlt and ud2 stop on the instruction', () => {
      expect(run('int3').exit).to.deep.equal({ kind: 'int3' });
      expect(run('int3').reg(RIP)).to.equal(CODE + 1n);
      const h = run('nop\nhlt');
      expect(h.exit).to.deep.equal({ kind: 'hlt' });
      expect(h.reg(RIP)).to.equal(CODE + 1n);
      expect(run('ud2').exit).to.deep.equal({ kind: 'ud' });
    });

    it('int $3 (cd 03) is int3; int1 (f1) is a #DB trap with RIP past it; int 0x80 is #GP', () => {
      expect(run('.byte 0xcd, 0x03').exit).to.deep.equal({ kind: 'int3' });
      expect(run('.byte 0xcd, 0x03').reg(RIP)).to.equal(CODE + 2n);
      expect(run('.byte 0xf1').exit).to.deep.equal({ kind: 'db', icebp: true });
      expect(run('.byte 0xf1').reg(RIP)).to.equal(CODE + 1n);
      expect(run('int 0x80').exit).to.deep.equal({ kind: 'gp' });
    });

    it('with TF set by popf, the instruction after popf ends run() with a single-step #DB, RIP past it', () => {
      const m = run('pushf\nor qword ptr [rsp], 0x100\npopf\nmov eax, 1\nmov ebx, 2\nhlt');
      expect(m.exit).to.deep.equal({ kind: 'db', icebp: false });
      expect(m.reg(RAX)).to.equal(1n);
      expect(m.reg(RBX)).to.equal(0n);
      expect(m.reg(RIP)).to.equal(CODE + BigInt(asm('pushf\nor qword ptr [rsp], 0x100\npopf\nmov eax, 1').length));
    });

    it('endbr64, pause and multi-byte nops do nothing', () => {
      const m = run('endbr64\npause\nnop dword ptr [rax + rax*1 + 0]\nnop word ptr cs:[rax + rax*1 + 0]\nmov eax, 1\nhlt');
      expect(m.reg(RAX)).to.equal(1n);
    });

    it('lahf and sahf move SF ZF AF PF CF through AH', () => {
      const m = run('xor eax, eax\nlahf\nmov ebx, eax\nmov ah, 1\nsahf\nhlt');
      expect((m.reg(RBX) >> 8n) & 0xffn).to.equal(0x46n);
      expect(m.flags() & (FLAG_CF | FLAG_ZF)).to.equal(FLAG_CF);
    });
  });

  describe('SSE and SSE2', () => {
    const xmm = (m: Machine, n: number): bigint[] => {
      const img = m.cpu.getState().fxsave;
      const v = new DataView(img.buffer);
      return [v.getBigUint64(160 + 16 * n, true), v.getBigUint64(168 + 16 * n, true)];
    };

    it('movdqa loads and stores 16 aligned bytes; movdqu takes any alignment', () => {
      const m = run('movdqa xmm0, [0x600000]\nmovdqu [0x600021], xmm0\nmovdqu xmm1, [0x600021]\nhlt', (mm) => {
        mm.data.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
      });
      expect(xmm(m, 1)).to.deep.equal([0x0807060504030201n, 0x100f0e0d0c0b0a09n]);
      expect(m.data[0x21 + 15]).to.equal(16);
    });

    it('movdqa on a misaligned address raises #GP with nothing loaded', () => {
      const m = run('movdqa xmm0, [0x600008]\nhlt');
      expect(m.exit).to.deep.equal({ kind: 'gp' });
      expect(m.reg(RIP)).to.equal(CODE);
    });

    it('movss and movsd from memory zero the rest of the register; between registers they merge', () => {
      const m = run(`
        pcmpeqd xmm0, xmm0
        movss xmm0, [0x600000]
        pcmpeqd xmm1, xmm1
        movsd xmm1, [0x600000]
        pcmpeqd xmm2, xmm2
        movss xmm2, xmm0
        hlt`, (mm) => mm.data.set([1, 2, 3, 4, 5, 6, 7, 8]));
      expect(xmm(m, 0)).to.deep.equal([0x04030201n, 0n]);
      expect(xmm(m, 1)).to.deep.equal([0x0807060504030201n, 0n]);
      expect(xmm(m, 2)).to.deep.equal([0xffffffff04030201n, 0xffffffffffffffffn]);
    });

    it('movq and movd move between general registers and XMM, zero-extending', () => {
      const m = run('mov rax, -2\nmovq xmm0, rax\nmovd xmm1, eax\nmovq rbx, xmm0\nmovd ecx, xmm1\nhlt');
      expect(xmm(m, 0)).to.deep.equal([u64(-2n), 0n]);
      expect(xmm(m, 1)).to.deep.equal([0xfffffffen, 0n]);
      expect(m.reg(RBX)).to.equal(u64(-2n));
      expect(m.reg(RCX)).to.equal(0xfffffffen);
    });

    it('pcmpeqb and pmovmskb find a zero byte (the strlen idiom)', () => {
      const m = run('pxor xmm0, xmm0\nmovdqu xmm1, [0x600000]\npcmpeqb xmm1, xmm0\npmovmskb eax, xmm1\nbsf eax, eax\nhlt', (mm) => {
        mm.data.set([65, 66, 67, 68, 69, 0, 70]);
        mm.data.fill(1, 7, 16);
      });
      expect(m.reg(RAX)).to.equal(5n);
    });

    it('addsd, mulsd, divsd, sqrtsd compute IEEE doubles; cvttsd2si truncates', () => {
      const m = run(`
        mov rax, 3
        cvtsi2sd xmm0, rax
        mov rax, 2
        cvtsi2sd xmm1, rax
        divsd xmm0, xmm1
        addsd xmm0, xmm0
        mulsd xmm0, xmm1
        sqrtsd xmm2, xmm0
        cvttsd2si rbx, xmm0
        cvttsd2si rcx, xmm2
        hlt`);
      expect(m.reg(RBX)).to.equal(6n);
      expect(m.reg(RCX)).to.equal(2n);
      const v = new DataView(new ArrayBuffer(8));
      v.setBigUint64(0, xmm(m, 2)[0]!, true);
      expect(v.getFloat64(0, true)).to.equal(Math.sqrt(6));
    });

    it('cvttsd2si of a NaN or out-of-range value gives the integer indefinite', () => {
      const m = run('mov rax, 0x7ff8000000000000\nmovq xmm0, rax\ncvttsd2si rbx, xmm0\ncvttsd2si ecx, xmm0\nhlt');
      expect(m.reg(RBX)).to.equal(0x8000000000000000n);
      expect(m.reg(RCX)).to.equal(0x80000000n);
    });

    it('ucomisd sets ZF, PF and CF for unordered operands', () => {
      const m = run('mov rax, 0x7ff8000000000000\nmovq xmm0, rax\nucomisd xmm0, xmm0\nhlt');
      expect(m.flags() & (FLAG_ZF | FLAG_PF | FLAG_CF)).to.equal(FLAG_ZF | FLAG_PF | FLAG_CF);
    });

    it('stmxcsr shows the Linux initial MXCSR and ldmxcsr changes the rounding of cvtsd2si', () => {
      const m = run(`
        stmxcsr [0x600000]
        mov rax, 0x4004000000000000
        movq xmm0, rax
        mov dword ptr [0x600004], 0x3f80
        ldmxcsr [0x600004]
        cvtsd2si rbx, xmm0
        hlt`);
      expect(m.data[0]! | (m.data[1]! << 8)).to.equal(0x1f80);
      expect(m.reg(RBX)).to.equal(2n); // 2.5 rounded down (RC = 01)
    });

    it('ldmxcsr with reserved bits set raises #GP', () => {
      const m = run('mov dword ptr [0x600000], 0x10000\nldmxcsr [0x600000]\nhlt');
      expect(m.exit).to.deep.equal({ kind: 'gp' });
    });

    it('fxsave writes the image getState reports, fxrstor restores it', () => {
      const m = run(`
        mov rax, 0x1122334455667788
        movq xmm3, rax
        fld1
        fxsave [0x600000]
        pxor xmm3, xmm3
        fxrstor [0x600000]
        movq rbx, xmm3
        hlt`);
      expect(m.reg(RBX)).to.equal(0x1122334455667788n);
      expect(Array.from(m.data.subarray(0, 464))).to.deep.equal(Array.from(m.cpu.getState().fxsave.subarray(0, 464)));
    });

    it('SSE3 and later encodings are #UD (not advertised)', () => {
      expect(run('pshufb xmm0, xmm1').exit).to.deep.equal({ kind: 'ud' });
      expect(run('movddup xmm0, xmm1').exit).to.deep.equal({ kind: 'ud' });
      expect(run('vzeroupper').exit).to.deep.equal({ kind: 'ud' });
    });
  });

  describe('x87', () => {
    it('fld and fstp of an 80-bit value keep all 64 significand bits', () => {
      const m = run('fld tbyte ptr [0x600000]\nfstp tbyte ptr [0x600010]\nhlt', (mm) => {
        mm.data.set([0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88, 0xff, 0x3f]);
      });
      expect(Array.from(m.data.subarray(0x10, 0x1a))).to.deep.equal([0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88, 0xff, 0x3f]);
    });

    it('1/3 in extended precision differs from the double (80-bit arithmetic, not float64)', () => {
      const m = run('fld1\nfild dword ptr [0x600000]\nfdivp st(1), st(0)\nfstp tbyte ptr [0x600010]\nhlt', (mm) => {
        mm.data[0] = 3;
      });
      // 1/3 = 0x3ffd aaaaaaaaaaaaaaab (round to nearest of the 64-bit significand)
      expect(Array.from(m.data.subarray(0x10, 0x1a))).to.deep.equal([0xab, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xfd, 0x3f]);
    });

    it('fistp rounds by the FCW rounding control', () => {
      const m = run(`
        fnstcw [0x600000]
        fld qword ptr [0x600008]
        fistp dword ptr [0x600010]
        mov word ptr [0x600002], 0x0f7f
        fldcw [0x600002]
        fld qword ptr [0x600008]
        fistp dword ptr [0x600014]
        hlt`, (mm) => {
        new DataView(mm.data.buffer).setFloat64(8, 2.5, true);
      });
      expect(m.data[0]! | (m.data[1]! << 8)).to.equal(0x037f);
      expect(m.data[0x10]).to.equal(2); // nearest even
      expect(m.data[0x14]).to.equal(2); // truncate
    });

    it('fcomip sets ZF, PF, CF like ucomisd and pops', () => {
      const m = run('fld1\nfldz\nfcomip st(0), st(1)\nfstp st(0)\nhlt');
      expect(m.flags() & (FLAG_ZF | FLAG_PF | FLAG_CF)).to.equal(FLAG_CF);
    });

    it('fnstsw ax reports the stack top', () => {
      const m = run('fld1\nfld1\nfnstsw ax\nhlt');
      expect((m.reg(RAX) >> 11n) & 7n).to.equal(6n);
    });
  });

  describe('state', () => {
    it('getState and setState round-trip registers and the FXSAVE image', () => {
      const cpu = createInterpEngine().createCpu();
      cpu.setReg(RAX, 0xfedcba9876543210n);
      cpu.setReg(R12, 5n);
      const s = cpu.getState();
      const other = createInterpEngine().createCpu();
      other.setState(s);
      expect(other.getReg(RAX)).to.equal(0xfedcba9876543210n);
      expect(other.getReg(R12)).to.equal(5n);
      expect(other.getReg(RFLAGS)).to.equal(0x202n);
      expect(Array.from(other.getState().fxsave)).to.deep.equal(Array.from(s.fxsave));
    });
  });
});


