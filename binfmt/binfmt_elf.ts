/**
 * binfmt_elf: Linux 4.18 fs/binfmt_elf.c load_elf_binary, step by step as
 * in ../shared/reference/linux-exec-path.md 1.6. ET_EXEC, PIE (ET_DYN with
 * PT_INTERP at 0x555555554000), static-pie (ET_DYN without PT_INTERP,
 * placed by mmap) and PT_INTERP interpreters loaded from the guest's files.
 */

import { EFAULT, EINVAL, EIO, ELIBBAD, ENOEXEC, ENOMEM } from '../abi/errno.js';
import {
  decodeEhdr, decodePhdr, EM_X86_64, ET_DYN, ET_EXEC, PF_X, PT_GNU_STACK, PT_INTERP, PT_LOAD,
  type Elf64_Ehdr, type Elf64_Phdr,
} from '../abi/elf.js';
import { PATH_MAX } from '../abi/limits.js';
import { READ_IMPLIES_EXEC } from '../abi/process.js';
import { RIP, RSP } from '../emulator/regs.js';
import type { File } from '../kernel/fs/file.js';
import { latin1 } from '../kernel/fs/namei.js';
import { STACK_TOP } from '../kernel/mm/mm_struct.js';
import { arch_setup_additional_pages } from '../kernel/vdso/index.js';
import type { LinuxBinfmt, LinuxBinprm } from './binprm.js';
import { EXSTACK_DEFAULT, EXSTACK_DISABLE_X, EXSTACK_ENABLE_X } from './binprm.js';
import { create_elf_tables } from './elf_tables.js';
import {
  alignDown, elf_map, ELF_MIN_ALIGN, load_elf_interp, make_prot, maximum_alignment, padzero, pageAlign, pageStart,
  set_brk, TASK_SIZE, total_mapping_size,
} from './elf_map.js';
import {
  finalize_exec, flush_old_exec, install_exec_creds, open_exec, release_exec_file,
  set_binfmt, setup_arg_pages, setup_new_exec, would_dump,
} from './exec_mm.js';
import { traceNote } from './trace_exec.js';

/** Linux arch/x86/include/asm/elf.h ELF_ET_DYN_BASE for 64-bit: DEFAULT_MAP_WINDOW / 3 * 2. */
export const ELF_ET_DYN_BASE = 0x555555554aaa;
/** CPUID.1:EDX of a baseline x86-64 CPU (fpu .. sse2), for engines that do not say. */
const DEFAULT_HWCAP = 0x078bfbff;

/** Linux elf_check_arch for x86-64. */
const elf_check_arch = (h: Elf64_Ehdr): boolean => h.e_machine === EM_X86_64;

const isElfMagic = (b: Uint8Array): boolean => b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;

/**
 * Linux 4.18 load_elf_phdrs(): e_phentsize must be 56, 1 <= e_phnum and the
 * table at most ELF_MIN_ALIGN (73 entries); a short read is EIO. Returns
 * the table or -errno (callers turn every failure into their own errno).
 */
export function load_elf_phdrs(h: Elf64_Ehdr, file: File): Elf64_Phdr[] | number {
  if (h.e_phentsize !== 56) return -ENOEXEC;
  const size = h.e_phnum * 56;
  if (h.e_phnum < 1 || h.e_phnum > 65536 / 56 || size > ELF_MIN_ALIGN) return -ENOEXEC;
  if (h.e_phoff > BigInt(Number.MAX_SAFE_INTEGER)) return -EIO;
  const buf = new Uint8Array(size);
  const n = file.pread(buf, Number(h.e_phoff));
  if (n !== size) return n < 0 ? n : -EIO;
  const out: Elf64_Phdr[] = [];
  for (let i = 0; i < h.e_phnum; i++) out.push(decodePhdr(buf, i * 56)!);
  return out;
}

interface Interp {
  file: File;
  ehdr: Elf64_Ehdr;
  phdrs: Elf64_Phdr[];
}

/** Steps 4 and 6: the first PT_INTERP, opened and checked. Returns null when there is none. */
function loadInterpreter(bprm: LinuxBinprm, phdrs: Elf64_Phdr[]): Interp | null | number {
  const ph = phdrs.find((p) => p.p_type === PT_INTERP);
  if (!ph) return null;
  if (ph.p_filesz > BigInt(PATH_MAX) || ph.p_filesz < 2n) return -ENOEXEC;
  const name = new Uint8Array(Number(ph.p_filesz));
  const n = ph.p_offset > BigInt(Number.MAX_SAFE_INTEGER) ? -EIO : bprm.file!.pread(name, Number(ph.p_offset));
  if (n !== name.length) return n < 0 ? n : -EIO;
  if (name[name.length - 1] !== 0) return -ENOEXEC;
  const path = latin1(name.subarray(0, name.indexOf(0)));
  traceNote(bprm.kernel, `PT_INTERP "${path}"`);
  const file = open_exec(bprm.task, path);
  if (typeof file === 'number') return file;
  would_dump(bprm, file);
  const hdr = new Uint8Array(64);
  const got = file.pread(hdr, 0);
  const fail = (e: number): number => { release_exec_file(file); return e; };
  if (got !== 64) return fail(got < 0 ? got : -EIO);
  // Linux 4.18: a wrong interpreter is ELIBBAD, not ENOEXEC.
  const ehdr = decodeEhdr(hdr)!;
  if (!isElfMagic(hdr) || !elf_check_arch(ehdr)) return fail(-ELIBBAD);
  const iphdrs = load_elf_phdrs(ehdr, file);
  if (typeof iphdrs === 'number') return fail(-ELIBBAD);
  return { file, ehdr, phdrs: iphdrs };
}

