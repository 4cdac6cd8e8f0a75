/**
 * Lockstep under the real kernel: an Engine whose CPUs are pairs, a
 * reference (Unicorn) and the interpreter under test, stepped one
 * instruction at a time and compared after each (registers, defined flags,
 * x87/SSE state) and every `memoryEvery` instructions and at every exit
 * (memory). The kernel sees one CPU: the interpreter's. Any fixture program
 * runs this way (`createLockstepEngine`), syscalls, signals, fork and
 * threads included.
 *
 * Memory: the interpreter uses the kernel's bytes in place, as always; the
 * reference gets a shadow copy of each host ArrayBuffer (one shadow per
 * buffer, so threads and shared mappings share it too), refreshed where the
 * kernel writes guest memory (`invalidate`, which copy_to_user calls) and
 * when a buffer is first mapped.
 *
 * A difference the real CPU rules in the interpreter's favour is listed in
 * `lockstep-exceptions.ts` with its native evidence; after a divergence
 * (excepted or not) the reference is resynchronised from the interpreter so
 * the run goes on, and each unexcepted one is recorded in the engine's
 * report with the instruction's bytes and disassembly.
 */

import type { Cpu, CpuExit, Engine, RunBudget } from '../engine.js';
import { FXSAVE_SIZE, GPR_NAMES, RCX, REG_COUNT, RFLAGS, RIP } from '../regs.js';
import type { InterpCpu } from './cpu.js';
import { decode } from './decode.js';
import { disassemble } from './disasm.js';
import type { Insn } from './insn.js';
import { type Divergence, undefinedFlags } from './lockstep.js';
import { excepted } from './lockstep-exceptions.js';

export interface LockstepReport {
  /** Instructions stepped on both sides, over all CPUs. */
  steps: number;
  /** Divergences not covered by an exception, in order (at most `limit`). */
  divergences: Divergence[];
  /** How many times each exception was used, by name. */
  excepted: Record<string, number>;
}

export interface LockstepEngineOptions {
  /** Compare memory every this many instructions (and at every exit). Default 4096. */
  memoryEvery?: number;
  /**
   * Check only windows: `check` instructions in lockstep out of every
   * `period` a CPU runs; in between the interpreter runs alone and the
   * reference is resynchronised from it at the next window. Default: every
   * instruction in lockstep.
   */
  windows?: { check: number; period: number };
  /** Keep at most this many divergences. Default 20. */
  limit?: number;
}

export interface LockstepEngine extends Engine {
  readonly report: LockstepReport;
}

/** An engine running `dut` (an interp engine) in lockstep with `ref`. */
export function createLockstepEngine(ref: Engine, dut: Engine, opts: LockstepEngineOptions = {}): LockstepEngine {
  const report: LockstepReport = { steps: 0, divergences: [], excepted: {} };
  const shared: Shared = {
    report, every: opts.memoryEvery ?? 4096, limit: opts.limit ?? 20, shadows: new WeakMap<ArrayBufferLike, Uint8Array>(),
    windows: opts.windows ?? null,
  };
  return {
    name: `lockstep(${ref.name}, ${dut.name})`,
    ...(dut.hwcap !== undefined ? { hwcap: dut.hwcap } : {}),
    report,
    createCpu: () => new LockstepCpu(ref.createCpu(), dut.createCpu() as InterpCpu, shared),
  };
}

interface Shared {
  report: LockstepReport;
  every: number;
  limit: number;
  /** The reference's copy of each host buffer, byte for byte at the same offsets. */
  shadows: WeakMap<ArrayBufferLike, Uint8Array>;
  windows: { check: number; period: number } | null;
}

interface Region { start: number; end: number; host: Uint8Array; shadow: Uint8Array }

const ONE: RunBudget = { instructions: 1, timeoutMs: 60_000 };

class LockstepCpu implements Cpu {
  private regions: Region[] = [];
  private sinceMemory = 0;
  /** Instructions into the current window period (windows mode). */
  private position = 0;


  constructor(private readonly ref: Cpu, private readonly dut: InterpCpu, private readonly shared: Shared) {}

