/**
 * A task's address space: the VMAs, the host bytes behind them, and the CPUs
 * that see them.
 *
 * Linux include/linux/mm_types.h struct mm_struct; mm/mmap.c and
 * mm/mprotect.c for the operations. The kernel owns guest memory (DESIGN.md
 * decision 2): every VMA's bytes are a host Uint8Array, and each attached
 * CPU is told about every change so that engines and syscalls see the same
 * bytes without copies.
 */

import type { Cpu } from '../../emulator/engine.js';
import { PAGE_SIZE } from '../../emulator/engine.js';
import { futex_rekey } from '../futex.js';
import { sliceVma, VM_GROWSDOWN, VM_SHARED, type CowShare, type VmArea } from './vma.js';

const PROT_WRITE = 2;
/**
 * How much a write to copy-on-write memory copies: Linux copies the one
 * page; kemu copies the 64 KiB around it (engines map areas, not pages),
 * so a big area written in one place is not copied whole.
 */
const COW_CHUNK = 64 * 1024;

/** What CPUs are told: a copy-on-write area is read-only until its first write. */
const cpuProt = (v: VmArea): number => (v.cow ? v.prot & ~PROT_WRITE : v.prot);

/** Linux arch/x86/include/asm/processor.h: TASK_SIZE_MAX for 4-level paging. */
export const TASK_SIZE = 0x7ffffffff000;
/** Linux arch/x86/include/asm/processor.h: STACK_TOP = TASK_SIZE_LOW. */
export const STACK_TOP = TASK_SIZE;
/** Linux mm/mmap.c (CONFIG_DEFAULT_MMAP_MIN_ADDR on Debian): the lowest mappable address. */
export const MMAP_MIN_ADDR = 0x10000;
/**
 * Linux arch/x86/mm/mmap.c mmap_base(): the gap below the stack is the stack
 * rlimit plus the guard gap, clamped to at least 128 MiB; with randomisation
 * off, mmap_base = PAGE_ALIGN(TASK_SIZE - 128 MiB).
 */
export const MMAP_BASE = TASK_SIZE - 128 * 1024 * 1024;

/** Linux mm/mmap.c stack_guard_gap: 256 pages kept free below a stack that grows. */
const STACK_GUARD_GAP = 256 * PAGE_SIZE;
/** How much a stack grows at least at once (Linux: one page; see expand_stack). */
const STACK_GROW_CHUNK = 64 * 1024;

export const pageAlignDown = (a: number): number => a - (a % PAGE_SIZE);
export const pageAlignUp = (a: number): number => Math.ceil(a / PAGE_SIZE) * PAGE_SIZE;

export interface MapRequest {
  start: number;
  len: number;
  prot: number;
  vm_flags?: number;
  name?: string;
  vm_file?: VmArea['vm_file'];
  vm_pgoff?: number;
}

export class MmStruct {
  /** Sorted by vm_start, never overlapping. */
  private vmas: VmArea[] = [];
  private readonly cpus = new Set<Cpu>();

  start_code = 0; end_code = 0;
  start_data = 0; end_data = 0;
  start_brk = 0; brk = 0;
  start_stack = 0;
  arg_start = 0; arg_end = 0;
  env_start = 0; env_end = 0;
  mmap_base = MMAP_BASE;
  /** The auxv as create_elf_tables wrote it (key, value pairs), for /proc/self/auxv. */
  saved_auxv: number[] = [];
  /** Pages in all VMAs, for accounting and limits. */
  total_vm = 0;
  /** Linux mm->mm_users: tasks using this address space (threads, a vfork child). */
  users = 1;
  /** The lowest stack pointer the OOM killer has seen, for what the stack really uses (oom_kill.ts). */
  stack_low = Number.MAX_SAFE_INTEGER;
  /**
   * RLIMIT_STACK as exec saw it: how far the stack may grow down
   * (Linux acct_stack_growth reads rlimit(RLIMIT_STACK) at each fault).
   */
  stack_rlim = 8 * 1024 * 1024;

  /** Linux mmget(): one more task uses this address space. */
  mmget(): this {
    this.users++;
    return this;
  }

  /** Tell `cpu` about every mapping, now and from now on. */
  attachCpu(cpu: Cpu): void {
    this.cpus.add(cpu);
    for (const v of this.vmas) cpu.map(BigInt(v.vm_start), v.vm_end - v.vm_start, cpuProt(v), v.host);
  }

  detachCpu(cpu: Cpu): void {
    this.cpus.delete(cpu);
  }

  /** Every VMA in address order (read-only view for /proc/self/maps and fork). */
  areas(): readonly VmArea[] {
    return this.vmas;
  }

