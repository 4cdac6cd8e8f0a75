/**
 * The exec entry points: Linux 4.18 fs/exec.c do_execve, do_execveat,
 * do_execve_file, all thin wrappers over one worker, __do_execve_file,
 * whose steps are numbered as in ../shared/reference/linux-exec-path.md 1.3.
 */

import { ENOENT } from '../abi/errno.js';
import { AT_EXECVE_CHECK, AT_FDCWD } from '../abi/fcntl.js';
import { RIP } from '../emulator/regs.js';
import type { File } from '../kernel/fs/file.js';
import { latin1Bytes } from '../kernel/fs/namei.js';
import type { Kernel } from '../kernel/kernel.js';
import { MmStruct, STACK_TOP } from '../kernel/mm/mm_struct.js';
import type { Task } from '../kernel/task.js';
import { BINPRM_FLAGS_PATH_INACCESSIBLE, LinuxBinprm } from './binprm.js';
import { type ArgSource, copy_strings, copy_strings_kernel, count } from './exec_args.js';
import { do_open_execat, prepare_binprm, prepare_bprm_creds, release_exec_file, would_dump } from './exec_mm.js';
import { search_binary_handler } from './formats.js';
import { traced, traceEnter, traceLeave, traceNote } from './trace_exec.js';

/** A path, or an errno from getname (EFAULT, ENAMETOOLONG, ENOENT), or null for do_execve_file. */
export type Filename = string | number | null;

/**
 * Linux 4.18 __do_execve_file(): the one worker behind every exec.
 * Returns 0 (the task now runs the new image) or -errno (before the point
 * of no return: the caller's image is untouched; after it: the task has
 * been sent SIGSEGV).
 */
export function __do_execve_file(
  k: Kernel, t: Task, fd: number, filename: Filename, argv: ArgSource, envp: ArgSource, flags: number, file: File | null,
): number {
  traceEnter(k, file ? 'do_execve_file' : fd === AT_FDCWD && !flags ? 'do_execve' : 'do_execveat',
    { filename: typeof filename === 'string' ? filename : filename === null ? null : undefined });
  const r = execveWorker(k, t, fd, filename, argv, envp, flags, file);
  traceLeave(k, r);
  return r;
}

function execveWorker(
  k: Kernel, t: Task, fd: number, filename: Filename, argv: ArgSource, envp: ArgSource, flags: number, passed: File | null,
): number {
  // 1. A getname() failure arrives as an error value.
  if (typeof filename === 'number') return filename;
  // 4. bprm; 5. prepare_bprm_creds.
  const bprm = new LinuxBinprm(k, t);
  prepare_bprm_creds(bprm);
  t.in_execve = true;
  // 7. Open the file, unless the caller (do_execve_file) passed one: then
  // every check do_open_execat makes is skipped, as in Linux 4.18.
  let file: File;
  if (passed) {
    file = passed;
    file.f_inode.i_writecount--; // deny_write_access + get_file: the 4.18 refcount fix
    file.f_count++;
  } else {
    traceEnter(k, 'do_open_execat', { filename });
    const f = do_open_execat(t, fd, filename!, flags);
    traceLeave(k, typeof f === 'number' ? f : 0);
    if (typeof f === 'number') { t.in_execve = false; return f; }
    file = f;
  }
  bprm.file = file;
  // 9. The name procps shows.
  bprm.filename = bprmFilename(t, fd, filename, bprm);
  bprm.interp = bprm.filename;
  // 10. bprm_mm_init: the new mm and the argument area at the top of the stack.
  const err = execSetup(k, t, bprm, argv, envp);
  if (err < 0) return execFail(t, bprm, err);
  // Linux 6.14+ bprm_execve(): with AT_EXECVE_CHECK (bprm->is_check) every
  // check has been made (open, permission, the strings); nothing is run.
  if (flags & AT_EXECVE_CHECK) return execFail(t, bprm, 0);
  // 16. exec_binprm -> search_binary_handler.
  const ret = search_binary_handler(bprm);
  if (ret < 0) return execFail(t, bprm, ret);
  // 17. Success.
  t.in_execve = false;
  freeBprm(bprm);
  traceNote(k, `exec done: comm "${t.comm}", entry 0x${t.cpu!.getReg(RIP).toString(16)}`);
  return 0;
}

