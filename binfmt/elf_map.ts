/**
 * Mapping an ELF's segments: Linux 4.18 fs/binfmt_elf.c elf_map,
 * total_mapping_size, set_brk, padzero, load_elf_interp.
 */

import { EFAULT, EINVAL, ENOMEM } from '../abi/errno.js';
import { ET_DYN, ET_EXEC, EM_X86_64, PF_R, PF_W, PF_X, PT_LOAD, type Elf64_Ehdr, type Elf64_Phdr } from '../abi/elf.js';
import { MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_PRIVATE, PROT_EXEC, PROT_READ, PROT_WRITE } from '../abi/mman.js';
import type { File } from '../kernel/fs/file.js';
import type { MmStruct } from '../kernel/mm/mm_struct.js';
import { TASK_SIZE } from '../kernel/mm/mm_struct.js';
import { clear_user } from '../kernel/mm/uaccess.js';
import { do_mmap } from '../kernel/syscalls/sys_mm.js';
import type { Task } from '../kernel/task.js';

export { TASK_SIZE };
/** Linux arch/x86/include/asm/elf.h ELF_MIN_ALIGN = ELF_EXEC_PAGESIZE. */
export const ELF_MIN_ALIGN = 4096;

const mod = (a: number): number => ((a % ELF_MIN_ALIGN) + ELF_MIN_ALIGN) % ELF_MIN_ALIGN;
export const pageOffset = (a: number): number => mod(a);
export const pageStart = (a: number): number => a - mod(a);
export const pageAlign = (a: number): number => pageStart(a + ELF_MIN_ALIGN - 1);

/** Linux fs/binfmt_elf.c make_prot: PF_R/W/X to PROT_*. */
export function make_prot(p_flags: number): number {
  return (p_flags & PF_R ? PROT_READ : 0) | (p_flags & PF_W ? PROT_WRITE : 0) | (p_flags & PF_X ? PROT_EXEC : 0);
}

/** 'noreplace': MAP_FIXED_NOREPLACE; 'replace': MAP_FIXED; 'hint': let mmap choose near addr. */
export type Placement = 'noreplace' | 'replace' | 'hint';

/**
 * Linux 4.18 elf_map(): map the file part of one PT_LOAD, from the page
 * holding p_offset, covering p_filesz. With `total_size` (the first
 * segment of an ET_DYN) the whole image's span is reserved and the tail
 * beyond this segment unmapped again. Returns the address or -errno.
 */
export function elf_map(t: Task, file: File, addr: number, ph: Elf64_Phdr, prot: number, place: Placement, total_size: number): number {
  const vaddr = Number(ph.p_vaddr);
  const size = pageAlign(Number(ph.p_filesz) + pageOffset(vaddr));
  const off = Number(ph.p_offset) - pageOffset(vaddr);
  addr = pageStart(addr);
  if (!size) return addr;
  const flags = MAP_PRIVATE | (place === 'replace' ? MAP_FIXED : place === 'noreplace' ? MAP_FIXED_NOREPLACE : 0);
  const len = total_size ? pageAlign(total_size) : size;
  const map = do_mmap(t, file, { addr, len, prot, flags, off });
  if (map >= 0 && total_size && len > size) t.mm!.unmapRange(map + size, len - size);
  return map;
}

/**
 * Linux (5.10+) fs/binfmt_elf.c maximum_alignment(): the largest p_align of
 * a PT_LOAD that is a power of two (others are skipped as invalid), at
 * least a page.
 */
export function maximum_alignment(phdrs: readonly Elf64_Phdr[]): number {
  let alignment = 0;
  for (const p of phdrs) {
    if (p.p_type !== PT_LOAD) continue;
    const a = p.p_align;
    if (a === 0n || (a & (a - 1n)) !== 0n || a > BigInt(TASK_SIZE)) continue;
    alignment = Math.max(alignment, Number(a));
  }
  return pageAlign(alignment);
}

/** `addr` rounded down to `alignment` (a power of two; numbers past 2^32, so no bit operators). */
export const alignDown = (addr: number, alignment: number): number =>
  alignment ? Math.floor(addr / alignment) * alignment : addr;

