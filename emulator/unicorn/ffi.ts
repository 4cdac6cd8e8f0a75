/**
 * The binding to the system's libunicorn.so.2 through koffi, loaded lazily:
 * nothing here runs until the unicorn engine is asked for, so a machine
 * without koffi or libunicorn still runs kemu with the other engine.
 *
 * The hook callbacks are registered with koffi once per process, not per
 * CPU (koffi allows at most 8,192 live callbacks). Only one CPU runs at a
 * time (Node's one thread), so the callbacks write what happened into one
 * shared record, `hookRecord`, that `UnicornCpu.run` resets and reads.
 */

import { createRequire } from 'node:module';
import { cpuidLeaf } from '../cpuid.js';
import { EngineUnavailableError } from '../engine.js';
import { UC_API_MAJOR, UC_X86_REG_RAX, UC_X86_REG_RBX, UC_X86_REG_RCX, UC_X86_REG_RDX } from './consts.js';

/** The part of koffi's API used here (typed locally: koffi is optional). */
export interface Koffi {
  load(path: string): { func(decl: string): (...args: any[]) => any };
  opaque(name: string): unknown;
  pointer(type: unknown): unknown;
  proto(decl: string): unknown;
  register(fn: (...args: any[]) => unknown, type: unknown): unknown;
  address(value: unknown): bigint;
  version?: string;
}

/** An opaque `uc_engine *` as koffi hands it out. */
export type UcHandle = object;

/** Why the last `uc_emu_start` stopped, as the hooks saw it. */
export const HOOK_NONE = 0;
export const HOOK_SYSCALL = 1;
export const HOOK_INTR = 2;
export const HOOK_MEM = 3;

export interface HookRecord {
  kind: number;
  intno: number;
  memType: number;
  addr: bigint;
}

export interface UnicornLib {
  readonly koffi: Koffi;
  readonly path: string;
  readonly version: string;
  readonly hookRecord: HookRecord;
  /** The five process-wide callbacks, for uc_hook_add. */
  readonly cbSyscall: unknown;
  readonly cbCpuid: unknown;
  readonly cbIntr: unknown;
  readonly cbMemInvalid: unknown;
  readonly cbMemNop: unknown;
  uc_open(arch: number, mode: number, out: [UcHandle | null]): number;
  uc_close(uc: UcHandle): number;
  uc_strerror(err: number): string;
  uc_mem_map_ptr(uc: UcHandle, addr: bigint, size: number, perms: number, ptr: Uint8Array): number;
  uc_mem_unmap(uc: UcHandle, addr: bigint, size: number): number;
  uc_mem_protect(uc: UcHandle, addr: bigint, size: number, perms: number): number;
  uc_reg_write(uc: UcHandle, regid: number, value: ArrayBufferView): number;
  uc_reg_read(uc: UcHandle, regid: number, value: ArrayBufferView): number;
  uc_reg_read_batch(uc: UcHandle, regs: Int32Array, vals: BigUint64Array, count: number): number;
  uc_reg_write_batch(uc: UcHandle, regs: Int32Array, vals: BigUint64Array, count: number): number;
  uc_emu_start(uc: UcHandle, begin: bigint, until: bigint, timeoutUs: bigint | number, count: number): number;
  uc_emu_stop(uc: UcHandle): number;
  uc_hook_add(uc: UcHandle, hh: [bigint], type: number, cb: unknown, user: null,
    begin: bigint, end: bigint, ...extra: unknown[]): number;
  uc_ctl(uc: UcHandle, control: number, ...args: unknown[]): number;
  uc_context_alloc(uc: UcHandle, out: [object | null]): number;
  uc_context_save(uc: UcHandle, ctx: object): number;
  uc_context_restore(uc: UcHandle, ctx: object): number;
  uc_context_free(ctx: object): number;
}

const HINT = 'apt-get install libunicorn2, or set UNICORN_LIB';

let cached: UnicornLib | undefined;
let failure: EngineUnavailableError | undefined;

/** The library path to load: `$UNICORN_LIB` or the soname. */
export function unicornLibPath(): string {
  return process.env.UNICORN_LIB || 'libunicorn.so.2';
}

/** Load koffi lazily (createRequire keeps this module importable without it). */
export function requireKoffi(): Koffi {
  const require = createRequire(import.meta.url);
  try {
    return require('koffi') as Koffi;
  } catch (e) {
    throw new EngineUnavailableError(
      `unicorn engine needs the koffi package (npm install koffi): ${(e as Error).message}`);
  }
}

/** Load libunicorn once; throws EngineUnavailableError when it cannot. */
export function loadUnicornLib(): UnicornLib {
  if (cached) return cached;
  if (failure) throw failure;
  try {
    cached = bind();
    return cached;
  } catch (e) {
    failure = e instanceof EngineUnavailableError ? e : new EngineUnavailableError(String(e));
    throw failure;
  }
}

