/**
 * The interpreter's CPU: architectural state, the decoded-instruction cache
 * and the run loop. Instruction semantics live in ops/*, decoding in
 * decode.ts and table.ts.
 *
 * Register file: the sixteen GPRs are 32 unsigned 32-bit words in `r`
 * (r[2n] low half, r[2n+1] high half of register n); `r64` is a BigUint64Array
 * view of the same bytes for the BigInt interface. No BigInt is used on the
 * execution path.
 */

import { PAGE_SIZE } from '../engine.js';
import type { Cpu, CpuExit, RunBudget } from '../engine.js';
import {
  FLAG_FIXED, FLAG_IF, FLAG_TF, FS_BASE, FXSAVE_FCW, FXSAVE_FSW, FXSAVE_FTW, FXSAVE_MXCSR, FXSAVE_MXCSR_MASK,
  FXSAVE_SIZE, FXSAVE_ST0, FXSAVE_XMM0, GS_BASE, MXCSR_INITIAL, REG_COUNT, RFLAGS,
  RFLAGS_INITIAL, RIP,
} from '../regs.js';
import type { CpuState } from '../regs.js';
import { BlockCache, HOT } from './blocks.js';
import type { Block } from './blocks.js';
import { decode } from './decode.js';
import { F_NONE, FLAGS_USER, getFlags } from './flags.js';
import { Fpu } from './fpu.js';
import type { Insn } from './insn.js';
import { GuestMemory, Trap } from './memory.js';

const EXIT_BUDGET: CpuExit = Object.freeze({ kind: 'budget' });
/** #DB after an instruction that began with TF set (SDM vol. 3 17.3.1.4: single-step trap). */
const EXIT_STEP: CpuExit = Object.freeze({ kind: 'db', icebp: false });

/** Options of an interp CPU. */
export interface InterpOptions {
  /** Compile hot basic blocks to JavaScript (blocks.ts); false interprets every instruction. Default true. */
  blocks?: boolean;
  /** Times a block start is reached before it is compiled (default blocks.ts HOT; 1 compiles at once, for tests). */
  hot?: number;
}


const TWO32 = 4294967296;

export class InterpCpu implements Cpu {
  readonly mem = new GuestMemory();
  private readonly regBuf = new ArrayBuffer(16 * 8);
  /** GPR words: r[2n] low, r[2n+1] high half of register n. */
  readonly r = new Uint32Array(this.regBuf);
  readonly r64 = new BigUint64Array(this.regBuf);
  rip = 0;
  /** RFLAGS; its arithmetic bits are stale while fOp !== F_NONE (flags.ts). */
  flags = RFLAGS_INITIAL;
  fOp = F_NONE;
  fSize = 4;
  fDstLo = 0; fDstHi = 0; fSrcLo = 0; fSrcHi = 0; fResLo = 0; fResHi = 0;
  /** Carry-in of adc/sbb, or the preserved CF of inc/dec. */
  fCin = 0;
  fsLo = 0; fsHi = 0; gsLo = 0; gsHi = 0;

  /**
   * XMM0-15, 16 bytes each, then two scratch slots (16, 17) that hold memory
   * operands of SSE instructions, and two (18, 19) on which MMX instructions
   * run their SSE counterparts (ops/mmx.ts); typed views over the same bytes.
   */
  readonly xmmBuf = new ArrayBuffer(20 * 16);
  readonly xb = new Uint8Array(this.xmmBuf);
  readonly xsb = new Int8Array(this.xmmBuf);
  readonly xw = new Uint16Array(this.xmmBuf);
  readonly xsw = new Int16Array(this.xmmBuf);
  readonly xd = new Uint32Array(this.xmmBuf);
  readonly xsd = new Int32Array(this.xmmBuf);
  readonly xf = new Float32Array(this.xmmBuf);
  readonly xpd = new Float64Array(this.xmmBuf);
  readonly xv = new DataView(this.xmmBuf);
  mxcsr = MXCSR_INITIAL;
  readonly fpu = new Fpu();

