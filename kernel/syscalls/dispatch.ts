/**
 * Syscall entry: Linux arch/x86/entry/common.c do_syscall_64. The one place
 * that turns a handler's result into RAX (Blink's habit), and the one place
 * unknown numbers become -ENOSYS, reported once each.
 */

import { ENOSYS } from '../../abi/errno.js';
import { syscallName } from '../../abi/syscalls.js';
import { R10, R8, R9, RAX, RDI, RDX, RIP, RSI } from '../../emulator/regs.js';
import type { Kernel } from '../kernel.js';
import type { Task } from '../task.js';
import { NO_RETURN, RESTART, type SyscallArgs, type SyscallResult } from './types.js';

export function do_syscall_64(k: Kernel, t: Task): void {
  const cpu = t.cpu!;
  const nr = cpu.getReg(RAX);
  const args: SyscallArgs = [
    cpu.getReg(RDI), cpu.getReg(RSI), cpu.getReg(RDX),
    cpu.getReg(R10), cpu.getReg(R8), cpu.getReg(R9),
  ];
  const entry = nr < BigInt(k.syscalls.length) ? k.syscalls[Number(nr)] : undefined;
  const traced = k.tracer.enabled('syscall');
  if (traced) k.tracer.emit('syscall', { phase: 'enter', task: t, nr: Number(nr), args, entry });
  let result: SyscallResult;
  if (!entry) {
    result = -ENOSYS;
    reportEnosys(k, t, nr);
  } else {
    result = entry.handler(k, t, args);
  }
  if (traced) k.tracer.emit('syscall', { phase: 'exit', task: t, nr: Number(nr), args, entry, result });
  if (result === NO_RETURN) return;
  if (result === RESTART) {
    // Linux's restart: back up over the 2-byte `syscall` and put the number
    // back in RAX, so the same call runs again when the task wakes.
    cpu.setReg(RIP, cpu.getReg(RIP) - 2n);
    cpu.setReg(RAX, nr);
    return;
  }
  t.cpu?.setReg(RAX, BigInt.asUintN(64, BigInt(result)));
}

function reportEnosys(k: Kernel, t: Task, nr: bigint): void {
  const n = Number(BigInt.asUintN(32, nr));
  if (k.reportedEnosys.has(n)) return;
  k.reportedEnosys.add(n);
  const name = nr < 1024n ? syscallName(n) : '';
  k.log(`pid ${t.pid}: syscall ${name || '#' + nr.toString()} is not implemented; returned -ENOSYS`);
}
