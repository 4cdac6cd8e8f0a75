/**
 * The signal frame: Linux arch/x86/kernel/signal.c and signal_64.c
 * (get_sigframe, x64_setup_rt_frame, setup_sigcontext, rt_sigreturn,
 * restore_sigcontext), arch/x86/kernel/fpu/signal.c for the FPU image,
 * kernel/signal.c for the alternate stack (__save_altstack,
 * restore_altstack, do_sigaltstack).
 *
 * On the guest stack, from the new RSP up:
 *
 *     struct rt_sigframe {
 *       char *pretcode;          //   0  sa_restorer: the handler's return address
 *       struct ucontext uc;      //   8  uc_flags, uc_link, uc_stack, uc_mcontext, uc_sigmask
 *       struct siginfo info;     // 312  128 bytes
 *     };                         // 440
 *     ...                               padding
 *     512-byte FXSAVE image, 64-byte aligned, named by uc_mcontext.fpstate
 *
 * The handler is entered with RDI = sig, RSI = &info, RDX = &uc, RAX = 0
 * and RSP = &pretcode, 8 bytes below a 16-byte boundary, as if called.
 */

import { EFAULT, EINVAL, ENOMEM, EPERM } from '../abi/errno.js';
import {
  MINSIGSTKSZ, SA_ONSTACK, SA_RESTORER, SA_SIGINFO, SIGKILL, sigmask, SIGSTOP, SS_AUTODISARM, SS_DISABLE, SS_ONSTACK,
} from '../abi/signal.js';
import {
  FXSAVE_MXCSR, FXSAVE_SIZE, initialCpuState, R10, R11, R12, R13, R14, R15, R8, R9, RAX, RBP,
  RBX, RCX, RDI, RDX, RFLAGS, RIP, RSI, RSP,
} from '../emulator/regs.js';
import type { Kernel } from './kernel.js';
import { copy_from_user, copy_to_user } from './mm/uaccess.js';
import type { KSigInfo } from './signal.js';
import type { KSignal } from './signal_deliver.js';
import type { Task } from './task.js';

const FRAME_SIZE = 440;
const UC = 8;
const UC_STACK = UC + 16;
const MCONTEXT = UC + 40;
const UC_SIGMASK = UC + 296;
const INFO = UC + 304;
/** arch/x86/include/uapi/asm/ucontext.h: UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS (no XSAVE frame). */
const UC_FLAGS = 0x2n | 0x4n;
/** arch/x86/include/asm/segment.h: __USER_CS, __USER_DS. */
const USER_CS = 0x33;
const USER_DS = 0x2b;
/** struct sigcontext_64 (uapi/asm/sigcontext.h): the GPRs in its order, then the rest. */
const SC_REGS = [R8, R9, R10, R11, R12, R13, R14, R15, RDI, RSI, RBP, RBX, RDX, RAX, RCX, RSP, RIP, RFLAGS];
const SC_CS = 144, SC_ERR = 152, SC_TRAPNO = 160, SC_OLDMASK = 168, SC_CR2 = 176, SC_FPSTATE = 184;
/** arch/x86/kernel/signal.c FIX_EFLAGS: the flags sigreturn may change (AC OF DF TF SF ZF AF PF CF RF). */
const FIX_EFLAGS = 0x50dd5n;
/** handle_signal(): a handler starts with DF, RF and TF clear. */
const CLEAR_ON_ENTRY = 0x400n | 0x10000n | 0x100n;
/** The MXCSR bits a fxrstor accepts (mxcsr_feature_mask with DAZ). */
const MXCSR_MASK = 0xffff;

/** Linux on_sig_stack(): `sp` is within the alternate stack (never while SS_AUTODISARM). */
export function on_sig_stack(t: Task, sp: number): boolean {
  if (t.sas_ss_flags & SS_AUTODISARM) return false;
  return sp > t.sas_ss_sp && sp - t.sas_ss_sp <= t.sas_ss_size;
}

/** Linux sas_ss_flags(): what sigaltstack and uc_stack report as ss_flags. */
export function sas_ss_flags(t: Task, sp: number): number {
  if (!t.sas_ss_size) return SS_DISABLE;
  return on_sig_stack(t, sp) ? SS_ONSTACK : 0;
}

