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
import { NO_RETURN, RESTART, type SyscallArgs, type SyscallResult } from './types.js';

/** The -ERESTART* code a result stands for, or 0 if it is a real result. */
function restartCode(r: SyscallResult): number {
  if (r === RESTART) return ERESTARTSYS;
  if (typeof r !== 'number') return 0;
  return r === -ERESTARTSYS || r === -ERESTARTNOINTR || r === -ERESTARTNOHAND || r === -ERESTART_RESTARTBLOCK ? -r : 0;
}

export function do_syscall_64(k: Kernel, t: Task): void {
  const cpu = t.cpu!;
  const nr = cpu.getReg(RAX);
  const args: SyscallArgs = [
    cpu.getReg(RDI), cpu.getReg(RSI), cpu.getReg(RDX),
    cpu.getReg(R10), cpu.getReg(R8), cpu.getReg(R9),
  ];
  const entry = nr < BigInt(k.syscalls.length) ? k.syscalls[Number(nr)] : undefined;
  // A syscall that runs again after a sleep finds its restart_block; any other starts a fresh one.
  const n = Number(BigInt.asUintN(32, nr));
  if (!t.restart_block || t.restart_block.nr !== n) t.restart_block = { nr: n, code: 0, progress: 0 };
  const traced = k.tracer.enabled('syscall');
  if (traced) k.tracer.emit('syscall', { phase: 'enter', task: t, nr: Number(nr), args, entry });
  let result: SyscallResult;
  if (!entry) {
    result = -ENOSYS;
    reportEnosys(k, t, nr);
  } else if (!has_syscall(k.profile, n)) {
    result = -ENOSYS; // newer than the profile's Linux: sys_ni_syscall there, nothing to report
  } else {
    result = entry.handler(k, t, args);
  }
  const code = restartCode(result);
  if (traced) k.tracer.emit('syscall', { phase: 'exit', task: t, nr: Number(nr), args, entry, result: code ? RESTART : result, restart: code });
  if (code) {
    if (!t.cpu) return;
    t.restart_block!.code = code;
    cpu.setReg(RIP, cpu.getReg(RIP) - 2n);
    cpu.setReg(RAX, nr);
    return;
  }
  t.restart_block = null;
  // A handler that slept part-way but then returned a result (readv after a first segment) does not sleep.
  if (t.state === 'sleeping' && !t.sleep_past_return) { finish_wait(t); t.state = 'runnable'; }
  if (result === NO_RETURN) return;
  t.cpu?.setReg(RAX, BigInt.asUintN(64, BigInt(result as number | bigint)));
}

function reportEnosys(k: Kernel, t: Task, nr: bigint): void {
  const n = Number(BigInt.asUintN(32, nr));
  if (k.reportedEnosys.has(n)) return;
  k.reportedEnosys.add(n);
  const name = nr < 1024n ? syscallName(n) : '';
  k.log(`pid ${t.pid}: syscall ${name || '#' + nr.toString()} is not implemented; returned -ENOSYS`);
}
