/**
 * One guest CPU on one Unicorn engine (uc_engine). See README.md beside this
 * file for the why of each quirk handled here.
 */

import {
  type Access, type Cpu, type CpuExit, type RunBudget,
  PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE,
} from '../engine.js';
import {
  type CpuState, R11, RCX, REG_COUNT, RFLAGS, RIP,
  FXSAVE_FCW, FXSAVE_FSW, FXSAVE_FTW, FXSAVE_MXCSR, FXSAVE_MXCSR_MASK, FXSAVE_ST0, FXSAVE_XMM0, FXSAVE_SIZE,
  initialCpuState,
} from '../regs.js';
import * as C from './consts.js';
import { HOOK_INTR, HOOK_MEM, HOOK_NONE, HOOK_SYSCALL, type UcHandle, type UnicornLib } from './ffi.js';
import { SegmentList } from './segments.js';

/** Unicorn register ids in regs.ts order (RAX..R15, RIP, RFLAGS, FS_BASE, GS_BASE). */
const GPR_IDS = [
  C.UC_X86_REG_RAX, C.UC_X86_REG_RCX, C.UC_X86_REG_RDX, C.UC_X86_REG_RBX,
  C.UC_X86_REG_RSP, C.UC_X86_REG_RBP, C.UC_X86_REG_RSI, C.UC_X86_REG_RDI,
  ...Array.from({ length: 8 }, (_, i) => C.UC_X86_REG_R8 + i),
  C.UC_X86_REG_RIP, C.UC_X86_REG_EFLAGS, C.UC_X86_REG_FS_BASE, C.UC_X86_REG_GS_BASE,
];
/** x87 and SSE state; FPSW (which holds TOP) before ST0-7, which are TOP-relative. */
const EXT_IDS = [
  C.UC_X86_REG_FPCW, C.UC_X86_REG_FPSW, C.UC_X86_REG_FPTAG, C.UC_X86_REG_MXCSR,
  ...Array.from({ length: 8 }, (_, i) => C.UC_X86_REG_ST0 + i),
  ...Array.from({ length: 16 }, (_, i) => C.UC_X86_REG_XMM0 + i),
];
const EXT_FPCW = 0, EXT_FPSW = 1, EXT_FPTAG = 2, EXT_MXCSR = 3, EXT_ST0 = 4, EXT_XMM0 = 12;
/** Byte offsets in the value buffer: GPRs 8 bytes each, then 16-byte slots. */
const EXT_BASE = 256;
const VALUE_BYTES = 4096; // >= 4 KiB: V8 keeps it off-heap, at a fixed address

/** The flags a user task may hold (no IOPL, VM, VIF, VIP), plus bit 1. */
const RFLAGS_USER = 0x254fd5n;
const RFLAGS_FIXED = 2n;
const UNTIL = 0xffff_ffff_ffff_ffffn; // non-canonical: never reached
const CR4_OSFXSR_OSXMMEXCPT = 0x600n;
/** Two scratch pages in the kernel half: an iretq stub (unmapped after use) and the GDT (kept). */
const SCRATCH = 0xffff_ffff_fffe_0000n;
const GDT = SCRATCH + BigInt(PAGE_SIZE);
/** Linux's x86-64 GDT (arch/x86/include/asm/segment.h): __USER_DS 0x2b, __USER_CS 0x33. */
const GDT_ENTRIES = [0n, 0x00cf9b000000ffffn, 0x00af9b000000ffffn, 0x00cf93000000ffffn,
  0x00cffb000000ffffn, 0x00cff3000000ffffn, 0x00affb000000ffffn];
const USER_CS = 0x33n, USER_DS = 0x2bn;
/** An address range no guest access can hit, for the precise-RIP hook. */
const NOP_HOOK_BEGIN = 0xffff_ffff_ffff_f000n, NOP_HOOK_END = 0xffff_ffff_ffff_f001n;
const CANONICAL_LOW_END = 0x0000_8000_0000_0000n, CANONICAL_HIGH_START = 0xffff_8000_0000_0000n;