/** Step 5: PT_GNU_STACK decides the stack's exec bit; the last one wins. */
function executableStack(phdrs: Elf64_Phdr[]): number {
  let mode = EXSTACK_DEFAULT;
  for (const p of phdrs) if (p.p_type === PT_GNU_STACK) mode = p.p_flags & PF_X ? EXSTACK_ENABLE_X : EXSTACK_DISABLE_X;
  return mode;
}

function load_elf_binary(bprm: LinuxBinprm): number {
  // Steps 1-2: header checks on bprm->buf.
  const ehdr = decodeEhdr(bprm.buf);
  if (!ehdr || !isElfMagic(bprm.buf)) return -ENOEXEC;
  if (ehdr.e_type !== ET_EXEC && ehdr.e_type !== ET_DYN) return -ENOEXEC;
  if (!elf_check_arch(ehdr)) return -ENOEXEC;
  // Step 3: load_elf_phdrs; any failure is ENOEXEC here.
  const phdrs = load_elf_phdrs(ehdr, bprm.file!);
  if (typeof phdrs === 'number') return -ENOEXEC;
  const interp = loadInterpreter(bprm, phdrs);
  if (typeof interp === 'number') return interp;
  const executable_stack = executableStack(phdrs);
  // Step 8: the point of no return.
  const r = flush_old_exec(bprm);
  if (r < 0) { if (interp) release_exec_file(interp.file); return r; }
  const ret = loadAfterPointOfNoReturn(bprm, ehdr, phdrs, interp, executable_stack);
  if (interp) release_exec_file(interp.file);
  return ret;
}

function loadAfterPointOfNoReturn(
  bprm: LinuxBinprm, ehdr: Elf64_Ehdr, phdrs: Elf64_Phdr[], interp: Interp | null, executable_stack: number,
): number {
  const t = bprm.task;
  const k = bprm.kernel;
  // Step 9: before 5.8, no PT_GNU_STACK (or an executable one) implies READ_IMPLIES_EXEC.
  if (k.profile.readImpliesExecWithoutGnuStack && executable_stack !== EXSTACK_DISABLE_X) t.personality |= READ_IMPLIES_EXEC;
  setup_new_exec(bprm);
  install_exec_creds(bprm);
  let r = setup_arg_pages(bprm, STACK_TOP, executable_stack);
  if (r < 0) return r;
  const seg = mapSegments(bprm, ehdr, phdrs, !!interp);
  if (typeof seg === 'number') return seg;
  let entry = Number(ehdr.e_entry) + seg.load_bias;
  let interpLoadAddr = 0;
  if (interp) {
    const base = load_elf_interp(t, interp.ehdr, interp.file, seg.load_bias, interp.phdrs);
    if (base < 0) return base;
    interpLoadAddr = base;
    entry = base + Number(interp.ehdr.e_entry);
    traceNote(k, `interpreter loaded at 0x${base.toString(16)}`);
  }
  if (entry >= TASK_SIZE) return -EINVAL;
  set_binfmt(bprm, elf_format);
  // Step 18: the vDSO.
  const vdso = arch_setup_additional_pages(t.mm!);
  if (vdso < 0) return -ENOMEM;
  r = create_elf_tables(bprm, {
    phdr: seg.load_addr + Number(ehdr.e_phoff), phnum: ehdr.e_phnum, entry: Number(ehdr.e_entry) + seg.load_bias,
    interpLoadAddr, vdso, hwcap: k.engine.hwcap ?? DEFAULT_HWCAP,
    flags: 0,
  });
  if (r < 0) return r;
  const mm = t.mm!;
  mm.start_stack = bprm.p;
  finalize_exec(bprm);
  // start_thread: ELF_PLAT_INIT left every register zero; rip, rsp, rflags = IF.
  t.cpu!.setReg(RIP, BigInt(entry));
  t.cpu!.setReg(RSP, BigInt(bprm.p));
  return 0;
}

/**
 * Where an ET_DYN goes before its first PT_LOAD's vaddr is taken off
 * (Linux fs/binfmt_elf.c load_elf_binary, the ET_DYN branch; no ASLR).
 * A PIE with an interpreter goes at ELF_ET_DYN_BASE; a static-pie lets mmap
 * choose (0). Since 5.10 both honour the segments' p_align: the PIE's base
 * is rounded down to it, and a static-pie asking for more than a page finds
 * its place first (Linux maps total_size at 0 and unmaps it) and rounds
 * that down, so it can be mapped there with MAP_FIXED_NOREPLACE.
 */
