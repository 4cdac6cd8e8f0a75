/**
 * Lockstep checking: run the same task on two CPUs (a reference, such as
 * Unicorn or another interp, and the CPU under test) one instruction at a
 * time from the same state, and report the first instruction after which
 * their registers, defined flags, x87/SSE state or memory differ, with its
 * bytes and disassembly.
 *
 * Both CPUs must honour `RunBudget.instructions` (interp does; the unicorn
 * engine must run with uc_emu_start's count for this). Syscalls are handed
 * to the caller, who answers them identically on both sides.
 */

import type { Cpu, CpuExit } from '../engine.js';
import { GPR_NAMES, REG_COUNT, RFLAGS } from '../regs.js';
import { decode } from './decode.js';
import { disassemble } from './disasm.js';
import { GuestMemory } from './memory.js';

/** One side: a CPU and the host bytes of every region mapped on it. */
export interface LockstepSide {
  cpu: Cpu;
  regions: { addr: bigint; bytes: Uint8Array }[];
}

export interface Divergence {
  /** Instructions completed on both sides before the divergence. */
  step: number;
  rip: bigint;
  bytes: number[];
  disasm: string;
  differences: string[];
}

export interface LockstepOptions {
  steps: number;
  /** Answer a syscall on one side (called for the reference, then the CPU under test); false ends the run. */
  onSyscall?: (side: LockstepSide) => boolean;
  /** Compare memory every this many steps (and on every exit); 1 checks after each instruction. */
  memoryEvery?: number;
}

const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;

/** Flags an instruction leaves undefined (SDM), by mnemonic: excluded from the comparison. */
export function undefinedFlags(mnemonic: string): number {
  if (/^(and|or|xor|test)$/.test(mnemonic)) return AF;
  if (/^(grp2|shl|shr|sar|sal|rol|ror|rcl|rcr)$/.test(mnemonic)) return AF | OF;
  if (/^(shld|shrd)$/.test(mnemonic)) return AF | OF;
  if (/^(mul|imul)$/.test(mnemonic)) return SF | ZF | AF | PF;
  if (/^(div|idiv|grp3)$/.test(mnemonic)) return CF | PF | AF | ZF | SF | OF;
  if (/^(bsf|bsr)$/.test(mnemonic)) return CF | OF | SF | AF | PF;
  if (/^(bt|bts|btr|btc)$/.test(mnemonic)) return OF | SF | AF | PF;
  return 0;
}

/** A read-only view of a side's memory for decoding the next instruction. */
function memoryOf(side: LockstepSide): GuestMemory {
  const m = new GuestMemory();
  for (const r of side.regions) m.map(Number(r.addr), r.bytes.length, 7, r.bytes);
  return m;
}

function compareState(a: Cpu, b: Cpu, flagMask: number, out: string[]): void {
  for (let n = 0; n < REG_COUNT; n++) {
    let x = a.getReg(n), y = b.getReg(n);
    if (n === RFLAGS) { x &= BigInt(~flagMask & 0xffffffff); y &= BigInt(~flagMask & 0xffffffff); }
    if (x !== y) out.push(`${GPR_NAMES[n]}: reference 0x${x.toString(16)}, under test 0x${y.toString(16)}`);
  }
  const fa = a.getState().fxsave, fb = b.getState().fxsave;
  for (let k = 0; k < 416; k++) {
    if (fa[k] !== fb[k]) { out.push(`fxsave byte ${k}: reference 0x${fa[k]!.toString(16)}, under test 0x${fb[k]!.toString(16)}`); break; }
  }
}

function compareMemory(a: LockstepSide, b: LockstepSide, out: string[]): void {
  a.regions.forEach((r, k) => {
    const o = b.regions[k]!.bytes;
    for (let p = 0; p < r.bytes.length; p++) {
      if (r.bytes[p] !== o[p]) { out.push(`memory 0x${(r.addr + BigInt(p)).toString(16)}: reference 0x${r.bytes[p]!.toString(16)}, under test 0x${o[p]!.toString(16)}`); return; }
    }
  });
}

function sameExit(x: CpuExit, y: CpuExit): boolean {
  return JSON.stringify(x, (_, v) => typeof v === 'bigint' ? v.toString() : v) === JSON.stringify(y, (_, v) => typeof v === 'bigint' ? v.toString() : v);
}

export interface LockstepResult {
  /** Instructions both sides completed in agreement. */
  steps: number;
  divergence: Divergence | null;
}

/** Step both sides until `steps` instructions, an exit the caller does not continue, or the first divergence. */
export function lockstep(ref: LockstepSide, dut: LockstepSide, opts: LockstepOptions): LockstepResult {
  let mem = memoryOf(ref);
  const every = opts.memoryEvery ?? 1;
  for (let step = 0; step < opts.steps; step++) {
    const rip = ref.cpu.getReg(16);
    let text = '(unreadable)', bytes: number[] = [], mask = 0;
    try {
      const i = decode(mem, Number(rip));
      text = disassemble(i);
      bytes = Array.from({ length: i.len }, (_, k) => mem.read8(Number(rip) + k));
      mask = undefinedFlags(i.name);
    } catch { /* a fetch fault: both sides should report it */ }
    const ea = ref.cpu.run({ instructions: 1, timeoutMs: 10_000 });
    const eb = dut.cpu.run({ instructions: 1, timeoutMs: 10_000 });
    const diffs: string[] = [];
    if (!sameExit(ea, eb)) diffs.push(`exit: reference ${JSON.stringify(ea, big)}, under test ${JSON.stringify(eb, big)}`);
    compareState(ref.cpu, dut.cpu, mask, diffs);
    if (diffs.length === 0 && (ea.kind !== 'budget' || step % every === 0)) compareMemory(ref, dut, diffs);
    if (diffs.length) return { steps: step, divergence: { step, rip, bytes, disasm: text, differences: diffs } };
    if (ea.kind === 'syscall') {
      if (!opts.onSyscall || !opts.onSyscall(ref) || !opts.onSyscall(dut)) return { steps: step + 1, divergence: null };
      mem = memoryOf(ref); // the syscall may have mapped memory
      const again: string[] = [];
      compareState(ref.cpu, dut.cpu, 0, again);
      if (again.length) return { steps: step, divergence: { step, rip, bytes, disasm: text + ' (after the syscall answer)', differences: again } };
    } else if (ea.kind !== 'budget') return { steps: step + 1, divergence: null };
  }
  return { steps: opts.steps, divergence: null };
}

function big(_: string, v: unknown): unknown {
  return typeof v === 'bigint' ? '0x' + v.toString(16) : v;
}
