/**
 * sysinfo(2), Linux kernel/sys.c do_sysinfo(): uptime, memory and the
 * thread count in one struct. Programs size their buffers from it (GNU
 * sort asks for the physical memory), so its figures are the ones
 * /proc/meminfo shows (kernel/fs/proc_misc.ts MEM_KB).
 */

import { EFAULT } from '../../abi/errno.js';
import { CLOCK_BOOTTIME, SYSINFO } from '../../abi/misc.js';
import { __NR_sysinfo } from '../../abi/syscalls.js';
import { MEM_KB } from '../fs/proc_misc.js';
import type { Kernel } from '../kernel.js';
import { copy_to_user } from '../mm/uaccess.js';
import type { Task } from '../task.js';
import { clockNow } from './sys_time.js';
import { type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';

const NS = 1_000_000_000n;

/**
 * Linux do_sysinfo(): uptime in whole seconds of CLOCK_BOOTTIME, rounded
 * up when there are nanoseconds; the load averages (kemu keeps none: 0);
 * memory in bytes. Linux counts memory in pages and then, when the totals
 * still fit an unsigned long shifted to bytes (always on 64-bit), sets
 * mem_unit to 1 and gives bytes; procs is nr_threads, every task not yet
 * reaped.
 */
export function do_sysinfo(k: Kernel): Uint8Array {
  const out = new Uint8Array(SYSINFO.size);
  const v = new DataView(out.buffer);
  const boot = clockNow(CLOCK_BOOTTIME)!;
  v.setBigInt64(SYSINFO.uptime, boot / NS + (boot % NS ? 1n : 0n), true);
  const bytes = (kb: number): bigint => BigInt(kb) * 1024n;
  v.setBigUint64(SYSINFO.totalram, bytes(MEM_KB.total), true);
  v.setBigUint64(SYSINFO.freeram, bytes(MEM_KB.free), true);
  v.setBigUint64(SYSINFO.sharedram, bytes(MEM_KB.shmem), true);
  v.setBigUint64(SYSINFO.bufferram, bytes(MEM_KB.buffers), true);
  v.setBigUint64(SYSINFO.totalswap, bytes(MEM_KB.swapTotal), true);
  v.setBigUint64(SYSINFO.freeswap, bytes(MEM_KB.swapFree), true);
  // Linux: procs is an unsigned short holding nr_threads.
  v.setUint16(SYSINFO.procs, Math.min(k.tasks.size, 0xffff), true);
  v.setUint32(SYSINFO.mem_unit, 1, true);
  return out;
}

/** Linux SYSCALL_DEFINE1(sysinfo): do_sysinfo, then one copy_to_user of the whole struct (EFAULT). */
export function sys_sysinfo(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  return copy_to_user(t.mm!, a.ptr(0), do_sysinfo(k)) ? 0 : -EFAULT;
}

/** This family's rows of the syscall table (see table.ts). */
export const INFO_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_sysinfo, handler: sys_sysinfo, support: 'partial', note: 'load averages 0; memory as /proc/meminfo', args: ['ptr'] },
];