  /** Linux mm/mmap.c find_vma(): the VMA containing `addr`, or null. */
  find_vma(addr: number): VmArea | null {
    let lo = 0;
    let hi = this.vmas.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.vmas[mid]!;
      if (addr < v.vm_start) hi = mid - 1;
      else if (addr >= v.vm_end) lo = mid + 1;
      else return v;
    }
    return null;
  }

  /**
   * Linux mm/mmap.c expand_stack() -> expand_downwards(): an access just
   * below a VM_GROWSDOWN area (the stack) grows that area down to it, as
   * long as the whole stack stays within RLIMIT_STACK and at least
   * stack_guard_gap (256 pages) above the next area below. Linux grows to
   * the page touched; kemu grows to a STACK_GROW_CHUNK boundary so a
   * deep stack is a few areas, not one per page. Returns false (the
   * access is a SIGSEGV) when there is nothing to grow or no room.
   */
  expand_stack(addr: number, rlim = this.stack_rlim): boolean {
    if (!Number.isSafeInteger(addr) || addr < MMAP_MIN_ADDR || addr >= TASK_SIZE) return false;
    const i = this.vmas.findIndex((v) => v.vm_start > addr);
    const above = i >= 0 ? this.vmas[i]! : null;
    if (!above || !(above.vm_flags & VM_GROWSDOWN)) return false;
    let top = above.vm_end; // the stack's end: the run of growing-down areas it is made of
    for (let j = i + 1; j < this.vmas.length && this.vmas[j]!.vm_start === top && (this.vmas[j]!.vm_flags & VM_GROWSDOWN); j++) top = this.vmas[j]!.vm_end;
    const page = pageAlignDown(addr);
    const limit = top - pageAlignDown(Math.min(rlim, TASK_SIZE));
    if (page < limit) return false;
    const below = i > 0 ? this.vmas[i - 1]! : null;
    const floor = below ? below.vm_end + STACK_GUARD_GAP : MMAP_MIN_ADDR;
    if (below && !(below.vm_flags & VM_GROWSDOWN) && below.prot !== 0 && page < floor) return false;
    const start = Math.min(page, Math.max(Math.floor(page / STACK_GROW_CHUNK) * STACK_GROW_CHUNK, limit, floor));
    return this.mapFixed({ start, len: above.vm_start - start, prot: above.prot, vm_flags: above.vm_flags, name: above.name }) !== null;
  }

  /** True when any page of `[start, start+len)` is mapped. */
  overlaps(start: number, len: number): boolean {
    const end = start + len;
    return this.vmas.some((v) => v.vm_start < end && v.vm_end > start);
  }

  /**
   * Map fresh zeroed memory (or `host` bytes the caller prepared) at a fixed,
   * page-aligned range, replacing whatever was there (MAP_FIXED semantics).
   * Null (nothing changed) when the host cannot give that much memory: the
   * caller's ENOMEM.
   */
  mapFixed(req: MapRequest, host?: Uint8Array): VmArea | null {
    if (req.start % PAGE_SIZE !== 0 || req.len % PAGE_SIZE !== 0 || req.len <= 0) {
      throw new Error(`mapFixed: unaligned range 0x${req.start.toString(16)}+0x${req.len.toString(16)}`);
    }
    host ??= alloc_host(req.len) ?? undefined;
    if (!host) return null;
    this.unmapRange(req.start, req.len);
    const vma: VmArea = {
      vm_start: req.start,
      vm_end: req.start + req.len,
      prot: req.prot,
      vm_flags: req.vm_flags ?? 0,
      host,
      vm_file: req.vm_file ?? null,
      vm_pgoff: req.vm_pgoff ?? 0,
      name: req.name ?? '',
    };
    this.insert(vma);
    for (const cpu of this.cpus) cpu.map(BigInt(vma.vm_start), req.len, vma.prot, vma.host);
    return vma;
  }

  /**
   * Linux mm/mmap.c get_unmapped_area() top-down: the highest free range of
   * `len` bytes below mmap_base, or below `hint` + len when a hint fits.
   * Returns -1 when nothing fits.
   */
  get_unmapped_area(hint: number, len: number): number {
    if (hint && hint >= MMAP_MIN_ADDR && hint + len <= TASK_SIZE && !this.overlaps(hint, len)) return hint;
    let top = this.mmap_base;
    for (let i = this.vmas.length - 1; i >= -1; i--) {
      const v = this.vmas[i];
      const floor = v ? v.vm_end : MMAP_MIN_ADDR;
      if (v && v.vm_start >= top) continue;
      if (top - floor >= len) return top - len;
      if (!v) break;
      top = Math.min(top, v.vm_start);
    }
    return -1;
  }

  /** Remove every page of `[start, start+len)` that is mapped, splitting VMAs at the edges. */
  unmapRange(start: number, len: number): void {
    const end = start + len;
    const kept: VmArea[] = [];
    const dropped = new Set<CowShare>();
    for (const v of this.vmas) {
      if (v.vm_end <= start || v.vm_start >= end) { kept.push(v); continue; }
      const cutStart = Math.max(v.vm_start, start);
      const cutEnd = Math.min(v.vm_end, end);
      for (const cpu of this.cpus) cpu.unmap(BigInt(cutStart), cutEnd - cutStart);
      this.total_vm -= (cutEnd - cutStart) / PAGE_SIZE;
      if (v.vm_start < cutStart) kept.push(sliceVma(v, v.vm_start, cutStart));
      if (cutEnd < v.vm_end) kept.push(sliceVma(v, cutEnd, v.vm_end));
      if (v.cow) dropped.add(v.cow);
    }
    this.vmas = kept;
    for (const share of dropped) this.put_cow_share(share);
  }

  /**
   * Change the protection of `[start, start+len)`. Linux mm/mprotect.c:
   * every page must be mapped, else -ENOMEM (the caller maps that to errno).
   * Returns false when a hole was found (nothing is changed then).
   */
  protectRange(start: number, len: number, prot: number): boolean {
    const end = start + len;
    if (!this.isFullyMapped(start, end)) return false;
    const next: VmArea[] = [];
    for (const v of this.vmas) {
      if (v.vm_end <= start || v.vm_start >= end) { next.push(v); continue; }
      const a = Math.max(v.vm_start, start);
      const b = Math.min(v.vm_end, end);
      if (v.vm_start < a) next.push(sliceVma(v, v.vm_start, a));
      next.push({ ...sliceVma(v, a, b), prot });
      if (b < v.vm_end) next.push(sliceVma(v, b, v.vm_end));
      for (const cpu of this.cpus) cpu.protect(BigInt(a), b - a, v.cow ? prot & ~PROT_WRITE : prot);
    }
    this.vmas = next;
    return true;
  }

  isFullyMapped(start: number, end: number): boolean {
    let at = start;
    while (at < end) {
      const v = this.find_vma(at);
      if (!v) return false;
      at = v.vm_end;
    }
    return true;
  }

  /** Tell every CPU that the kernel changed guest bytes (code caches must drop them). */
  invalidate(addr: number, len: number): void {
    for (const cpu of this.cpus) cpu.invalidate(BigInt(addr), len);
  }

  /**
   * Linux mmput(): drop one user's reference (exit, exec's exec_mmap, a
   * failed exec); the last one drops every mapping.
   */
  release(): void {
    if (--this.users > 0) return;
    this.unmapRange(0, TASK_SIZE);
    this.cpus.clear();
  }

  /**
   * Linux kernel/fork.c dup_mmap(): the child's address space for fork.
   * Shared mappings keep the same host bytes (MAP_SHARED memory stays
   * shared with the child); private ones are copied. Pages still all zero
   * are not copied, so memory the parent never touched (most of an 8 MiB
   * stack) costs the child nothing.
   */
  dup_mmap(): MmStruct {
    const m = new MmStruct();
    m.start_code = this.start_code; m.end_code = this.end_code;
    m.start_data = this.start_data; m.end_data = this.end_data;
    m.start_brk = this.start_brk; m.brk = this.brk;
    m.start_stack = this.start_stack;
    m.arg_start = this.arg_start; m.arg_end = this.arg_end;
    m.env_start = this.env_start; m.env_end = this.env_end;
    m.mmap_base = this.mmap_base;
    m.saved_auxv = this.saved_auxv.slice();
    m.stack_low = this.stack_low;
    m.stack_rlim = this.stack_rlim;
    const counted = new Set<CowShare>();
    for (const v of this.vmas) {
      if (v.vm_flags & VM_SHARED) { m.vmas.push({ ...v }); continue; }
      const share = v.cow ?? (v.cow = { refs: 1 });
      if (!counted.has(share)) { share.refs++; counted.add(share); }
      m.vmas.push({ ...v });
      if (v.prot & PROT_WRITE) for (const cpu of this.cpus) cpu.protect(BigInt(v.vm_start), v.vm_end - v.vm_start, cpuProt(v));
    }
    m.total_vm = this.total_vm;
    return m;
  }

  /**
   * Linux do_wp_page(): a write to a copy-on-write area. If another
   * address space still shares the bytes, this one gets its own copy of
   * the area (pages never touched stay uncopied); if not, the area simply
   * becomes writable again (Linux's reuse of an unshared page). Returns
   * false when `addr` is not such an area (a real protection fault).
   */
  cow_fault(addr: number, force = false): boolean {
    const v = this.find_vma(addr);
    if (!v || !v.cow || (!(v.prot & PROT_WRITE) && !force)) return false;
    const share = v.cow;
    if (share.refs > 1) {
      // Copy only the COW_CHUNK around the write: the area is split, the rest stays shared.
      const c0 = Math.max(v.vm_start, Math.floor(addr / COW_CHUNK) * COW_CHUNK);
      const c1 = Math.min(v.vm_end, c0 + COW_CHUNK);
      const mid = sliceVma(v, c0, c1);
      const old = mid.host;
      mid.host = copyTouchedPages(old);
      mid.cow = null;
      const pieces = [...(c0 > v.vm_start ? [sliceVma(v, v.vm_start, c0)] : []), mid, ...(c1 < v.vm_end ? [sliceVma(v, c1, v.vm_end)] : [])];
      this.vmas.splice(this.vmas.indexOf(v), 1, ...pieces);
      futex_rekey(this, old, mid.host);
      for (const cpu of this.cpus) {
        cpu.unmap(BigInt(c0), c1 - c0);
        cpu.map(BigInt(c0), c1 - c0, mid.prot, mid.host);
      }
      this.put_cow_share(share);
      return true;
    }
    for (const w of this.vmas) {
      if (w.cow !== share) continue;
      w.cow = null;
      for (const cpu of this.cpus) cpu.protect(BigInt(w.vm_start), w.vm_end - w.vm_start, w.prot);
    }
    return true;
  }

  /**
   * Give every writable copy-on-write area in `[addr, addr+len)` its own
   * bytes before the kernel writes there; with `force`, read-only ones too
   * (madvise(MADV_DONTNEED) zeroes pages whatever their protection).
   */
  cow_break_range(addr: number, len: number, force = false): void {
    const end = addr + len;
    for (let at = addr; at < end;) {
      const v = this.find_vma(at);
      if (!v) return;
      if (v.cow && ((v.prot & PROT_WRITE) || force)) {
        this.cow_fault(at, force);
        const w = this.find_vma(at)!;
        at = w.cow ? w.vm_end : Math.min(w.vm_end, Math.floor(at / COW_CHUNK) * COW_CHUNK + COW_CHUNK);
        continue;
      }
      at = v.vm_end;
    }
  }

  /** This address space stops holding `share` if no area of it still does. */
  private put_cow_share(share: CowShare): void {
    if (!this.vmas.some((v) => v.cow === share)) share.refs--;
  }

  private insert(vma: VmArea): void {
    let i = this.vmas.length;
    while (i > 0 && this.vmas[i - 1]!.vm_start > vma.vm_start) i--;
    this.vmas.splice(i, 0, vma);
    this.total_vm += (vma.vm_end - vma.vm_start) / PAGE_SIZE;
  }
}