const EXIT_SYSCALL: CpuExit = Object.freeze({ kind: 'syscall' });
const EXIT_UD: CpuExit = Object.freeze({ kind: 'ud' });
const EXIT_DE: CpuExit = Object.freeze({ kind: 'de' });
const EXIT_GP: CpuExit = Object.freeze({ kind: 'gp' });
const EXIT_HLT: CpuExit = Object.freeze({ kind: 'hlt' });
const EXIT_INT3: CpuExit = Object.freeze({ kind: 'int3' });
const EXIT_STEP: CpuExit = Object.freeze({ kind: 'db', icebp: false });
const EXIT_ICEBP: CpuExit = Object.freeze({ kind: 'db', icebp: true });
const EXIT_BUDGET: CpuExit = Object.freeze({ kind: 'budget' });

/** Closes the engine of a Cpu that was dropped without dispose() (a kernel bug, but 3 MB each). */
const leaked = new FinalizationRegistry<{ lib: UnicornLib; uc: UcHandle; ctx: object }>((h) => {
  h.lib.uc_context_free(h.ctx);
  h.lib.uc_close(h.uc);
});

export class UnicornCpu implements Cpu {
  private uc: UcHandle | null;
  private readonly pristine: object;
  private readonly values = new ArrayBuffer(VALUE_BYTES);
  /** The register cache: valid whenever no run is in progress; unicorn's copy is stale if `dirty`. */
  private readonly regs = new BigUint64Array(this.values, 0, REG_COUNT);
  /** The same cache as 32-bit words (little-endian: low word first), for the number path. */
  private readonly words = new Uint32Array(this.values, 0, 2 * REG_COUNT);
  private dirty = true;
  private readonly gprIds = Int32Array.from(GPR_IDS);
  private readonly extIds = Int32Array.from(EXT_IDS);
  private readonly gprPtrs: BigUint64Array;
  private readonly extPtrs: BigUint64Array;
  private readonly segments = new SegmentList();
  private readonly scratch = new Uint8Array(2 * PAGE_SIZE);

  constructor(private readonly lib: UnicornLib) {
    const out: [UcHandle | null] = [null];
    check(lib, lib.uc_open(C.UC_ARCH_X86, C.UC_MODE_64, out), 'uc_open');
    const uc = out[0]!;
    this.uc = uc;
    const base = lib.koffi.address(new Uint8Array(this.values));
    this.gprPtrs = BigUint64Array.from(GPR_IDS, (_, i) => base + BigInt(8 * i));
    this.extPtrs = BigUint64Array.from(EXT_IDS, (_, i) => base + BigInt(EXT_BASE + 16 * i));
    try {
      check(lib, lib.uc_reg_write(uc, C.UC_X86_REG_CR4, BigUint64Array.of(CR4_OSFXSR_OSXMMEXCPT)), 'CR4');
      this.enterUserMode(uc);
      const hh: [bigint] = [0n];
      check(lib, lib.uc_hook_add(uc, hh, C.UC_HOOK_INSN, lib.cbSyscall, null, 1n, 0n,
        'int', C.UC_X86_INS_SYSCALL), 'syscall hook');
      check(lib, lib.uc_hook_add(uc, hh, C.UC_HOOK_INSN, lib.cbCpuid, null, 1n, 0n,
        'int', C.UC_X86_INS_CPUID), 'cpuid hook');
      check(lib, lib.uc_hook_add(uc, hh, C.UC_HOOK_INTR, lib.cbIntr, null, 1n, 0n), 'intr hook');
      check(lib, lib.uc_hook_add(uc, hh, C.UC_HOOK_MEM_INVALID, lib.cbMemInvalid, null, 1n, 0n), 'mem hook');
      check(lib, lib.uc_hook_add(uc, hh, C.UC_HOOK_MEM_READ | C.UC_HOOK_MEM_WRITE, lib.cbMemNop, null,
        NOP_HOOK_BEGIN, NOP_HOOK_END), 'precise-RIP hook');
      const ctx: [object | null] = [null];
      check(lib, lib.uc_context_alloc(uc, ctx), 'uc_context_alloc');
      this.pristine = ctx[0]!;
      check(lib, lib.uc_context_save(uc, this.pristine), 'uc_context_save');
    } catch (e) {
      lib.uc_close(uc);
      this.uc = null;
      throw e;
    }
    leaked.register(this, { lib, uc, ctx: this.pristine }, this);
    this.setState(initialCpuState());
  }

