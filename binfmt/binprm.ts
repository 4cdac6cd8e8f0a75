/**
 * struct linux_binprm and struct linux_binfmt: Linux 4.18
 * include/linux/binfmts.h (the seed), field for field.
 *
 * A LinuxBinprm holds everything one execve carries from the caller to the
 * handler that finally loads the program: the first bytes of the file, the
 * new address space being built, the argument strings already copied into
 * it, and the names (filename, interp) that handlers rewrite.
 */

import type { Cred } from '../kernel/fs/namei.js';
import type { File } from '../kernel/fs/file.js';
import type { Kernel } from '../kernel/kernel.js';
import type { MmStruct } from '../kernel/mm/mm_struct.js';
import type { Task } from '../kernel/task.js';

/** Linux include/linux/binfmts.h interp_flags bits. */
export const BINPRM_FLAGS_ENFORCE_NONDUMP = 1 << 0;
export const BINPRM_FLAGS_EXECFD = 1 << 1;
export const BINPRM_FLAGS_PATH_INACCESSIBLE = 1 << 2;

/** Linux include/linux/binfmts.h: stack protections setup_arg_pages is asked for. */
export const EXSTACK_DEFAULT = 0;
export const EXSTACK_DISABLE_X = 1;
export const EXSTACK_ENABLE_X = 2;

export interface RLimit {
  rlim_cur: number;
  rlim_max: number;
}

export class LinuxBinprm {
  /** The first BINPRM_BUF_SIZE bytes of the file (128 in 4.18, 256 since 5.1), zero-padded. */
  buf: Uint8Array;
  /** The new address space; null once flush_old_exec passed the point of no return. */
  mm: MmStruct | null = null;
  /** The argument area's current top (strings are pushed downwards from STACK_TOP). */
  p = 0;
  /** True after the bprm_set_creds hook has run once (prepare_binprm may run again for scripts). */
  called_set_creds = false;
  /** The most recent bprm_set_creds raised privileges. */
  cap_elevated = false;
  /** A privilege-gaining exec: AT_SECURE for the libc. */
  secureexec = false;
  /** Only for search_binary_handler: how many handlers deep this exec is. */
  recursion_depth = 0;
  /** The file being loaded (replaced by an interpreter as handlers rewrite). */
  file: File | null = null;
  /** The new credentials. */
  cred: Cred | null = null;
  /** LSM_UNSAFE_* mask (ptrace, no_new_privs, shared fs). */
  unsafe = 0;
  /** Bits to clear in current->personality. */
  per_clear = 0;
  argc = 0;
  envc = 0;
  /** Name of the binary as seen by procps; source of AT_EXECFN and comm. */
  filename = '';
  /** The binary really executed: filename, or what binfmt_script/misc rewrote it to. */
  interp = '';
  interp_flags = 0;
  /** For BINPRM_FLAGS_EXECFD: the fd number passed as AT_EXECFD. */
  interp_data = 0;
  /** binfmt_misc/script bookkeeping address and the user address of the copied filename (AT_EXECFN). */
  loader = 0;
  exec = 0;
  /** RLIMIT_STACK as it was when exec began. */
  rlim_stack: RLimit = { rlim_cur: 8 << 20, rlim_max: Number.MAX_SAFE_INTEGER };

  // What kemu keeps beside Linux's fields. Linux reaches the kernel and the
  // task through globals (`current`); here the bprm carries them.
  readonly kernel: Kernel;
  /** The task doing the exec (Linux `current`). */
  readonly task: Task;
  /** Linux 6.14+: comm comes from the file's dentry (execveat with AT_EMPTY_PATH); used by the 6.18 profile. */
  comm_from_dentry = false;
  // Linux keeps the argument strings in the temporary stack VMA's pages:
  /** The argument area being built, top-down: strings live at argArea[p - argBase ...]. */
  argArea: Uint8Array = new Uint8Array(0);
  /** The address argArea[0] corresponds to. */
  argBase = 0;

  constructor(kernel: Kernel, task: Task) {
    this.kernel = kernel;
    this.task = task;
    this.buf = new Uint8Array(kernel.profile.binprmBufSize);
  }
}

/**
 * struct linux_binfmt: one executable format. `load_binary` returns 0, or
 * -ENOEXEC for "not mine, try the next handler", or another -errno that ends
 * the search.
 */
export interface LinuxBinfmt {
  readonly name: string;
  /** The owning module's name, or null for built-in formats. */
  readonly module: string | null;
  load_binary(bprm: LinuxBinprm): number;
  load_shlib: ((file: File) => number) | null;
  core_dump: ((cprm: unknown) => number) | null;
  min_coredump: number;
}
