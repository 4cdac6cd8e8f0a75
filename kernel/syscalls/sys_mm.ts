/**
 * Memory syscalls: Linux mm/mmap.c (brk, mmap_pgoff, munmap),
 * mm/mprotect.c, mm/madvise.c. Worker functions are exported for the exec
 * path (binfmt_elf maps segments and sets brk through them).
 */

import { EACCES, EBADF, EEXIST, EFAULT, EINVAL, ENODEV, ENOMEM, EPERM } from '../../abi/errno.js';
import {
  MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_GROWSDOWN, MAP_PRIVATE, MAP_SHARED,
  MAP_SHARED_VALIDATE, MAP_TYPE, MADV_DONTNEED, MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE, PROT_EXEC, PROT_GROWSDOWN, PROT_GROWSUP, PROT_READ, PROT_WRITE,
} from '../../abi/mman.js';
import { PAGE_SIZE } from '../../abi/limits.js';
import { READ_IMPLIES_EXEC } from '../../abi/process.js';
import { F_SEAL_FUTURE_WRITE, F_SEAL_WRITE } from '../../abi/fcntl.js';
import type { File } from '../fs/file.js';
import { TmpfsFile } from '../fs/tmpfs.js';
import type { Kernel } from '../kernel.js';
import { alloc_host, MMAP_MIN_ADDR, type MmStruct, pageAlignUp, TASK_SIZE } from '../mm/mm_struct.js';
import { VM_GROWSDOWN, VM_SHARED, type VmArea } from '../mm/vma.js';
import type { Task } from '../task.js';
import { fdget } from './sys_rw.js';
import { type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import { __NR_brk, __NR_madvise, __NR_mmap, __NR_mprotect, __NR_mremap, __NR_munmap } from '../../abi/syscalls.js';

const PROT_MASK = PROT_READ | PROT_WRITE | PROT_EXEC;

/** Linux mm/mmap.c brk(): move the program break; the result is the break now in force. */
export function sys_brk(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const mm = t.mm!;
  const brk = a.ptr(0);
  if (brk < mm.start_brk) return mm.brk;
  const newbrk = pageAlignUp(brk);
  const oldbrk = pageAlignUp(mm.brk);
  if (newbrk === oldbrk) { mm.brk = brk; return brk; }
  if (newbrk < oldbrk) {
    mm.unmapRange(newbrk, oldbrk - newbrk);
    mm.brk = brk;
    return brk;
  }
  // Linux: refuse to grow into the next mapping, keeping a guard page free.
  if (newbrk > TASK_SIZE || mm.overlaps(oldbrk, newbrk - oldbrk + PAGE_SIZE)) return mm.brk;
  if (!mm.mapFixed({ start: oldbrk, len: newbrk - oldbrk, prot: PROT_READ | PROT_WRITE, name: '[heap]' })) return mm.brk;
  mm.brk = brk;
  return brk;
}

export interface MmapRequest {
  addr: number;
  len: number;
  prot: number;
  flags: number;
  off: number;
}


/**
 * Linux mm/mmap.c do_mmap for a task: map `file` (null with MAP_ANONYMOUS)
 * and return the address or -errno.
 */
export function do_mmap(t: Task, file: File | null, r: MmapRequest): number {
  const mm = t.mm!;
  if (r.off % PAGE_SIZE !== 0 || r.off < 0) return -EINVAL;
  if (r.len === 0) return -EINVAL;
  const len = pageAlignUp(r.len);
  if (len > TASK_SIZE || len < r.len) return -ENOMEM;
  const type = r.flags & MAP_TYPE;
  if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) return -EINVAL;
  if (r.prot & ~(PROT_MASK | PROT_GROWSDOWN | PROT_GROWSUP)) return -EINVAL;
  const fixed = (r.flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0;
  let addr: number;
  if (fixed) {
    if (r.addr % PAGE_SIZE !== 0) return -EINVAL;
    if (r.addr + len > TASK_SIZE || r.addr < 0) return -ENOMEM;
    // Linux security/min_addr.c: mappings below mmap_min_addr need CAP_SYS_RAWIO.
    if (r.addr < MMAP_MIN_ADDR) return -EPERM;
    if ((r.flags & MAP_FIXED_NOREPLACE) && !(r.flags & MAP_FIXED) && mm.overlaps(r.addr, len)) return -EEXIST;
    addr = r.addr;
  } else {
    addr = mm.get_unmapped_area(r.addr > 0 ? pageAlignUp(r.addr) : 0, len);
    if (addr < 0) return -ENOMEM;
  }
  let prot = r.prot & PROT_MASK;
  if ((prot & PROT_READ) && (t.personality & READ_IMPLIES_EXEC) && !file?.f_inode.i_sb.noexec) prot |= PROT_EXEC;
  const vm_flags = (type === MAP_PRIVATE ? 0 : VM_SHARED) | (r.flags & MAP_GROWSDOWN ? VM_GROWSDOWN : 0);
  if (r.flags & MAP_ANONYMOUS) {
    return mm.mapFixed({ start: addr, len, prot, vm_flags }) ? addr : -ENOMEM;
  }
  if (!file) return -EBADF;
  return mmapFile(mm, file, addr, len, prot, vm_flags, r);
}

function mmapFile(mm: MmStruct, f: File, addr: number, len: number, prot: number, vm_flags: number, r: MmapRequest): number {
  if (!f.readable) return -EACCES;
  if (!f.f_inode.isReg) return -ENODEV;
  if (vm_flags & VM_SHARED) {
    // Linux mm/shmem.c shmem_mmap() -> seal_check_write(): no shared writable map of a write-sealed memfd.
    if ((prot & PROT_WRITE) && f.f_inode instanceof TmpfsFile && (f.f_inode.seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))) return -EPERM;
    // Shared file pages need a page cache; they arrive with the real-programs issue.
    if (prot & PROT_WRITE) return -ENODEV;
  }
  const host = alloc_host(len);
  if (!host) return -ENOMEM;
  f.pread(host, r.off);
  mm.mapFixed({ start: addr, len, prot, vm_flags, vm_file: f, vm_pgoff: r.off / PAGE_SIZE, name: f.f_path }, host);
  return addr;
}