  run(budget: RunBudget): CpuExit {
    const uc = this.live();
    const lib = this.lib;
    if (this.dirty) this.flushRegs(uc);
    const rec = lib.hookRecord;
    rec.kind = HOOK_NONE;
    // The budget is an instruction count, which Unicorn enforces with a hook
    // at an instruction boundary. Stopping a run from another thread (a
    // timeout: Unicorn's own timer thread, or one of ours) is not safe on
    // Unicorn 2.0.1: under load it came back with RIP past instructions whose
    // register writes were lost (see README, "time budget").
    const n = budget.instructions;
    const count = n > 0 && Number.isFinite(n) ? Math.min(n, 0xffff_ffff) : 0;
    const err = lib.uc_emu_start(uc, this.regs[RIP], UNTIL, 0, count);
    this.regs[RFLAGS] = 0n; // EFLAGS reads write 4 bytes only
    check(lib, lib.uc_reg_read_batch(uc, this.gprIds, this.gprPtrs, GPR_IDS.length), 'reg read');
    switch (rec.kind) {
      case HOOK_SYSCALL: // RIP is already past the syscall; set what the CPU would
        this.regs[RCX] = this.regs[RIP];
        this.regs[R11] = this.regs[RFLAGS];
        this.dirty = true;
        return EXIT_SYSCALL;
      case HOOK_INTR:
        return this.interrupt(uc, rec.intno);
      case HOOK_MEM:
        return this.fault(rec.memType, rec.addr);
    }
    switch (err) {
      case C.UC_ERR_OK: return EXIT_BUDGET; // the instruction count ran out
      case C.UC_ERR_INSN_INVALID: return EXIT_UD;
      case C.UC_ERR_EXCEPTION: this.clearPendingException(uc); return EXIT_GP;
    }
    throw new Error(`unicorn: uc_emu_start at 0x${this.regs[RIP].toString(16)}: ${lib.uc_strerror(err)}`);
  }

  getReg(reg: number): bigint {
    this.live();
    return this.regs[checkReg(reg)];
  }

  setReg(reg: number, value: bigint): void {
    this.live();
    this.regs[checkReg(reg)] = value;
    this.dirty = true;
  }

  getRegLo(reg: number): number {
    this.live();
    return this.words[2 * checkGpr(reg)]!;
  }

  getRegHi(reg: number): number {
    this.live();
    return this.words[2 * checkGpr(reg) + 1]!;
  }

  setRegNumber(reg: number, value: number): void {
    this.live();
    const n = 2 * checkGpr(reg);
    this.words[n] = value >>> 0; // ToUint32: an integer modulo 2^32
    this.words[n + 1] = Math.floor(value / 4294967296) >>> 0;
    this.dirty = true;
  }

  getState(): CpuState {
    const uc = this.live();
    this.readExt(uc);
    const fxsave = new Uint8Array(FXSAVE_SIZE);
    const out = new DataView(fxsave.buffer);
    const v = new DataView(this.values, EXT_BASE);
    const slot = (i: number) => 16 * i;
    out.setUint16(FXSAVE_FCW, v.getUint16(slot(EXT_FPCW), true), true);
    out.setUint16(FXSAVE_FSW, v.getUint16(slot(EXT_FPSW), true), true);
    const tag = v.getUint16(slot(EXT_FPTAG), true);
    let ftw = 0; // abridged: bit i set when physical register i is not empty (tag != 11b)
    for (let i = 0; i < 8; i++) if (((tag >> (2 * i)) & 3) !== 3) ftw |= 1 << i;
    out.setUint8(FXSAVE_FTW, ftw);
    out.setUint32(FXSAVE_MXCSR, v.getUint32(slot(EXT_MXCSR), true), true);
    out.setUint32(FXSAVE_MXCSR_MASK, 0xffff, true);
    const bytes = new Uint8Array(this.values, EXT_BASE);
    for (let i = 0; i < 8; i++) fxsave.set(bytes.subarray(slot(EXT_ST0 + i), slot(EXT_ST0 + i) + 10), FXSAVE_ST0 + 16 * i);
    for (let i = 0; i < 16; i++) fxsave.set(bytes.subarray(slot(EXT_XMM0 + i), slot(EXT_XMM0 + i) + 16), FXSAVE_XMM0 + 16 * i);
    return { regs: this.regs.slice(), fxsave };
  }