function bprmFilename(t: Task, fd: number, filename: string | null, bprm: LinuxBinprm): string {
  if (filename === null) return 'none';
  if (fd === AT_FDCWD || filename.startsWith('/')) return filename;
  const name = filename === '' ? `/dev/fd/${fd}` : `/dev/fd/${fd}/${filename}`;
  if (filename === '' && bprm.kernel.profile.commFromDentryForEmptyPath) bprm.comm_from_dentry = true;
  // Linux: a script exec'd through a close-on-exec fd cannot reopen itself by this name.
  if (t.files.getCloexec(fd)) bprm.interp_flags |= BINPRM_FLAGS_PATH_INACCESSIBLE;
  return name;
}

/** Steps 10-15: new mm, count and copy the strings, read the file's first bytes. */
function execSetup(k: Kernel, t: Task, bprm: LinuxBinprm, argv: ArgSource, envp: ArgSource): number {
  bprm.mm = new MmStruct();
  bprm.rlim_stack = { rlim_cur: t.rlimStack, rlim_max: Number.MAX_SAFE_INTEGER };
  bprm.p = STACK_TOP - 8; // Linux: vm_end - sizeof(void *), the top word stays zero
  bprm.argArea = new Uint8Array(4096);
  bprm.argBase = STACK_TOP - 4096;
  // 11. count(argv), count(envp); a NULL array counts as zero strings.
  const argc = count(argv);
  if (argc < 0) return argc;
  bprm.argc = argc;
  const envc = count(envp);
  if (envc < 0) return envc;
  bprm.envc = envc;
  // 12. prepare_binprm: creds and bprm->buf.
  let r = traced(k, 'prepare_binprm', () => prepare_binprm(bprm));
  if (r < 0) return r;
  // 13. The filename first (AT_EXECFN), then envp, then argv.
  r = copy_strings_kernel(1, [latin1Bytes(bprm.filename)], bprm);
  if (r < 0) return r;
  bprm.exec = bprm.p;
  r = copy_strings(bprm.envc, envp, bprm);
  if (r < 0) return r;
  r = copy_strings(bprm.argc, argv, bprm);
  if (r < 0) return r;
  // Linux 5.18 fs/exec.c: an empty argv becomes { "" } so argv[0] is never NULL.
  if (bprm.argc === 0 && k.profile.emptyArgvBecomesEmptyString) {
    r = copy_strings_kernel(1, [new Uint8Array(0)], bprm);
    if (r < 0) return r;
    bprm.argc = 1;
    k.log(`process '${bprm.filename}' launched '${bprm.filename}' with NULL argv: empty string added`);
  }
  // 15.
  would_dump(bprm, bprm.file!);
  return 0;
}

function execFail(t: Task, bprm: LinuxBinprm, err: number): number {
  // 18. Before the point of no return the new mm is simply dropped.
  bprm.mm?.release();
  bprm.mm = null;
  t.in_execve = false;
  freeBprm(bprm);
  return err;
}

/** Linux free_bprm: allow_write_access + fput of the file (and of a rewritten interpreter). */
function freeBprm(bprm: LinuxBinprm): void {
  if (bprm.file) release_exec_file(bprm.file);
  bprm.file = null;
}

/** Linux do_execve: exec `filename` relative to the cwd. */
export function do_execve(k: Kernel, t: Task, filename: Filename, argv: ArgSource, envp: ArgSource): number {
  return __do_execve_file(k, t, AT_FDCWD, filename, argv, envp, 0, null);
}

/** Linux do_execveat: exec relative to a dirfd, with AT_EMPTY_PATH / AT_SYMLINK_NOFOLLOW. */
export function do_execveat(k: Kernel, t: Task, fd: number, filename: Filename, argv: ArgSource, envp: ArgSource, flags: number): number {
  return __do_execve_file(k, t, fd, filename, argv, envp, flags, null);
}

/**
 * Linux 4.18 do_execve_file (kernel only, added for fork_usermode_blob):
 * exec an already open file with kernel argv/envp; filename "none", no
 * path walk, none of do_open_execat's checks.
 */
export function do_execve_file(k: Kernel, t: Task, file: File, argv: readonly Uint8Array[] | null, envp: readonly Uint8Array[] | null): number {
  const src = (s: readonly Uint8Array[] | null): ArgSource => (s ? { kind: 'kernel', strings: s } : null);
  return __do_execve_file(k, t, AT_FDCWD, null, src(argv), src(envp), 0, file);
}

/** Linux kernel_execve-style start of a first program from the kernel (as run_init_process does). */
export function kernel_execve(k: Kernel, t: Task, filename: string, argv: readonly Uint8Array[], envp: readonly Uint8Array[]): number {
  if (filename === '') return -ENOENT;
  return do_execve(k, t, filename, { kind: 'kernel', strings: argv }, { kind: 'kernel', strings: envp });
}