/** Lay out a kernel_siginfo as struct siginfo (include/uapi/asm-generic/siginfo.h). */
export function encode_siginfo(info: KSigInfo): Uint8Array {
  const out = new Uint8Array(128);
  const v = new DataView(out.buffer);
  v.setInt32(0, info.signo, true);
  v.setInt32(4, info.errno, true);
  v.setInt32(8, info.code, true);
  if (info.addr !== undefined) v.setBigUint64(16, BigInt.asUintN(64, info.addr), true);
  else {
    v.setInt32(16, info.pid ?? 0, true);
    v.setUint32(20, info.uid ?? 0, true);
  }
  if (info.status !== undefined) v.setInt32(24, info.status, true);
  else if (info.value !== undefined) v.setBigUint64(24, BigInt.asUintN(64, info.value), true);
  if (info.utime !== undefined) v.setBigInt64(32, BigInt(info.utime), true);
  if (info.stime !== undefined) v.setBigInt64(40, BigInt(info.stime), true);
  return out;
}

/**
 * Linux x64_setup_rt_frame() with get_sigframe(): build the frame, point
 * the registers at the handler. Returns 0, or -EFAULT when the frame
 * cannot be written (no SA_RESTORER, an unmapped or overflowing stack):
 * the caller then forces SIGSEGV.
 */
export function setup_rt_frame(_k: Kernel, t: Task, ksig: KSignal, oldmask: bigint): number {
  const cpu = t.cpu!;
  const mm = t.mm!;
  const ka = ksig.ka;
  if (!(ka.flags & BigInt(SA_RESTORER))) return -EFAULT;
  const state = cpu.getState();
  const regs = state.regs;
  const origSp = Number(regs[RSP]!);
  let sp = origSp - 128; // the red zone
  let onstack = false;
  if ((ka.flags & BigInt(SA_ONSTACK)) && sas_ss_flags(t, sp) === 0) {
    sp = t.sas_ss_sp + t.sas_ss_size;
    onstack = true;
  } else if (on_sig_stack(t, sp)) onstack = true;
  // fpu__alloc_mathframe(): the FXSAVE image, 64-byte aligned.
  const bufFx = Math.floor((sp - FXSAVE_SIZE) / 64) * 64;
  sp = bufFx - FRAME_SIZE;
  sp = Math.floor(sp / 16) * 16 - 8; // align_sigframe()
  if (!Number.isSafeInteger(sp) || sp < 0) return -EFAULT;
  if (onstack && !on_sig_stack(t, sp)) return -EFAULT; // would overflow the alternate stack

  const fx = state.fxsave.slice();
  fx.fill(0, 464, 512); // sw_reserved: no XSAVE extension follows
  if (!copy_to_user(mm, bufFx, fx)) return -EFAULT;

  const f = new Uint8Array(FRAME_SIZE);
  const v = new DataView(f.buffer);
  v.setBigUint64(0, ka.restorer, true);
  v.setBigUint64(UC, UC_FLAGS, true);
  v.setBigUint64(UC + 8, 0n, true);
  // __save_altstack(): the alternate stack as it was, then SS_AUTODISARM disarms it.
  v.setBigUint64(UC_STACK, BigInt(t.sas_ss_sp), true);
  v.setInt32(UC_STACK + 8, sas_ss_flags(t, origSp) | (t.sas_ss_flags & SS_AUTODISARM), true);
  v.setBigUint64(UC_STACK + 16, BigInt(t.sas_ss_size), true);
  SC_REGS.forEach((r, i) => v.setBigUint64(MCONTEXT + 8 * i, regs[r]!, true));
  v.setUint16(MCONTEXT + SC_CS, USER_CS, true);
  v.setUint16(MCONTEXT + SC_CS + 6, USER_DS, true); // ss (UC_SIGCONTEXT_SS)
  v.setBigUint64(MCONTEXT + SC_ERR, BigInt(ksig.info.err ?? 0), true);
  v.setBigUint64(MCONTEXT + SC_TRAPNO, BigInt(ksig.info.trapno ?? 0), true);
  v.setBigUint64(MCONTEXT + SC_OLDMASK, oldmask, true);
  v.setBigUint64(MCONTEXT + SC_CR2, ksig.info.trapno === 14 ? BigInt.asUintN(64, ksig.info.addr ?? 0n) : 0n, true);
  v.setBigUint64(MCONTEXT + SC_FPSTATE, BigInt(bufFx), true);
  v.setBigUint64(UC_SIGMASK, oldmask, true);
  if (ka.flags & BigInt(SA_SIGINFO)) f.set(encode_siginfo(ksig.info), INFO);
  if (!copy_to_user(mm, sp, f)) return -EFAULT;
  if (t.sas_ss_flags & SS_AUTODISARM) { t.sas_ss_sp = 0; t.sas_ss_size = 0; }

  // The handler's registers, and a fresh FPU state (fpu__clear_user_states).
  const entry = initialCpuState();
  entry.regs.set(regs);
  entry.regs[RDI] = BigInt(ksig.sig);
  entry.regs[RAX] = 0n;
  entry.regs[RSI] = BigInt(sp + INFO);
  entry.regs[RDX] = BigInt(sp + UC);
  entry.regs[RIP] = ka.handler;
  entry.regs[RSP] = BigInt(sp);
  entry.regs[RFLAGS] = regs[RFLAGS]! & ~CLEAR_ON_ENTRY;
  cpu.setState(entry);
  return 0;
}