  setState(state: CpuState): void {
    const uc = this.live();
    if (state.regs.length < REG_COUNT || state.fxsave.length < FXSAVE_SIZE) {
      throw new Error(`unicorn: setState needs ${REG_COUNT} registers and a ${FXSAVE_SIZE}-byte fxsave`);
    }
    this.regs.set(state.regs.subarray(0, REG_COUNT));
    this.dirty = true;
    const src = new DataView(state.fxsave.buffer, state.fxsave.byteOffset, FXSAVE_SIZE);
    const bytes = new Uint8Array(this.values, EXT_BASE);
    bytes.fill(0, 0, 16 * EXT_IDS.length);
    const v = new DataView(this.values, EXT_BASE);
    v.setUint16(16 * EXT_FPCW, src.getUint16(FXSAVE_FCW, true), true);
    v.setUint16(16 * EXT_FPSW, src.getUint16(FXSAVE_FSW, true), true);
    const ftw = src.getUint8(FXSAVE_FTW);
    let tag = 0; // full tag word: 00 valid (Unicorn recomputes it), 11 empty
    for (let i = 0; i < 8; i++) if (!(ftw & (1 << i))) tag |= 3 << (2 * i);
    v.setUint16(16 * EXT_FPTAG, tag, true);
    v.setUint32(16 * EXT_MXCSR, src.getUint32(FXSAVE_MXCSR, true) & 0xffff, true);
    for (let i = 0; i < 8; i++) {
      bytes.set(state.fxsave.subarray(FXSAVE_ST0 + 16 * i, FXSAVE_ST0 + 16 * i + 10), 16 * (EXT_ST0 + i));
    }
    for (let i = 0; i < 16; i++) {
      bytes.set(state.fxsave.subarray(FXSAVE_XMM0 + 16 * i, FXSAVE_XMM0 + 16 * i + 16), 16 * (EXT_XMM0 + i));
    }
    check(this.lib, this.lib.uc_reg_write_batch(uc, this.extIds, this.extPtrs, EXT_IDS.length), 'setState');
  }

  map(addr: bigint, len: number, prot: number, host: Uint8Array): void {
    const uc = this.live();
    const end = checkRange('map', addr, len);
    if (!(host instanceof Uint8Array) || host.byteLength !== len) {
      throw new Error(`unicorn: map(0x${addr.toString(16)}, ${len}): host buffer must be exactly ${len} bytes`);
    }
    this.segments.checkFree(addr, end);
    check(this.lib, this.lib.uc_mem_map_ptr(uc, addr, len, ucPerms(prot), host), 'uc_mem_map_ptr');
    this.segments.insert({ start: addr, end, host, exec: (prot & PROT_EXEC) !== 0 });
  }

  unmap(addr: bigint, len: number): void {
    const uc = this.live();
    const end = checkRange('unmap', addr, len);
    this.segments.split(addr, end, 'unmap');
    // Drop translated code first: a later map here may reuse the same
    // physical (ram_addr) range, and Unicorn 2.0 would run the stale blocks.
    this.invalidate(addr, len);
    check(this.lib, this.lib.uc_mem_unmap(uc, addr, len), 'uc_mem_unmap');
    this.segments.remove(addr, end);
  }

  protect(addr: bigint, len: number, prot: number): void {
    const uc = this.live();
    const end = checkRange('protect', addr, len);
    const inside = this.segments.split(addr, end, 'protect');
    // Unicorn 2.0 keeps running translated blocks of a page that lost PROT_EXEC.
    this.invalidate(addr, len);
    check(this.lib, this.lib.uc_mem_protect(uc, addr, len, ucPerms(prot)), 'uc_mem_protect');
    if (prot & PROT_EXEC) for (const s of inside) s.exec = true;
  }