export function sys_mmap(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const flags = a.int(3);
  const file = flags & MAP_ANONYMOUS ? null : fdget(t, a.int(4));
  return do_mmap(t, file, {
    addr: a.ptr(0) < 0 ? TASK_SIZE : a.ptr(0),
    len: a.ulong(1), prot: a.int(2), flags, off: a.ulong(5),
  });
}

export function sys_munmap(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const addr = a.ptr(0);
  const len = pageAlignUp(a.ulong(1));
  if (addr < 0 || addr % PAGE_SIZE !== 0 || len === 0 || addr + len > TASK_SIZE) return -EINVAL;
  t.mm!.unmapRange(addr, len);
  return 0;
}

export function sys_mprotect(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const addr = a.ptr(0);
  const prot = a.int(2);
  if (addr < 0 || addr % PAGE_SIZE !== 0) return -EINVAL;
  if (prot & ~(PROT_MASK | PROT_GROWSDOWN | PROT_GROWSUP)) return -EINVAL;
  const len = pageAlignUp(a.ulong(1));
  if (len === 0) return 0;
  if (addr + len > TASK_SIZE) return -ENOMEM;
  return t.mm!.protectRange(addr, len, prot & PROT_MASK) ? 0 : -ENOMEM;
}

/**
 * Linux mm/madvise.c: most advice is a hint. MADV_DONTNEED is not: private
 * pages read back as zero (anonymous) or as the file's bytes afterwards, and
 * allocators rely on it. An unmapped range is ENOMEM, a bad start EINVAL.
 */
export function sys_madvise(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const addr = a.ptr(0);
  if (addr < 0 || addr % PAGE_SIZE !== 0) return -EINVAL;
  const len = pageAlignUp(a.ulong(1));
  if (len === 0) return 0;
  const mm = t.mm!;
  if (!mm.isFullyMapped(addr, addr + len)) return -ENOMEM;
  if (a.int(2) === MADV_DONTNEED) dontneed(mm, addr, addr + len);
  return 0;
}