  /** Scratch: high half of the last 64-bit operand read, and the last effective address as a pair. */
  hi = 0;
  eaLo = 0;
  eaHi = 0;
  /** Set by a handler to end run() after the current instruction (syscall, int3). */
  exit: CpuExit | null = null;
  /** Instructions retired since creation (rdtsc counts these). */
  icount = 0;
  /** Index in the running region of the instruction executing (compile.ts). */
  bi = 0;
  /** Instructions the running region completed before the current block, minus the block's first index. */
  bd = 0;
  /** Decoded code was dropped while a block ran: the block must stop (blocks.ts). */
  smc = false;
  private readonly useBlocks: boolean;
  private readonly blocks: BlockCache;

  /** Decoded instructions by page number, then by offset in the page. */
  private readonly code = new Map<number, (Insn | undefined)[]>();
  private lastPn = -1;
  private lastPage: (Insn | undefined)[] | undefined;
  /** Address of the first byte of lastPage (so the hot path needs no division). */
  private lastBase = -1;

  constructor(options: InterpOptions = {}) {
    this.useBlocks = options.blocks ?? true;
    this.blocks = new BlockCache(options.hot ?? HOT, (pn) => this.code.has(pn), (a) => this.fetch(a));
    this.mem.onCodeWrite = (pn) => this.dropCode(pn);
  }

  // ---- the run loop -------------------------------------------------------

  run(budget: RunBudget): CpuExit {
    this.exit = null;
    let n = budget.instructions;
    // The clock is first read at the first time check (after 65536
    // instructions), not on entry: a syscall-heavy guest enters run() once
    // per syscall and most entries never get that far. The slice may so run
    // over by the time of those first instructions (well under a millisecond).
    const timeoutMs = budget.timeoutMs > 0 ? budget.timeoutMs : Infinity;
    let deadline = -1;
    let insn: Insn | null = null;
    let block: Block | null = null;
    let ticks = 0;
    let tail = false;
    try {
      let prev: Block | null = null;
      while (n > 0) {
        // TF: one instruction at a time, each followed by the #DB trap (no regions).
        if (this.useBlocks && !tail && (this.flags & FLAG_TF) === 0) {
          // Chained: a block remembers the blocks that followed it (two slots).
          const rip = this.rip;
          let b: Block | null = null;
          if (prev !== null) {
            if (prev.t0 === rip) b = prev.s0; else if (prev.t1 === rip) b = prev.s1;
            if (b !== null && b.dead) b = null;
          }
          if (b === null) {
            b = this.blocks.at(rip);
            if (prev !== null && b !== null) {
              if (prev.t0 === -1 || prev.t0 === rip) { prev.t0 = rip; prev.s0 = b; } else { prev.t1 = rip; prev.s1 = b; }
            }
          }
          // A compiled block that needs more than the budget left (its
          // `first`: up to the region's next budget check): interpret the
          // rest of the slice, so a run retires exactly what it was asked,
          // without looking up blocks (which would count starts, and so
          // compile regions, at addresses in the middle of blocks).
          if (b !== null && b.first > n) tail = true;
          else if (b !== null) {
            block = b;
            this.smc = false;
            const done = b.fn(this, n < 65536 ? n : 65536, b.entry);
            block = null;
            n -= done;
            this.icount += done;
            if (this.exit !== null) return this.exit;
            prev = this.smc ? null : b;
            ticks += done;
            if (ticks >= 65536) {
              ticks = 0;
              const now = Date.now();
              if (deadline < 0) deadline = now + timeoutMs; else if (now >= deadline) break;
            }
            continue;
          }
          prev = null;
        }
        insn = null;
        const i = this.fetch(this.rip);
        insn = i;
        this.rip = i.addr + i.len;
        const step = this.flags & FLAG_TF; // TF as the instruction began (popf setting it traps only after the next one)
        i.handler(this, i);
        insn = null;
        n--;
        this.icount++;
        // A syscall or int3 exits first: Linux masks TF on syscall entry and
        // the trap comes after the next instruction (this machine: stepping
        // over `syscall` traps at the instruction after the one after it).
        if (this.exit !== null) return this.exit;
        if (step !== 0) return EXIT_STEP;
        if (++ticks >= 65536) {
          ticks = 0;
          const now = Date.now();
          if (deadline < 0) deadline = now + timeoutMs; else if (now >= deadline) break;
        }
      }
    } catch (e) {
      if (!(e instanceof Trap)) throw e;
      // The faulting instruction did not complete: RIP stays on it.
      if (block !== null) {
        this.rip = block.insns[this.bi]!.addr;
        this.icount += this.bd + this.bi;
      } else if (insn !== null) this.rip = insn.addr;
      return e.exit;
    }
    return EXIT_BUDGET;
  }