function et_dyn_load_bias(bprm: LinuxBinprm, phdrs: Elf64_Phdr[], hasInterp: boolean, total_size: number): number {
  const alignment = bprm.kernel.profile.elfHonoursPAlign ? maximum_alignment(phdrs) : 0;
  if (hasInterp) return alignDown(ELF_ET_DYN_BASE, alignment);
  if (alignment <= ELF_MIN_ALIGN) return 0;
  const probe = bprm.task.mm!.get_unmapped_area(0, pageAlign(total_size));
  if (probe < 0) return -ENOMEM;
  return alignDown(probe, alignment);
}

interface Segments {
  load_bias: number;
  load_addr: number;
}

/** Step 14-16: map every PT_LOAD, then the bss and brk. */
function mapSegments(bprm: LinuxBinprm, ehdr: Elf64_Ehdr, phdrs: Elf64_Phdr[], hasInterp: boolean): Segments | number {
  const t = bprm.task;
  const mm = t.mm!;
  let elf_bss = 0; let elf_brk = 0; let bss_prot = 0;
  let start_code = Number.MAX_SAFE_INTEGER; let end_code = 0; let start_data = 0; let end_data = 0;
  let load_addr_set = false; let load_bias = 0; let load_addr = 0;
  // Once an earlier segment's bss was mapped brk-style, later segments may
  // overlap its last page: they are mapped MAP_FIXED, not MAP_FIXED_NOREPLACE.
  let replace = false;
  for (const ph of phdrs) {
    if (ph.p_type !== PT_LOAD) continue;
    if (elf_brk > elf_bss) {
      replace = true;
      // The previous segment had bss: map it and clear its last file page
      // (Linux ignores a failure to clear here).
      const rb = set_brk(mm, elf_bss + load_bias, elf_brk + load_bias, bss_prot);
      if (rb < 0) return rb;
      padzero(mm, elf_bss + load_bias, elf_brk - elf_bss);
    }
    const prot = make_prot(ph.p_flags);
    const vaddr = Number(ph.p_vaddr);
    let fixed = ehdr.e_type === ET_EXEC || load_addr_set;
    let total_size = 0;
    if (!fixed && ehdr.e_type === ET_DYN) {
      total_size = total_mapping_size(phdrs);
      if (!total_size) return -EINVAL;
      const placed = et_dyn_load_bias(bprm, phdrs, hasInterp, total_size);
      if (placed < 0) return placed;
      fixed = hasInterp || placed !== 0;
      load_bias = pageStart(placed - vaddr);
    }
    const mapped = elf_map(t, bprm.file!, load_bias + vaddr, ph, prot, fixed ? (replace ? 'replace' : 'noreplace') : 'hint', total_size);
    if (mapped < 0 || mapped >= TASK_SIZE) return mapped < 0 ? mapped : -EINVAL;
    if (!load_addr_set) {
      load_addr_set = true;
      load_addr = vaddr - Number(ph.p_offset);
      if (ehdr.e_type === ET_DYN) {
        load_bias += mapped - pageStart(load_bias + vaddr);
        load_addr += load_bias;
      }
    }
    if (ph.p_vaddr > BigInt(TASK_SIZE) || ph.p_filesz > ph.p_memsz || ph.p_memsz > BigInt(TASK_SIZE) ||
        BigInt(TASK_SIZE) - ph.p_memsz < ph.p_vaddr) return -EINVAL;
    start_code = Math.min(start_code, vaddr);
    start_data = Math.max(start_data, vaddr);
    const fileEnd = vaddr + Number(ph.p_filesz);
    elf_bss = Math.max(elf_bss, fileEnd);
    if (ph.p_flags & PF_X) end_code = Math.max(end_code, fileEnd);
    end_data = Math.max(end_data, fileEnd);
    const memEnd = vaddr + Number(ph.p_memsz);
    if (memEnd > elf_brk) { bss_prot = prot; elf_brk = memEnd; }
  }
  elf_bss += load_bias; elf_brk += load_bias;
  const rb = set_brk(mm, elf_bss, elf_brk, bss_prot);
  if (rb < 0) return rb;
  if (elf_bss !== elf_brk && padzero(mm, elf_bss, Number.MAX_SAFE_INTEGER) < 0) return -EFAULT;
  Object.assign(mm, {
    start_code: start_code + load_bias, end_code: end_code + load_bias,
    start_data: start_data + load_bias, end_data: end_data + load_bias,
  });
  traceNote(bprm.kernel, `segments mapped: load_bias 0x${load_bias.toString(16)}, brk 0x${mm.brk.toString(16)}`);
  return { load_bias, load_addr };
}


export const elf_format: LinuxBinfmt = {
  name: 'binfmt_elf',
  module: null,
  load_binary: load_elf_binary,
  load_shlib: null,
  core_dump: null,
  min_coredump: ELF_MIN_ALIGN,
};
