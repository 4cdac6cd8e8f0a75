/**
 * A tiny loader for test programs that need no kernel: map a static ELF's
 * PT_LOAD segments and a stack on a bare engine CPU, run to its first
 * syscall (which must be write), and return the bytes it wrote.
 */

import { readFileSync } from 'node:fs';
import type { Engine } from '../../emulator/engine.js';
import { PROT_EXEC, PROT_READ, PROT_WRITE } from '../../emulator/engine.js';
import { RAX, RDX, RIP, RSI, RSP } from '../../emulator/regs.js';

/** A static ELF's PT_LOAD segments as page-aligned host buffers, file bytes in place, bss zero. */
export function loadSegments(file: Buffer): { start: number; host: Uint8Array }[] {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out: { start: number; host: Uint8Array }[] = [];
  const phoff = Number(v.getBigUint64(32, true)), phnum = v.getUint16(56, true);
  for (let k = 0; k < phnum; k++) {
    const o = phoff + 56 * k;
    if (v.getUint32(o, true) !== 1) continue;
    const off = Number(v.getBigUint64(o + 8, true)), vaddr = Number(v.getBigUint64(o + 16, true));
    const filesz = Number(v.getBigUint64(o + 32, true)), memsz = Number(v.getBigUint64(o + 40, true));
    const start = vaddr - (vaddr % 4096), len = Math.ceil((vaddr + memsz - start) / 4096) * 4096;
    const host = new Uint8Array(len);
    host.set(file.subarray(off, off + filesz), vaddr - start);
    out.push({ start, host });
  }
  return out;
}

export function runBareElf(engine: Engine, path: string): Buffer {
  const file = readFileSync(path);
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const cpu = engine.createCpu();
  const regions = loadSegments(file);
  try {
    for (const r of regions) cpu.map(BigInt(r.start), r.host.length, PROT_READ | PROT_WRITE | PROT_EXEC, r.host);
    const stack = new Uint8Array(65536);
    cpu.map(0x7fff0000n, 65536, PROT_READ | PROT_WRITE, stack);
    regions.push({ start: 0x7fff0000, host: stack });
    cpu.setReg(RSP, 0x7fff8000n);
    cpu.setReg(RIP, v.getBigUint64(24, true));
    const exit = cpu.run({ instructions: 10_000_000, timeoutMs: 60_000 });
    if (exit.kind !== 'syscall' || cpu.getReg(RAX) !== 1n) throw new Error(`${path}: stopped with ${exit.kind} at 0x${cpu.getReg(RIP).toString(16)}`);
    const at = Number(cpu.getReg(RSI)), n = Number(cpu.getReg(RDX));
    const r = regions.find((x) => at >= x.start && at + n <= x.start + x.host.length);
    if (!r) throw new Error(`${path}: write buffer outside the image and the stack`);
    return Buffer.from(r.host.subarray(at - r.start, at - r.start + n));
  } finally {
    cpu.dispose();
  }
}