function bind(): UnicornLib {
  const koffi = requireKoffi();
  const path = unicornLibPath();
  let lib: ReturnType<Koffi['load']>;
  try {
    lib = koffi.load(path);
  } catch (e) {
    throw new EngineUnavailableError(`${path} not found: ${HINT} (${(e as Error).message})`);
  }
  const version = lib.func('unsigned int uc_version(unsigned int *major, unsigned int *minor)');
  const v = (version(null, null) as number) >>> 0;
  const major = v >>> 24;
  const versionText = `${major}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}`;
  if (major !== UC_API_MAJOR) {
    throw new EngineUnavailableError(`${path} is Unicorn ${versionText}; kemu needs Unicorn 2: ${HINT}`);
  }

  koffi.opaque('uc_engine');
  const f = (decl: string) => lib.func(decl);
  const uc_emu_stop = f('int uc_emu_stop(uc_engine *uc)');

  const hookRecord: HookRecord = { kind: HOOK_NONE, intno: 0, memType: 0, addr: 0n };
  const protoSyscall = koffi.proto('void kemu_uc_syscall_cb(uc_engine *uc, void *user)');
  const protoIntr = koffi.proto('void kemu_uc_intr_cb(uc_engine *uc, uint32_t intno, void *user)');
  const protoMem = koffi.proto(
    'bool kemu_uc_mem_cb(uc_engine *uc, int type, uint64_t addr, int size, int64_t value, void *user)');
  // Each stops the emulation at once; run() reads the registers afterwards.
  const cbSyscall = koffi.register((uc: UcHandle) => {
    if (hookRecord.kind === HOOK_NONE) hookRecord.kind = HOOK_SYSCALL;
    uc_emu_stop(uc);
  }, koffi.pointer(protoSyscall));
  const cbIntr = koffi.register((uc: UcHandle, intno: number) => {
    if (hookRecord.kind === HOOK_NONE) {
      hookRecord.kind = HOOK_INTR;
      hookRecord.intno = intno;
    }
    uc_emu_stop(uc);
  }, koffi.pointer(protoIntr));
  // Returning false makes uc_emu_start fail with UC_ERR_*_UNMAPPED / *_PROT.
  const cbMemInvalid = koffi.register((_uc: UcHandle, type: number, addr: bigint | number) => {
    if (hookRecord.kind === HOOK_NONE) {
      hookRecord.kind = HOOK_MEM;
      hookRecord.memType = type;
      hookRecord.addr = BigInt.asUintN(64, BigInt(addr)); // koffi may hand it over signed
    }
    return false;
  }, koffi.pointer(protoMem));
  // CPUID answers from emulator/cpuid.ts (Unicorn 2.0's own lacks FPU and
  // MMX); returning 1 tells Unicorn the instruction is done.
  const uc_reg_read = f('int uc_reg_read(uc_engine *uc, int regid, void *value)');
  const uc_reg_write = f('int uc_reg_write(uc_engine *uc, int regid, const void *value)');
  const protoCpuid = koffi.proto('int kemu_uc_cpuid_cb(uc_engine *uc, void *user)');
  const cpuidRegs = new BigUint64Array(1);
  const cbCpuid = koffi.register((uc: UcHandle) => {
    uc_reg_read(uc, UC_X86_REG_RAX, cpuidRegs);
    const leaf = Number(cpuidRegs[0]! & 0xffffffffn);
    uc_reg_read(uc, UC_X86_REG_RCX, cpuidRegs);
    const out = cpuidLeaf(leaf, Number(cpuidRegs[0]! & 0xffffffffn));
    [UC_X86_REG_RAX, UC_X86_REG_RBX, UC_X86_REG_RCX, UC_X86_REG_RDX].forEach((reg, k) => {
      cpuidRegs[0] = BigInt(out[k]!);
      uc_reg_write(uc, reg, cpuidRegs);
    });
    return 1;
  }, koffi.pointer(protoCpuid));
  // Never called (its range is empty of guest addresses); see README "precise RIP".
  const cbMemNop = koffi.register(() => true, koffi.pointer(protoMem));

  return {
    koffi, path, version: versionText, hookRecord, cbSyscall, cbCpuid, cbIntr, cbMemInvalid, cbMemNop,
    uc_open: f('int uc_open(int arch, int mode, _Out_ uc_engine **uc)'),
    uc_close: f('int uc_close(uc_engine *uc)'),
    uc_strerror: f('const char *uc_strerror(int code)'),
    uc_mem_map_ptr: f('int uc_mem_map_ptr(uc_engine *uc, uint64_t address, size_t size, uint32_t perms, void *ptr)'),
    uc_mem_unmap: f('int uc_mem_unmap(uc_engine *uc, uint64_t address, size_t size)'),
    uc_mem_protect: f('int uc_mem_protect(uc_engine *uc, uint64_t address, size_t size, uint32_t perms)'),
    uc_reg_write, uc_reg_read,
    uc_reg_read_batch: f('int uc_reg_read_batch(uc_engine *uc, const int32_t *regs, void *vals, int count)'),
    uc_reg_write_batch: f('int uc_reg_write_batch(uc_engine *uc, const int32_t *regs, void *vals, int count)'),
    uc_emu_start: f('int uc_emu_start(uc_engine *uc, uint64_t begin, uint64_t until, uint64_t timeout, size_t count)'),
    uc_emu_stop,
    uc_hook_add: f('int uc_hook_add(uc_engine *uc, _Out_ uint64_t *hh, int type, void *callback, ' +
      'void *user_data, uint64_t begin, uint64_t end, ...)'),
    uc_ctl: f('int uc_ctl(uc_engine *uc, uint32_t control, ...)'),
    uc_context_alloc: f('int uc_context_alloc(uc_engine *uc, _Out_ void **context)'),
    uc_context_save: f('int uc_context_save(uc_engine *uc, void *context)'),
    uc_context_restore: f('int uc_context_restore(uc_engine *uc, void *context)'),
    uc_context_free: f('int uc_context_free(void *context)'),
  } as UnicornLib;
}
