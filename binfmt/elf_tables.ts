/**
 * The initial stack of a new image: Linux 4.18 fs/binfmt_elf.c
 * create_elf_tables() for x86-64 (reference 1.7).
 *
 * Going down from the argument strings: the platform string "x86_64", 16
 * random bytes (AT_RANDOM), then, 16-byte aligned so that rsp points at it,
 * argc, argv[] and NULL, envp[] and NULL, and the auxv pairs.
 */

import { get_random_bytes } from '../kernel/random.js';
import { EFAULT } from '../abi/errno.js';
import * as AT from '../abi/auxv.js';
import { MAX_ARG_STRLEN } from '../abi/limits.js';
import { STACK_TOP } from '../kernel/mm/mm_struct.js';
import { copy_to_user, strncpy_from_user } from '../kernel/mm/uaccess.js';
import { BINPRM_FLAGS_EXECFD, type LinuxBinprm } from './binprm.js';
import { traceNote } from './trace_exec.js';

/** Linux arch/x86/include/asm/elf.h ELF_PLATFORM. */
const ELF_PLATFORM = 'x86_64';

export interface ElfTableInfo {
  /** AT_PHDR = load_addr + e_phoff. */
  phdr: number;
  phnum: number;
  /** AT_ENTRY: the program's entry (with load_bias), not the interpreter's. */
  entry: number;
  /** AT_BASE: the interpreter's load address, or 0. */
  interpLoadAddr: number;
  /** AT_SYSINFO_EHDR: the vDSO, or 0 when none is mapped (as with vdso=0). */
  vdso: number;
  hwcap: number;
  /** AT_FLAGS (AT_FLAGS_PRESERVE_ARGV0 from binfmt_misc P in later kernels). */
  flags: number;
}

/** Linux include/uapi/linux/auxvec.h AT_MINSIGSTKSZ value on this machine's kernel for a no-AVX-512 frame. */
const MINSIGSTKSZ_X86 = 2048;

function auxvPairs(bprm: LinuxBinprm, info: ElfTableInfo, uPlatform: number, uRandom: number): number[] {
  const c = bprm.cred!;
  const prof = bprm.kernel.profile;
  const v: number[] = [];
  const add = (k: number, val: number): void => { v.push(k, val); };
  // ARCH_DLINFO first: the vDSO, and since 5.14 AT_MINSIGSTKSZ.
  if (info.vdso) add(AT.AT_SYSINFO_EHDR, info.vdso);
  if (prof.auxvRseqAndMinsigstksz) add(AT.AT_MINSIGSTKSZ, MINSIGSTKSZ_X86);
  add(AT.AT_HWCAP, info.hwcap);
  add(AT.AT_PAGESZ, 4096);
  add(AT.AT_CLKTCK, 100);
  add(AT.AT_PHDR, info.phdr);
  add(AT.AT_PHENT, 56);
  add(AT.AT_PHNUM, info.phnum);
  add(AT.AT_BASE, info.interpLoadAddr);
  add(AT.AT_FLAGS, info.flags);
  add(AT.AT_ENTRY, info.entry);
  add(AT.AT_UID, c.uid);
  add(AT.AT_EUID, c.euid);
  add(AT.AT_GID, c.gid);
  add(AT.AT_EGID, c.egid);
  add(AT.AT_SECURE, bprm.secureexec ? 1 : 0);
  add(AT.AT_RANDOM, uRandom);
  add(AT.AT_HWCAP2, 0);
  add(AT.AT_EXECFN, bprm.exec);
  add(AT.AT_PLATFORM, uPlatform);
  if (bprm.interp_flags & BINPRM_FLAGS_EXECFD) add(AT.AT_EXECFD, bprm.interp_data);
  // Linux 6.3+: the rseq area's feature size and alignment.
  if (prof.auxvRseqAndMinsigstksz) { add(AT.AT_RSEQ_FEATURE_SIZE, 32); add(AT.AT_RSEQ_ALIGN, 32); }
  add(AT.AT_NULL, 0);
  return v;
}