  invalidate(addr: bigint, len: number): void {
    const uc = this.live();
    for (const [lo, hi] of this.segments.codeRanges(addr, addr + BigInt(len))) this.dropCode(uc, lo, hi);
  }

  dispose(): void {
    if (!this.uc) return;
    const uc = this.uc;
    this.uc = null;
    this.segments.clear();
    leaked.unregister(this);
    this.lib.uc_context_free(this.pristine);
    this.lib.uc_close(uc);
  }

  private live(): UcHandle {
    if (!this.uc) throw new Error('unicorn: Cpu used after dispose()');
    return this.uc;
  }

  private flushRegs(uc: UcHandle): void {
    this.regs[RFLAGS] = (this.regs[RFLAGS] & RFLAGS_USER) | RFLAGS_FIXED;
    check(this.lib, this.lib.uc_reg_write_batch(uc, this.gprIds, this.gprPtrs, GPR_IDS.length), 'reg write');
    this.dirty = false;
  }

  private readExt(uc: UcHandle): void {
    new Uint8Array(this.values, EXT_BASE, 16 * EXT_IDS.length).fill(0);
    check(this.lib, this.lib.uc_reg_read_batch(uc, this.extIds, this.extPtrs, EXT_IDS.length), 'reg read');
  }

  /** Map an exception vector (Intel SDM vol. 3 table 6-1) to an exit. */
  private interrupt(uc: UcHandle, intno: number): CpuExit {
    switch (intno) {
      case C.X86_BP: return EXIT_INT3; // traps: RIP is past the instruction
      case C.X86_DB: return this.debugTrap();
      case C.X86_UD: return EXIT_UD;
      case C.X86_MF: case C.X86_XM: return EXIT_DE; // x87 / SIMD FP error: SIGFPE too
      case C.X86_DE: this.clearPendingException(uc); return EXIT_DE;
      case C.X86_GP: // at CPL 3, hlt is #GP; RIP is the instruction
        this.clearPendingException(uc);
        return this.segments.byteAt(this.regs[RIP]) === 0xf4 ? EXIT_HLT : EXIT_GP;
    }
    if (intno >= 32) { // `int n` (cd ib): a user-mode #GP at the instruction on Linux
      this.regs[RIP] -= 2n;
      this.dirty = true;
      return EXIT_GP;
    }
    this.clearPendingException(uc); // #DF, #TS, #NP, #SS, #AC
    return EXIT_GP;
  }

  /**
   * #DB, a trap (RIP past the instruction): int1/icebp (F1) when TF is clear,
   * else the single-step trap of TF (no debug registers here to raise any other).
   */
  private debugTrap(): CpuExit {
    const icebp = (this.regs[RFLAGS] & 0x100n) === 0n && this.segments.byteAt(this.regs[RIP] - 1n) === 0xf1;
    return icebp ? EXIT_ICEBP : EXIT_STEP;
  }

  private fault(memType: number, addr: bigint): CpuExit {
    if (addr >= CANONICAL_LOW_END && addr < CANONICAL_HIGH_START) return EXIT_GP;
    const access: Access =
      memType === C.UC_MEM_READ_UNMAPPED || memType === C.UC_MEM_READ_PROT ? 'read'
        : memType === C.UC_MEM_WRITE_UNMAPPED || memType === C.UC_MEM_WRITE_PROT ? 'write' : 'exec';
    const prot = memType === C.UC_MEM_READ_PROT || memType === C.UC_MEM_WRITE_PROT || memType === C.UC_MEM_FETCH_PROT;
    // The kernel half (our GDT page) is never the guest's.
    return { kind: 'fault', addr, access, mapped: prot && addr < CANONICAL_HIGH_START };
  }

  /**
   * QEMU turns a second contributory exception (#DE, #GP...) into #DF and a
   * third into a triple fault, because Unicorn's hook never "delivers" the
   * first one. Restoring the context saved at creation clears that, then we
   * put the task's registers back.
   */
  private clearPendingException(uc: UcHandle): void {
    this.readExt(uc);
    check(this.lib, this.lib.uc_context_restore(uc, this.pristine), 'uc_context_restore');
    check(this.lib, this.lib.uc_reg_write_batch(uc, this.extIds, this.extPtrs, EXT_IDS.length), 'reg write');
    this.dirty = true;
  }

