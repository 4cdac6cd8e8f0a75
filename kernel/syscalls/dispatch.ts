/**
 * Syscall entry: Linux arch/x86/entry/common.c do_syscall_64. The one place
 * that turns a handler's result into RAX (Blink's habit), and the one place
 * unknown numbers become -ENOSYS, reported once each.
 *
 * A handler that put its task to sleep returns one of Linux's -ERESTART*
 * codes (or RESTART, which means -ERESTARTSYS): RIP is backed up over the
 * 2-byte `syscall` and RAX holds the number again, so the same call runs
 * when the task is woken; the task's restart_block keeps what the call
 * needs across runs (a deadline, bytes already written) until it
 * completes, and tells signal delivery how to end it (EINTR or restart,
 * arch/x86/kernel/signal.c handle_signal).
 */

import { ENOSYS, ERESTART_RESTARTBLOCK, ERESTARTNOHAND, ERESTARTNOINTR, ERESTARTSYS } from '../../abi/errno.js';
import { syscallName } from '../../abi/syscalls.js';
import { R10, R8, R9, RAX, RDI, RDX, RIP, RSI } from '../../emulator/regs.js';
import type { Kernel } from '../kernel.js';
import { has_syscall } from '../profile.js';
import type { Task } from '../task.js';
import { finish_wait } from '../wait.js';
import { NO_RETURN, RESTART, type SyscallResult } from './types.js';

/** The -ERESTART* code a result stands for, or 0 if it is a real result. */
function restartCode(r: SyscallResult): number {
  if (r === RESTART) return ERESTARTSYS;
  if (typeof r !== 'number') return 0;
  return r === -ERESTARTSYS || r === -ERESTARTNOINTR || r === -ERESTARTNOHAND || r === -ERESTART_RESTARTBLOCK ? -r : 0;
}

/** The argument registers in order: RDI RSI RDX R10 R8 R9 (Linux arch/x86/entry/entry_64.S). */
const ARG_REGS = [RDI, RSI, RDX, R10, R8, R9];

/**
 * One syscall of `t`, whose CPU stopped on `syscall`. Numbers all the way
 * (issue 6: the round trip): RAX and the arguments are read as 32-bit
 * words into the task's SyscallArgs, a number result is written back
 * without a BigInt.
 */
export function do_syscall_64(k: Kernel, t: Task): void {
  const cpu = t.cpu!;
  const nrLo = cpu.getRegLo(RAX), nrHi = cpu.getRegHi(RAX);
  const a = t.syscall_args, w = a.w;
  for (let i = 0; i < 6; i++) {
    const r = ARG_REGS[i]!;
    w[2 * i] = cpu.getRegLo(r);
    w[2 * i + 1] = cpu.getRegHi(r);
  }
  // Linux 4.18 do_syscall_64: all 64 bits of RAX are compared with NR_syscalls.
  const entry = nrHi === 0 && nrLo < k.syscalls.length ? k.syscalls[nrLo] : undefined;
  // A syscall that runs again after a sleep finds its restart_block; any other starts a fresh one.
  const n = nrLo;
  if (!t.restart_block || t.restart_block.nr !== n) t.restart_block = { nr: n, code: 0, progress: 0 };
  const traced = k.tracer.enabled('syscall');
  const nrNum = nrHi * 4294967296 + nrLo;
  const args = traced ? a.values() : null;
  if (traced) k.tracer.emit('syscall', { phase: 'enter', task: t, nr: nrNum, args, entry });
  let result: SyscallResult;
  if (!entry) {
    result = -ENOSYS;
    reportEnosys(k, t, nrHi, nrLo);
  } else if (!has_syscall(k.profile, n)) {
    result = -ENOSYS; // newer than the profile's Linux: sys_ni_syscall there, nothing to report
  } else {
    result = entry.handler(k, t, a);
  }
  const code = restartCode(result);
  if (traced) k.tracer.emit('syscall', { phase: 'exit', task: t, nr: nrNum, args, entry, result: code ? RESTART : result, restart: code });
  if (code) {
    if (!t.cpu) return;
    t.restart_block!.code = code;
    cpu.setReg(RIP, cpu.getReg(RIP) - 2n);
    cpu.setReg(RAX, (BigInt(nrHi) << 32n) | BigInt(nrLo));
    return;
  }
  t.restart_block = null;
  // A handler that slept part-way but then returned a result (readv after a first segment) does not sleep.
  if (t.state === 'sleeping' && !t.sleep_past_return) { finish_wait(t); t.state = 'runnable'; }
  if (result === NO_RETURN || !t.cpu) return;
  if (typeof result === 'number') t.cpu.setRegNumber(RAX, result);
  else t.cpu.setReg(RAX, BigInt.asUintN(64, result as bigint));
}

function reportEnosys(k: Kernel, t: Task, nrHi: number, nrLo: number): void {
  if (k.reportedEnosys.has(nrLo)) return;
  k.reportedEnosys.add(nrLo);
  const name = nrHi === 0 && nrLo < 1024 ? syscallName(nrLo) : '';
  k.log(`pid ${t.pid}: syscall ${name || '#' + ((BigInt(nrHi) << 32n) | BigInt(nrLo)).toString()} is not implemented; returned -ENOSYS`);
}