  run(budget: RunBudget): CpuExit {
    let n = budget.instructions > 0 && Number.isFinite(budget.instructions) ? budget.instructions : Infinity;
    const w = this.shared.windows;
    if (w !== null && this.position >= w.check) { // outside a window: the interpreter alone
      const before = this.dut.icount;
      const exit = this.dut.run({ instructions: Math.min(n, w.period - this.position), timeoutMs: budget.timeoutMs });
      this.position += this.dut.icount - before;
      if (this.position >= w.period) { // the next window starts from the interpreter's state
        this.position = 0;
        this.ref.setState(this.dut.getState());
      }
      return exit;
    }
    if (w !== null) n = Math.min(n, w.check - this.position);
    const deadline = budget.timeoutMs > 0 ? Date.now() + budget.timeoutMs : Infinity;
    this.syncKernelWrites();
    for (let k = 0; k < n; k++) {
      if ((k & 1023) === 1023 && Date.now() > deadline) break;
      this.position++;
      const exit = this.step();
      if (exit.kind !== 'budget') return exit;
    }
    const diffs: string[] = [];
    this.compareMemory(diffs);
    if (diffs.length) this.diverged(this.dut.getReg(RIP), null, diffs);
    return { kind: 'budget' };
  }

  /**
   * Memory agreed when the last run() returned, so what differs now the
   * kernel wrote (not every kernel write comes with invalidate(): exec
   * builds the stack in place, clone and futexes store words): give it to
   * the reference too.
   */
  private syncKernelWrites(): void {
    for (const r of this.regions) {
      if (Buffer.compare(r.host, r.shadow) === 0) continue;
      r.shadow.set(r.host);
      this.ref.invalidate(BigInt(r.start), r.end - r.start); // it may be code
    }
  }

  /** One instruction on both sides, compared. */
  private step(): CpuExit {
    const rip = this.dut.getReg(RIP);
    const eb = this.dut.run(ONE);
    let ea = this.ref.run(ONE);
    // A repeated string instruction is one run() of the interpreter and one
    // iteration per run() of Unicorn: let the reference go as far (to the
    // same RCX, then into the same fault if the interpreter stopped on one).
    while (ea.kind === 'budget' && this.ref.getReg(RIP) === rip
      && (this.dut.getReg(RIP) !== rip || this.ref.getReg(RCX) !== this.dut.getReg(RCX) || eb.kind !== 'budget')) {
      const rcx = this.ref.getReg(RCX);
      ea = this.ref.run(ONE);
      if (this.ref.getReg(RCX) === rcx && this.ref.getReg(RIP) === rip) break; // not a string instruction making progress
    }
    this.shared.report.steps++;
    const diffs: string[] = [];
    if (!sameExit(ea, eb)) diffs.push(`exit: reference ${show(ea)}, under test ${show(eb)}`);
    let insn: Insn | null = null;
    const insnAt = (): Insn | null => {
      if (insn === null) { try { insn = decode(this.dut.mem, Number(rip)); } catch { /* unreadable */ } }
      return insn;
    };
    this.compareRegs(diffs, insnAt);
    const i = insnAt();
    const checkpoint = eb.kind !== 'budget' || ++this.sinceMemory >= this.shared.every;
    if (checkpoint || i === null || touchesFp(i)) this.compareFp(diffs);
    if (checkpoint) {
      this.sinceMemory = 0;
      this.compareMemory(diffs);
    }
    if (diffs.length) this.diverged(rip, insnAt(), diffs);
    return eb;
  }

  private compareRegs(out: string[], insnAt: () => Insn | null): void {
    for (let r = 0; r < REG_COUNT; r++) {
      const x = this.ref.getReg(r), y = this.dut.getReg(r);
      if (x === y) continue;
      if (r === RFLAGS) {
        const i = insnAt();
        const mask = BigInt(i ? undefinedFlags(i.name) : 0);
        if ((x & ~mask) === (y & ~mask)) { this.ref.setReg(RFLAGS, y); continue; } // undefined flags: take the interpreter's
      }
      out.push(`${GPR_NAMES[r]}: reference 0x${x.toString(16)}, under test 0x${y.toString(16)}`);
    }
  }

  private compareFp(out: string[]): void {
    const fa = this.ref.getState().fxsave, fb = this.dut.getState().fxsave;
    for (let k = 0; k < 416 && k < FXSAVE_SIZE; k++) {
      if (k >= 6 && k < 24) continue; // FOP, FIP, FDP: not emulated (interp README)
      if (fa[k] !== fb[k]) out.push(`fxsave byte ${k}: reference 0x${fa[k]!.toString(16)}, under test 0x${fb[k]!.toString(16)}`);
    }
  }

  private compareMemory(out: string[]): void {
    for (const r of this.regions) {
      if (Buffer.compare(r.host, r.shadow) === 0) continue;
      for (let p = 0; p < r.host.length; p++) {
        if (r.host[p] !== r.shadow[p]) {
          out.push(`memory 0x${(r.start + p).toString(16)}: reference 0x${r.shadow[p]!.toString(16)}, under test 0x${r.host[p]!.toString(16)}`);
          return;
        }
      }
    }
  }