  /** The decoded instruction at `a`, from the cache or freshly decoded. */
  private fetch(a: number): Insn {
    const off = a - this.lastBase;
    if (off >= 0 && off < PAGE_SIZE && this.lastPage !== undefined) {
      const i = this.lastPage[off];
      if (i !== undefined) return i;
    }
    const pn = Math.floor(a / PAGE_SIZE);
    let page = this.lastPage;
    if (pn !== this.lastPn) {
      page = this.code.get(pn);
      this.lastPn = pn;
      this.lastPage = page;
      this.lastBase = pn * PAGE_SIZE;
    }
    if (page !== undefined) {
      const i = page[a & 0xfff];
      if (i !== undefined) return i;
    }
    const i = decode(this.mem, a);
    // An instruction that straddles two pages is not cached (so no page has to
    // invalidate another); it is decoded again each time.
    if (((a & 0xfff) + i.len) <= PAGE_SIZE) {
      if (page === undefined) {
        page = new Array<Insn | undefined>(PAGE_SIZE);
        this.code.set(pn, page);
        this.mem.markCode(pn);
        this.lastPn = pn;
        this.lastPage = page;
        this.lastBase = pn * PAGE_SIZE;
      }
      page[a & 0xfff] = i;
    }
    return i;
  }

  private dropCode(pn: number): void {
    this.blocks.dropPage(pn);
    this.smc = true;
    if (this.code.delete(pn)) {
      const p = this.mem.pages.get(pn);
      if (p) p.code = false;
    }
    if (pn === this.lastPn) {
      this.lastPn = -1;
      this.lastPage = undefined;
      this.lastBase = -1;
    }
  }

  private dropCodeRange(addr: number, len: number): void {
    const first = Math.floor(addr / PAGE_SIZE);
    const last = Math.floor((addr + Math.max(len, 1) - 1) / PAGE_SIZE);
    for (let pn = first; pn <= last; pn++) this.dropCode(pn);
  }

  // ---- the Cpu interface --------------------------------------------------

  getReg(reg: number): bigint {
    if (reg < 16) return this.r64[reg]!;
    switch (reg) {
      case RIP: return BigInt(this.rip);
      case RFLAGS: return BigInt(getFlags(this));
      case FS_BASE: return (BigInt(this.fsHi) << 32n) | BigInt(this.fsLo);
      case GS_BASE: return (BigInt(this.gsHi) << 32n) | BigInt(this.gsLo);
    }
    throw new RangeError(`no register ${reg}`);
  }

  setReg(reg: number, value: bigint): void {
    // A BigUint64Array store wraps modulo 2^64 itself: the syscall return path costs one BigInt op.
    if (reg < 16) {
      this.r64[reg] = value;
      return;
    }
    value = BigInt.asUintN(64, value);
    const lo = Number(value & 0xffffffffn), hi = Number(value >> 32n);
    switch (reg) {
      case RIP: this.rip = hi * TWO32 + lo; return;
      case RFLAGS: this.fOp = F_NONE; this.flags = (lo & FLAGS_USER) | FLAG_FIXED | FLAG_IF; return;
      case FS_BASE: this.fsLo = lo; this.fsHi = hi; return;
      case GS_BASE: this.gsLo = lo; this.gsHi = hi; return;
    }
    throw new RangeError(`no register ${reg}`);
  }