/** Linux total_mapping_size(): from the first PT_LOAD's page to the last one's vaddr + memsz. */
export function total_mapping_size(phdrs: readonly Elf64_Phdr[]): number {
  const loads = phdrs.filter((p) => p.p_type === PT_LOAD);
  if (loads.length === 0) return 0;
  const first = loads[0]!;
  const last = loads[loads.length - 1]!;
  return Number(last.p_vaddr + last.p_memsz) - pageStart(Number(first.p_vaddr));
}

/**
 * Linux 4.18 set_brk(): anonymous pages for [start, end) page-aligned
 * (executable if the segment was), and start_brk = brk = the aligned end.
 */
export function set_brk(mm: MmStruct, start: number, end: number, prot: number): number {
  start = pageAlign(start);
  end = pageAlign(end);
  if (end > start) {
    if (end > TASK_SIZE) return -ENOMEM;
    if (!mm.mapFixed({ start, len: end - start, prot: PROT_READ | PROT_WRITE | (prot & PROT_EXEC), name: '' })) return -ENOMEM;
  }
  mm.start_brk = mm.brk = end;
  return 0;
}

/**
 * Linux padzero(): zero from `elf_bss` to the end of its page (at most
 * `limit` bytes), as clear_user does: -EFAULT if that page is not writable.
 */
export function padzero(mm: MmStruct, elf_bss: number, limit: number): number {
  let n = pageOffset(elf_bss);
  if (!n) return 0;
  n = Math.min(ELF_MIN_ALIGN - n, limit);
  return clear_user(mm, elf_bss, n) ? 0 : -EFAULT;
}

/**
 * Linux 4.18 load_elf_interp(): map the interpreter (normally ET_DYN, placed
 * by mmap in the mmap area), clear its last file page unconditionally, and
 * map the rest of its bss. Returns its load address or -errno.
 */
export function load_elf_interp(t: Task, ehdr: Elf64_Ehdr, file: File, no_base: number, phdrs: Elf64_Phdr[]): number {
  if (ehdr.e_type !== ET_EXEC && ehdr.e_type !== ET_DYN) return -EINVAL;
  if (ehdr.e_machine !== EM_X86_64) return -EINVAL;
  let total_size = total_mapping_size(phdrs);
  if (!total_size) return -EINVAL;
  const mm = t.mm!;
  let load_addr = 0; let load_addr_set = false;
  let elf_bss = 0; let last_bss = 0; let bss_prot = 0;
  for (const ph of phdrs) {
    if (ph.p_type !== PT_LOAD) continue;
    const prot = make_prot(ph.p_flags);
    const vaddr = Number(ph.p_vaddr);
    const fixed = ehdr.e_type === ET_EXEC || load_addr_set;
    if (!fixed && no_base && ehdr.e_type === ET_DYN) load_addr = -vaddr;
    const map = elf_map(t, file, load_addr + vaddr, ph, prot, fixed ? 'noreplace' : 'hint', total_size);
    total_size = 0;
    if (map < 0) return map;
    if (map >= TASK_SIZE) return -EINVAL;
    if (!load_addr_set && ehdr.e_type === ET_DYN) {
      load_addr = map - pageStart(vaddr);
      load_addr_set = true;
    }
    const k = load_addr + vaddr;
    if (k >= TASK_SIZE || ph.p_filesz > ph.p_memsz || ph.p_memsz > BigInt(TASK_SIZE) ||
        TASK_SIZE - Number(ph.p_memsz) < k) return -ENOMEM;
    elf_bss = Math.max(elf_bss, k + Number(ph.p_filesz));
    const end = k + Number(ph.p_memsz);
    if (end > last_bss) { last_bss = end; bss_prot = prot; }
  }
  // Linux 4.10+: the interpreter's last file page is cleared unconditionally.
  if (padzero(mm, elf_bss, ELF_MIN_ALIGN) < 0) return -EFAULT;
  elf_bss = pageAlign(elf_bss);
  last_bss = pageAlign(last_bss);
  if (last_bss > elf_bss) {
    if (!mm.mapFixed({ start: elf_bss, len: last_bss - elf_bss, prot: PROT_READ | PROT_WRITE | (bss_prot & PROT_EXEC) })) return -ENOMEM;
  }
  return load_addr;
}