  /** Record (unless excepted) and resynchronise the reference from the interpreter. */
  private diverged(rip: bigint, i: Insn | null, diffs: string[]): void {
    const rep = this.shared.report;
    const bytes = i ? Array.from({ length: i.len }, (_, k) => this.dut.mem.fetch8(Number(rip) + k)) : [];
    const d: Divergence = { step: rep.steps - 1, rip, bytes, disasm: i ? disassemble(i) : '(unreadable)', differences: diffs };
    const why = i ? excepted(i, d, this.dut.mxcsr) : null;
    if (why) rep.excepted[why] = (rep.excepted[why] ?? 0) + 1;
    else if (rep.divergences.length < this.shared.limit) rep.divergences.push(d);
    this.ref.setState(this.dut.getState());
    for (const r of this.regions) r.shadow.set(r.host);
  }

  getReg(reg: number): bigint { return this.dut.getReg(reg); }
  setReg(reg: number, value: bigint): void { this.ref.setReg(reg, value); this.dut.setReg(reg, value); }
  getRegLo(reg: number): number { return this.dut.getRegLo(reg); }
  getRegHi(reg: number): number { return this.dut.getRegHi(reg); }
  setRegNumber(reg: number, value: number): void { this.ref.setRegNumber(reg, value); this.dut.setRegNumber(reg, value); }
  getState() { return this.dut.getState(); }
  setState(state: ReturnType<Cpu['getState']>): void { this.ref.setState(state); this.dut.setState(state); }

  map(addr: bigint, len: number, prot: number, host: Uint8Array): void {
    let whole = this.shared.shadows.get(host.buffer);
    if (!whole) {
      whole = new Uint8Array(host.buffer.byteLength);
      whole.set(new Uint8Array(host.buffer));
      this.shared.shadows.set(host.buffer, whole);
    }
    const shadow = whole.subarray(host.byteOffset, host.byteOffset + len);
    shadow.set(host); // the kernel may have filled it since it was first seen
    this.ref.map(addr, len, prot, shadow);
    this.dut.map(addr, len, prot, host);
    this.regions.push({ start: Number(addr), end: Number(addr) + len, host, shadow });
  }

  unmap(addr: bigint, len: number): void {
    this.ref.unmap(addr, len);
    this.dut.unmap(addr, len);
    const lo = Number(addr), hi = lo + len;
    const kept: Region[] = [];
    for (const r of this.regions) {
      if (r.end <= lo || r.start >= hi) { kept.push(r); continue; }
      if (r.start < lo) kept.push(slice(r, r.start, lo));
      if (r.end > hi) kept.push(slice(r, hi, r.end));
    }
    this.regions = kept;
  }

  protect(addr: bigint, len: number, prot: number): void {
    this.ref.protect(addr, len, prot);
    this.dut.protect(addr, len, prot);
  }

  invalidate(addr: bigint, len: number): void {
    const lo = Number(addr), hi = lo + len;
    for (const r of this.regions) {
      if (r.end <= lo || r.start >= hi) continue;
      const a = Math.max(lo, r.start) - r.start, b = Math.min(hi, r.end) - r.start;
      r.shadow.set(r.host.subarray(a, b), a);
    }
    this.ref.invalidate(addr, len);
    this.dut.invalidate(addr, len);
  }

  dispose(): void {
    this.ref.dispose();
    this.dut.dispose();
    this.regions = [];
  }
}

function slice(r: Region, start: number, end: number): Region {
  return { start, end, host: r.host.subarray(start - r.start, end - r.start), shadow: r.shadow.subarray(start - r.start, end - r.start) };
}

function show(e: CpuExit): string {
  return JSON.stringify(e, (_, v) => typeof v === 'bigint' ? '0x' + v.toString(16) : v);
}

function sameExit(x: CpuExit, y: CpuExit): boolean {
  return x.kind === y.kind && (x.kind === 'budget' || show(x) === show(y));
}

/**
 * Whether an instruction may change the x87/MMX/SSE state (so the FXSAVE
 * images are compared after it; at checkpoints they always are): x87
 * escapes, and 0F-map instructions with an XMM or MMX operand or that load
 * MXCSR, the x87 state or the tags.
 */
function touchesFp(i: Insn): boolean {
  return (i.op >= 0xd8 && i.op <= 0xdf) || (i.op >= 0x100 && (/[VWUPQN]/.test(i.form) || /^(ldmxcsr|fxrstor|emms)$/.test(i.name)));
}