/**
 * Linux rt_sigreturn(): the frame is at RSP - 8 (the handler's `ret`
 * popped pretcode). Restores the mask, the registers (only FIX_EFLAGS of
 * RFLAGS), the FPU image and the alternate stack. Returns false for a bad
 * frame (the caller sends SIGSEGV).
 */
export function restore_rt_frame(t: Task): boolean {
  const cpu = t.cpu!;
  const mm = t.mm!;
  const frame = Number(cpu.getReg(RSP)) - 8;
  const raw = copy_from_user(mm, frame, FRAME_SIZE);
  if (!raw) return false;
  const v = new DataView(raw.buffer);
  t.blocked = v.getBigUint64(UC_SIGMASK, true) & ~(sigmask(SIGKILL) | sigmask(SIGSTOP));
  const state = cpu.getState();
  const regs = state.regs;
  const flags = regs[RFLAGS]!;
  SC_REGS.forEach((r, i) => { regs[r] = v.getBigUint64(MCONTEXT + 8 * i, true); });
  regs[RFLAGS] = (flags & ~FIX_EFLAGS) | (regs[RFLAGS]! & FIX_EFLAGS);
  const fpstate = Number(v.getBigUint64(MCONTEXT + SC_FPSTATE, true));
  if (fpstate) {
    const fx = copy_from_user(mm, fpstate, FXSAVE_SIZE);
    if (!fx) return false;
    const fv = new DataView(fx.buffer);
    fv.setUint32(FXSAVE_MXCSR, fv.getUint32(FXSAVE_MXCSR, true) & MXCSR_MASK, true);
    state.fxsave = fx;
  } else {
    state.fxsave = initialCpuState().fxsave;
  }
  cpu.setState(state);
  // restore_altstack(): errors other than EFAULT are ignored.
  do_sigaltstack(t, {
    sp: Number(v.getBigUint64(UC_STACK, true)), flags: v.getInt32(UC_STACK + 8, true), size: Number(v.getBigUint64(UC_STACK + 16, true)),
  }, Number(regs[RSP]!));
  return true;
}

export interface StackT { sp: number; flags: number; size: number }

/**
 * Linux kernel/signal.c do_sigaltstack(): set the alternate stack; EPERM
 * while running on it, EINVAL for a bad mode, ENOMEM below MINSIGSTKSZ.
 */
export function do_sigaltstack(t: Task, ss: StackT | null, sp: number): number {
  if (!ss) return 0;
  if (on_sig_stack(t, sp)) return -EPERM;
  const mode = ss.flags & ~SS_AUTODISARM;
  if (mode !== SS_DISABLE && mode !== SS_ONSTACK && mode !== 0) return -EINVAL;
  if (t.sas_ss_sp === ss.sp && t.sas_ss_size === ss.size && t.sas_ss_flags === ss.flags) return 0;
  let { sp: ssp, size } = ss;
  if (mode === SS_DISABLE) { size = 0; ssp = 0; } else if (size < MINSIGSTKSZ) return -ENOMEM;
  t.sas_ss_sp = ssp;
  t.sas_ss_size = size;
  t.sas_ss_flags = ss.flags;
  return 0;
}