  /**
   * Go to CPL 3 as a user task runs, so privileged instructions (cli, hlt,
   * in/out, mov cr) raise #GP: iretq from a stub with Linux's user selectors.
   */
  private enterUserMode(uc: UcHandle): void {
    const lib = this.lib;
    const s = this.scratch;
    const v = new DataView(s.buffer);
    s.set([0x48, 0xcf]); // iretq
    const frame = [SCRATCH + 0x100n, USER_CS, 0x202n, 0n, USER_DS]; // RIP CS RFLAGS RSP SS
    frame.forEach((x, i) => v.setBigUint64(0xf00 + 8 * i, x, true));
    GDT_ENTRIES.forEach((x, i) => v.setBigUint64(PAGE_SIZE + 8 * i, x, true));
    const stub = s.subarray(0, PAGE_SIZE);
    check(lib, lib.uc_mem_map_ptr(uc, SCRATCH, PAGE_SIZE, PROT_READ | PROT_EXEC, stub), 'map stub');
    check(lib, lib.uc_mem_map_ptr(uc, GDT, PAGE_SIZE, PROT_READ, s.subarray(PAGE_SIZE)), 'map GDT');
    const gdtr = new DataView(new ArrayBuffer(24)); // uc_x86_mmr {u16 selector; u64 base; u32 limit; u32 flags}
    gdtr.setBigUint64(8, GDT, true);
    gdtr.setUint32(16, 8 * GDT_ENTRIES.length - 1, true);
    check(lib, lib.uc_reg_write(uc, C.UC_X86_REG_GDTR, gdtr), 'GDTR');
    check(lib, lib.uc_reg_write(uc, C.UC_X86_REG_RSP, BigUint64Array.of(SCRATCH + 0xf00n)), 'RSP');
    check(lib, lib.uc_emu_start(uc, SCRATCH, SCRATCH + 0x100n, 0, 0), 'iretq to CPL 3');
    this.dropCode(uc, SCRATCH, GDT);
    check(lib, lib.uc_mem_unmap(uc, SCRATCH, PAGE_SIZE), 'unmap stub');
  }

  private dropCode(uc: UcHandle, start: bigint, end: bigint): void {
    const ctl = C.UC_CTL_WRITE(C.UC_CTL_TB_REMOVE_CACHE, 2);
    check(this.lib, this.lib.uc_ctl(uc, ctl, 'uint64_t', start, 'uint64_t', end), 'remove TB cache');
  }
}

function check(lib: UnicornLib, err: number, what: string): void {
  if (err !== C.UC_ERR_OK) throw new Error(`unicorn: ${what}: ${lib.uc_strerror(err)}`);
}

function checkReg(reg: number): number {
  if (!Number.isInteger(reg) || reg < 0 || reg >= REG_COUNT) throw new Error(`unicorn: no register ${reg}`);
  return reg;
}

function checkGpr(reg: number): number {
  if (!Number.isInteger(reg) || reg < 0 || reg >= 16) throw new Error(`unicorn: no general-purpose register ${reg}`);
  return reg;
}

/** Validate a page-aligned range; returns its end. A bad range is a kernel bug. */
function checkRange(what: string, addr: bigint, len: number): bigint {
  if (typeof addr !== 'bigint' || !Number.isSafeInteger(len) || len <= 0 ||
      addr % BigInt(PAGE_SIZE) !== 0n || len % PAGE_SIZE !== 0 || addr < 0n || addr + BigInt(len) > 1n << 64n) {
    throw new Error(`unicorn: ${what}(${String(addr)}, ${len}): range must be page-aligned and non-empty`);
  }
  return addr + BigInt(len);
}

/** x86 pages are readable whenever they are accessible at all (no write- or execute-only). */
function ucPerms(prot: number): number {
  if (!Number.isInteger(prot) || prot < 0 || prot > (PROT_READ | PROT_WRITE | PROT_EXEC)) {
    throw new Error(`unicorn: bad protection ${prot}`);
  }
  return prot === 0 ? 0 : prot | PROT_READ;
}