  getRegLo(reg: number): number {
    return this.r[2 * reg]!;
  }

  getRegHi(reg: number): number {
    return this.r[2 * reg + 1]!;
  }

  setRegNumber(reg: number, value: number): void {
    // ToUint32 takes an integer modulo 2^32; the division by 2^32 is exact.
    this.r[2 * reg] = value >>> 0;
    this.r[2 * reg + 1] = Math.floor(value / TWO32) >>> 0;
  }

  getState(): CpuState {
    const regs = new BigUint64Array(REG_COUNT);
    for (let n = 0; n < REG_COUNT; n++) regs[n] = this.getReg(n);
    return { regs, fxsave: this.fxsaveImage() };
  }

  setState(state: CpuState): void {
    for (let n = 0; n < REG_COUNT; n++) this.setReg(n, state.regs[n]!);
    this.fxrstorImage(state.fxsave);
  }

  /** The FXSAVE image of the x87/SSE state (64-bit format, Intel SDM vol. 1 table 10-2). */
  fxsaveImage(): Uint8Array {
    const img = new Uint8Array(FXSAVE_SIZE);
    const v = new DataView(img.buffer);
    const f = this.fpu;
    v.setUint16(FXSAVE_FCW, f.cw, true);
    v.setUint16(FXSAVE_FSW, f.fsw, true);
    v.setUint8(FXSAVE_FTW, f.tags);
    v.setUint32(FXSAVE_MXCSR, this.mxcsr, true);
    v.setUint32(FXSAVE_MXCSR_MASK, 0xffff, true);
    for (let i = 0; i < 8; i++) {
      const p = (f.top + i) & 7;
      v.setBigUint64(FXSAVE_ST0 + 16 * i, f.m[p]!, true);
      v.setUint16(FXSAVE_ST0 + 16 * i + 8, f.se[p]!, true);
    }
    img.set(this.xb.subarray(0, 256), FXSAVE_XMM0);
    return img;
  }

  fxrstorImage(img: Uint8Array): void {
    const v = new DataView(img.buffer, img.byteOffset, FXSAVE_SIZE);
    const f = this.fpu;
    f.cw = v.getUint16(FXSAVE_FCW, true);
    f.fsw = v.getUint16(FXSAVE_FSW, true);
    f.tags = v.getUint8(FXSAVE_FTW);
    this.mxcsr = v.getUint32(FXSAVE_MXCSR, true) & 0xffff;
    for (let i = 0; i < 8; i++) {
      const p = (f.top + i) & 7;
      f.m[p] = v.getBigUint64(FXSAVE_ST0 + 16 * i, true);
      f.se[p] = v.getUint16(FXSAVE_ST0 + 16 * i + 8, true);
    }
    this.xb.set(img.subarray(FXSAVE_XMM0, FXSAVE_XMM0 + 256));
  }

  map(addr: bigint, len: number, prot: number, host: Uint8Array): void {
    this.mem.map(Number(addr), len, prot, host);
    this.dropCodeRange(Number(addr), len);
  }

  unmap(addr: bigint, len: number): void {
    this.dropCodeRange(Number(addr), len);
    this.mem.unmap(Number(addr), len);
  }

  protect(addr: bigint, len: number, prot: number): void {
    this.dropCodeRange(Number(addr), len);
    this.mem.protect(Number(addr), len, prot);
  }

  invalidate(addr: bigint, len: number): void {
    this.dropCodeRange(Number(addr), len);
  }

  dispose(): void {
    // The compiled blocks go with the CPU (the kernel drops it): marking each
    // dead (BlockCache.clear) would walk 4096 slots per code page, at every
    // exit and exec, for nothing.
    this.code.clear();
    this.mem.pages.clear();
    this.lastPn = -1;
    this.lastPage = undefined;
    this.lastBase = -1;
  }
}