function dontneed(mm: MmStruct, start: number, end: number): void {
  mm.cow_break_range(start, end - start, true); // memory shared with a fork child is not ours to zero
  for (const v of mm.areas()) {
    if (v.vm_end <= start || v.vm_start >= end || (v.vm_flags & VM_SHARED)) continue;
    const a = Math.max(start, v.vm_start) - v.vm_start;
    const b = Math.min(end, v.vm_end) - v.vm_start;
    v.host.fill(0, a, b);
    v.vm_file?.pread(v.host.subarray(a, b), v.vm_pgoff * PAGE_SIZE + a);
  }
  mm.invalidate(start, end - start);
}

/**
 * Linux mm/mremap.c: resize (and with MREMAP_MAYMOVE move) one mapping.
 * The old range must lie in one VMA (EFAULT otherwise); growing in place
 * needs the pages after it free, else it moves or fails with ENOMEM.
 */
export function sys_mremap(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const mm = t.mm!;
  const old_addr = a.ptr(0);
  const flags = a.int(3);
  if (old_addr < 0 || old_addr % PAGE_SIZE !== 0) return -EINVAL;
  if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) return -EINVAL;
  if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) return -EINVAL;
  if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) return -EINVAL; // not built yet: refused, never half-done
  const old_len = pageAlignUp(a.ulong(1));
  const new_len = pageAlignUp(a.ulong(2));
  if (!new_len || new_len > TASK_SIZE) return -EINVAL;
  const vma = mm.find_vma(old_addr);
  if (!vma || old_addr + old_len > vma.vm_end) return -EFAULT;
  if (new_len <= old_len) {
    if (new_len < old_len) mm.unmapRange(old_addr + new_len, old_len - new_len);
    return old_addr;
  }
  const tailFree = old_addr + old_len === vma.vm_end && old_addr + new_len <= TASK_SIZE &&
    !mm.overlaps(old_addr + old_len, new_len - old_len);
  if (tailFree) {
    return growInPlace(mm, vma, old_addr + old_len, new_len - old_len) ? old_addr : -ENOMEM;
  }
  if (!(flags & MREMAP_MAYMOVE)) return -ENOMEM;
  const to = mm.get_unmapped_area(0, new_len);
  if (to < 0) return -ENOMEM;
  const host = alloc_host(new_len);
  if (!host) return -ENOMEM;
  host.set(vma.host.subarray(old_addr - vma.vm_start, old_addr - vma.vm_start + old_len));
  mm.mapFixed({ start: to, len: new_len, prot: vma.prot, vm_flags: vma.vm_flags, vm_file: vma.vm_file,
    vm_pgoff: vma.vm_pgoff + (old_addr - vma.vm_start) / PAGE_SIZE, name: vma.name }, host);
  mm.unmapRange(old_addr, old_len);
  return to;
}

/** The new pages after a VMA: zero for anonymous memory, the file's bytes for a private file mapping. */
function growInPlace(mm: MmStruct, vma: VmArea, start: number, len: number): boolean {
  const host = alloc_host(len);
  if (!host) return false;
  const pgoff = vma.vm_pgoff + (start - vma.vm_start) / PAGE_SIZE;
  vma.vm_file?.pread(host, pgoff * PAGE_SIZE);
  mm.mapFixed({ start, len, prot: vma.prot, vm_flags: vma.vm_flags, vm_file: vma.vm_file, vm_pgoff: pgoff, name: vma.name }, host);
  return true;
}

/** This family's rows of the syscall table (see table.ts). */
export const MM_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_mmap, handler: sys_mmap, support: 'partial', note: 'MAP_SHARED writable file mappings: ENODEV', args: ['ptr', 'uint', 'hex', 'hex', 'fd', 'hex'], ret: 'hex' },
  { nr: __NR_mprotect, handler: sys_mprotect, support: 'full', args: ['ptr', 'uint', 'hex'] },
  { nr: __NR_munmap, handler: sys_munmap, support: 'full', args: ['ptr', 'uint'] },
  { nr: __NR_brk, handler: sys_brk, support: 'full', args: ['ptr'], ret: 'hex' },
  { nr: __NR_mremap, handler: sys_mremap, support: 'partial', note: 'MREMAP_FIXED and MREMAP_DONTUNMAP: EINVAL', args: ['ptr', 'uint', 'uint', 'hex', 'ptr'], ret: 'hex' },
  { nr: __NR_madvise, handler: sys_madvise, support: 'partial', note: 'MADV_DONTNEED zeroes; other advice accepted', args: ['ptr', 'uint', 'int'] },
];
