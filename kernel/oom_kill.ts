/**
 * The OOM killer: Linux mm/oom_kill.c (out_of_memory, select_bad_process,
 * oom_badness, __oom_kill_process), against a guest memory limit instead
 * of the machine's RAM (DESIGN.md decision 7: limits are enforced on the
 * guest, never by crashing the host).
 *
 * What is counted: every mapped page of every address space, except the
 * part of a [stack] area below the lowest stack pointer seen (the stack
 * starts 128 KiB below the arguments and grows as it is used, as on
 * Linux, but what a deep call once touched stays mapped). When the sum
 * passes the limit, the process charged the most is sent SIGKILL, with
 * every process that shares its address space; it releases everything as
 * it exits. While a victim is still dying nobody else is chosen.
 */

import { SI_KERNEL, SIGKILL } from '../abi/signal.js';
import { PAGE_SIZE } from '../abi/limits.js';
import { RSP } from '../emulator/regs.js';
import type { Kernel } from './kernel.js';
import { pageAlignDown, type MmStruct } from './mm/mm_struct.js';
import { VM_GROWSDOWN } from './mm/vma.js';
import { send_signal_info } from './signal_deliver.js';
import type { Task } from './task.js';

/** Processes killed by the OOM killer that have not exited yet (Linux tsk_is_oom_victim). */
const victims = new WeakSet<MmStruct>();

/** The pages `mm` is charged (see the header); `sp` lowers its stack mark. */
export function mm_charged_pages(mm: MmStruct): number {
  let pages = 0;
  for (const v of mm.areas()) {
    let start = v.vm_start;
    if ((v.vm_flags & VM_GROWSDOWN) && mm.stack_low >= v.vm_start && mm.stack_low < v.vm_end) {
      start = Math.max(v.vm_start, pageAlignDown(mm.stack_low));
    }
    pages += (v.vm_end - start) / PAGE_SIZE;
  }
  return pages;
}

/** Every address space in use, with the tasks that use it. */
function address_spaces(k: Kernel): Map<MmStruct, Task[]> {
  const m = new Map<MmStruct, Task[]>();
  for (const t of k.tasks.values()) {
    if (!t.mm || !t.alive || t.exiting) continue;
    const sp = t.cpu ? Number(t.cpu.getReg(RSP)) : Number.MAX_SAFE_INTEGER;
    if (sp < t.mm.stack_low) t.mm.stack_low = sp;
    const list = m.get(t.mm);
    if (list) list.push(t); else m.set(t.mm, [t]);
  }
  return m;
}

/** Total pages charged to the guest now. */
export function guest_pages(k: Kernel): number {
  let n = 0;
  for (const mm of address_spaces(k).keys()) n += mm_charged_pages(mm);
  return n;
}

/**
 * Linux out_of_memory(): past the limit, kill the biggest process (and
 * those sharing its mm). Returns the victim's pid, or 0 when nothing was
 * done (under the limit, or a victim is still exiting).
 */
export function out_of_memory(k: Kernel): number {
  if (!Number.isFinite(k.memoryLimitPages)) return 0;
  const spaces = address_spaces(k);
  let total = 0;
  let worst: MmStruct | null = null;
  let worstPages = -1;
  for (const mm of spaces.keys()) {
    if (victims.has(mm)) return 0; // Linux: an OOM victim is still exiting: wait for it
    const p = mm_charged_pages(mm);
    total += p;
    if (p > worstPages) { worst = mm; worstPages = p; }
  }
  if (total <= k.memoryLimitPages || !worst) return 0;
  victims.add(worst);
  const tasks = spaces.get(worst)!;
  const leader = tasks[0]!.group_leader;
  k.log(`Out of memory: Killed process ${leader.tgid} (${leader.comm}) total-vm:${worstPages * 4}kB, limit ${k.memoryLimitPages * 4}kB`);
  k.tracer.emit('sched', { event: 'oom_kill', pid: leader.tgid, pages: worstPages, total });
  for (const t of tasks) {
    if (t.isLeader || t === leader) send_signal_info(k, SIGKILL, { signo: SIGKILL, errno: 0, code: SI_KERNEL }, t, 'process');
  }
  send_signal_info(k, SIGKILL, { signo: SIGKILL, errno: 0, code: SI_KERNEL }, leader, 'process');
  return leader.tgid;
}