/**
 * Write the tables below bprm->p and leave bprm->p pointing at argc.
 * Returns 0 or -EFAULT (past the point of no return: the caller's task dies).
 */
export function create_elf_tables(bprm: LinuxBinprm, info: ElfTableInfo): number {
  const mm = bprm.task.mm!;
  // arch_align_stack without randomisation: align down to 16.
  let p = bprm.p - (bprm.p % 16);
  p -= ELF_PLATFORM.length + 1;
  const uPlatform = p;
  if (!copy_to_user(mm, p, new Uint8Array(Buffer.from(ELF_PLATFORM + '\0', 'latin1')))) return -EFAULT;
  const random = new Uint8Array(16);
  get_random_bytes(random);
  p -= 16;
  const uRandom = p;
  if (!copy_to_user(mm, p, random)) return -EFAULT;
  const auxv = auxvPairs(bprm, info, uPlatform, uRandom);
  const items = (bprm.argc + 1) + (bprm.envc + 1) + 1;
  const spRaw = p - auxv.length * 8 - items * 8;
  const sp = spRaw - (spRaw % 16); // addresses exceed 2^32: no JS bit operators here
  const words: number[] = [bprm.argc];
  // The strings start at bprm->p as copy_strings left them: argv, then envp.
  let str = bprm.p;
  const walk = (n: number): number => {
    for (let i = 0; i < n; i++) {
      words.push(str);
      const at = str - bprm.argBase;
      const nul = bprm.argArea.indexOf(0, at);
      const len = nul - at + 1;
      if (nul < 0 || len > MAX_ARG_STRLEN) return -EFAULT;
      str += len;
    }
    words.push(0);
    return 0;
  };
  mm.arg_start = str;
  if (walk(bprm.argc) < 0) return -EFAULT;
  mm.arg_end = mm.env_start = str;
  if (walk(bprm.envc) < 0) return -EFAULT;
  mm.env_end = str;
  words.push(...auxv);
  const out = new Uint8Array(words.length * 8);
  const dv = new DataView(out.buffer);
  words.forEach((w, i) => dv.setBigUint64(i * 8, BigInt(w), true));
  if (!copy_to_user(mm, sp, out)) return -EFAULT;
  mm.saved_auxv = auxv;
  bprm.p = sp;
  if (bprm.kernel.tracer.enabled('exec')) traceStack(bprm, sp, words, auxv);
  return 0;
}

/** For --trace exec: the stack as the new image will find it, with argv, envp and the auxv by name. */
function traceStack(bprm: LinuxBinprm, sp: number, words: number[], auxv: number[]): void {
  const k = bprm.kernel;
  const mm = bprm.task.mm!;
  const str = (addr: number): string => {
    const s = strncpy_from_user(mm, addr, 256);
    return s instanceof Uint8Array ? JSON.stringify(Buffer.from(s).toString('latin1')) : '?';
  };
  traceNote(k, `stack: rsp 0x${sp.toString(16)} -> argc ${bprm.argc}; strings 0x${mm.arg_start.toString(16)}..0x${(STACK_TOP - 8).toString(16)}`);
  for (let i = 0; i < bprm.argc; i++) traceNote(k, `  argv[${i}] = ${str(words[1 + i]!)}`);
  for (let i = 0; i < bprm.envc; i++) traceNote(k, `  envp[${i}] = ${str(words[2 + bprm.argc + i]!)}`);
  for (let i = 0; i < auxv.length; i += 2) {
    const key = auxv[i]!;
    const v = auxv[i + 1]!;
    const shown = key === AT.AT_EXECFN || key === AT.AT_PLATFORM ? str(v) : `0x${v.toString(16)}`;
    traceNote(k, `  auxv ${AT.auxvName(key)} = ${shown}`);
  }
}