/**
 * Zeroed host bytes for `len` bytes of guest memory, or null when the host
 * cannot allocate them (past what a typed array holds, or out of memory):
 * an ENOMEM for the guest, never an exception (DESIGN.md decision 6).
 */
export function alloc_host(len: number): Uint8Array | null {
  try {
    return new Uint8Array(len);
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
}

/** One page of zeros, to compare pages with (a native memcmp). */
const ZERO_PAGE = Buffer.alloc(PAGE_SIZE);

/**
 * A copy of `src` (a whole number of pages) in fresh memory, with only the
 * pages that hold a non-zero byte copied: the rest of a fresh Uint8Array
 * is zero already and the host commits no memory for it. Runs of touched
 * pages are copied with one native copy each.
 */
export function copyTouchedPages(src: Uint8Array): Uint8Array {
  if (src.length % PAGE_SIZE !== 0) return src.slice();
  const dst = new Uint8Array(src.length);
  const view = Buffer.from(src.buffer, src.byteOffset, src.length);
  let runStart = -1;
  for (let off = 0; off < src.length; off += PAGE_SIZE) {
    const touched = !view.subarray(off, off + PAGE_SIZE).equals(ZERO_PAGE);
    if (touched) { if (runStart < 0) runStart = off; continue; }
    if (runStart >= 0) { dst.set(src.subarray(runStart, off), runStart); runStart = -1; }
  }
  if (runStart >= 0) dst.set(src.subarray(runStart), runStart);
  return dst;
}
