/**
 * A virtual memory area: one contiguous range of a task's address space with
 * one protection, backed by host bytes the kernel owns.
 *
 * Linux include/linux/mm_types.h struct vm_area_struct: vm_start, vm_end,
 * vm_flags, vm_pgoff, vm_file. Addresses here are JS numbers: user addresses
 * stay below 2^47 (TASK_SIZE), well inside the 2^53 numbers hold exactly.
 */

import type { File } from '../fs/file.js';

export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_SHARED = 0x8;
export const VM_GROWSDOWN = 0x100;

export interface VmArea {
  vm_start: number;
  vm_end: number;
  /** PROT_* bits as the guest asked (PROT_READ 1, PROT_WRITE 2, PROT_EXEC 4). */
  prot: number;
  /** MAP_* style bits that matter for /proc/self/maps and fork (VM_SHARED, VM_GROWSDOWN). */
  vm_flags: number;
  /** Exactly vm_end - vm_start bytes. Split VMAs share one buffer through subarray. */
  host: Uint8Array;
  /** The file mapped here, if any, and the page offset into it. */
  vm_file: File | null;
  vm_pgoff: number;
  /** What /proc/self/maps shows for anonymous special areas: [stack], [heap], [vdso]. */
  name: string;
  /**
   * Set while `host` is shared copy-on-write with other address spaces
   * (after fork): CPUs see the area read-only, and the first write copies
   * it (mm_struct.ts cow_fault).
   */
  cow?: CowShare | null;
}

/** Host bytes shared copy-on-write: how many address spaces hold them. */
export interface CowShare {
  refs: number;
}

/** A copy of `vma` restricted to `[start, end)`, sharing its host bytes. */
export function sliceVma(vma: VmArea, start: number, end: number): VmArea {
  const off = start - vma.vm_start;
  return {
    ...vma,
    vm_start: start,
    vm_end: end,
    host: vma.host.subarray(off, off + (end - start)),
    vm_pgoff: vma.vm_pgoff + off / 4096,
  };
}
