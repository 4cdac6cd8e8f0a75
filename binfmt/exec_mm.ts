/**
 * The steps of exec that handlers call: Linux 4.18 fs/exec.c open_exec,
 * prepare_binprm, flush_old_exec (the point of no return),
 * setup_new_exec, setup_arg_pages, install_exec_creds, finalize_exec,
 * would_dump, bprm_change_interp, set_binfmt, read_code.
 */

import { EACCES, EBADF, EFAULT, EINVAL, ELOOP, ENOMEM, ETXTBSY } from '../abi/errno.js';
import { AT_EMPTY_PATH, AT_EXECVE_CHECK, AT_FDCWD, AT_SYMLINK_NOFOLLOW, O_LARGEFILE, O_RDONLY, S_ISGID, S_ISUID, S_IXGRP } from '../abi/fcntl.js';
import { PROT_EXEC, PROT_READ, PROT_WRITE } from '../abi/mman.js';
import { READ_IMPLIES_EXEC } from '../abi/process.js';
import { TASK_COMM_LEN } from '../abi/limits.js';
import { File, FMODE_EXEC, FMODE_READ, fput, get_file } from '../kernel/fs/file.js';
import { inode_permission, MAY_EXEC, MAY_READ, path_lookupat } from '../kernel/fs/namei.js';
import type { Kernel } from '../kernel/kernel.js';
import { type MmStruct, pageAlignDown, STACK_TOP } from '../kernel/mm/mm_struct.js';
import { VM_GROWSDOWN } from '../kernel/mm/vma.js';
import { copy_to_user } from '../kernel/mm/uaccess.js';
import { de_thread, mm_release } from '../kernel/fork.js';
import { flush_signal_handlers } from '../kernel/signal.js';
import { dirfdStart } from '../kernel/syscalls/sys_fs.js';
import type { Task } from '../kernel/task.js';
import { BINPRM_FLAGS_ENFORCE_NONDUMP, EXSTACK_DISABLE_X, EXSTACK_ENABLE_X, type LinuxBinfmt, type LinuxBinprm } from './binprm.js';
import { traceNote } from './trace_exec.js';


/**
 * Linux 4.18 fs/exec.c do_open_execat(): open for exec with its checks, in
 * Linux's order: flags (EINVAL), the walk and exec permission, then not a
 * regular file (EACCES), a noexec mount (EACCES), open for writing (ETXTBSY).
 *
 * 4.18 made the S_ISREG and noexec checks after opening the file; 5.8 moved
 * them into may_open() (633fb6ac3980, 0fd338b2d2cd). The errnos are the
 * same; what differs is that 4.18's open of a FIFO for exec waited for a
 * writer first (the deadlock 73601ea5b7b1 fixed). kemu checks before any
 * open under both profiles: like the refcount underflow of
 * fork_usermode_blob, a 4.18 bug is not reproduced.
 */
export function do_open_execat(t: Task, fd: number, name: string, flags: number): File | number {
  const known = AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | (t.kernel.profile.execveCheck ? AT_EXECVE_CHECK : 0);
  if (flags & ~known) return -EINVAL;
  let inode;
  let dentry = null;
  let path = name;
  if (name === '' && (flags & AT_EMPTY_PATH)) {
    const f = t.files.get(fd);
    if (!f) return -EBADF;
    inode = f.f_inode;
    dentry = f.f_dentry;
    path = f.f_path;
  } else {
    const start = dirfdStart(t, fd, name);
    if (typeof start === 'number') return start;
    const d = path_lookupat(t.fs, start, name, { follow: !(flags & AT_SYMLINK_NOFOLLOW), cred: t.cred });
    if (typeof d === 'number') return d;
    if (d.d_inode.isLink) return -ELOOP;
    inode = d.d_inode;
    dentry = d;
    path = d.path();
  }
  const perm = inode_permission(inode, MAY_EXEC, t.cred);
  if (perm < 0) return perm;
  if (!inode.isReg) return -EACCES;
  if (inode.i_sb.noexec) return -EACCES;
  if (inode.i_writecount > 0) return -ETXTBSY;
  inode.i_writecount--; // deny_write_access
  return new File(inode, O_RDONLY | O_LARGEFILE, FMODE_READ | FMODE_EXEC, path, dentry);
}

/** Linux fs/exec.c open_exec(): an interpreter by path, from the cwd. */
export function open_exec(t: Task, name: string): File | number {
  return do_open_execat(t, AT_FDCWD, name, 0);
}

/** Linux allow_write_access + fput: release a file open_exec returned. */
export function release_exec_file(f: File): void {
  f.f_inode.i_writecount++;
  fput(f);
}

/** Linux fs/exec.c prepare_bprm_creds(): the credentials the new image will get. */
export function prepare_bprm_creds(bprm: LinuxBinprm): number {
  bprm.cred = { ...bprm.task.cred };
  return 0;
}

/**
 * Linux 4.18 fs/exec.c prepare_binprm(): set-id bits into the new creds
 * (bprm_fill_uid), then the first BINPRM_BUF_SIZE bytes of the file into
 * bprm->buf, zero-padded.
 */
export function prepare_binprm(bprm: LinuxBinprm): number {
  const inode = bprm.file!.f_inode;
  const cred = bprm.cred!;
  cred.euid = cred.fsuid = bprm.task.cred.euid;
  cred.egid = cred.fsgid = bprm.task.cred.egid;
  if (inode.i_mode & S_ISUID) cred.euid = cred.fsuid = inode.i_uid;
  if ((inode.i_mode & (S_ISGID | S_IXGRP)) === (S_ISGID | S_IXGRP)) cred.egid = cred.fsgid = inode.i_gid;
  bprm.secureexec ||= cred.euid !== cred.uid || cred.egid !== cred.gid;
  bprm.called_set_creds = true;
  bprm.buf.fill(0);
  const n = bprm.file!.pread(bprm.buf, 0);
  return n < 0 ? n : 0;
}

/** Linux fs/exec.c would_dump(): a file the caller cannot read makes the process non-dumpable. */
export function would_dump(bprm: LinuxBinprm, file: File): void {
  if (inode_permission(file.f_inode, MAY_READ, bprm.task.cred) < 0) bprm.interp_flags |= BINPRM_FLAGS_ENFORCE_NONDUMP;
}

/** Linux fs/exec.c bprm_change_interp(): the binary really executed changes (script, misc). */
export function bprm_change_interp(interp: string, bprm: LinuxBinprm): number {
  bprm.interp = interp;
  return 0;
}

/** Linux fs/exec.c set_binfmt(): remember which format the mm came from (for core dumps). */
export function set_binfmt(bprm: LinuxBinprm, fmt: LinuxBinfmt): void {
  binfmtOfTask.set(bprm.task, fmt);
}
const binfmtOfTask = new WeakMap<Task, LinuxBinfmt>();

/** Linux fs/exec.c read_code(): read file bytes straight into user memory. */
export function read_code(t: Task, file: File, addr: number, pos: number, len: number): number {
  const buf = new Uint8Array(len);
  const n = file.pread(buf, pos);
  if (n < 0) return n;
  return copy_to_user(t.mm!, addr, buf.subarray(0, n)) ? n : -EFAULT;
}

/**
 * Linux 4.18 fs/exec.c flush_old_exec(): the point of no return. The task
 * drops its old address space for bprm->mm (exec_mmap), gets a fresh CPU,
 * closes its close-on-exec descriptors; bprm->mm becomes NULL, so that any
 * later failure kills the task instead of returning to the old image.
 */
export function flush_old_exec(bprm: LinuxBinprm): number {
  const t = bprm.task;
  const k = bprm.kernel;
  const r = de_thread(k, t);
  if (r < 0) return r;
  set_mm_exe_file(t, bprm.file!);
  exec_mmap(k, t, bprm.mm!);
  bprm.mm = null;
  traceNote(k, 'point of no return: old mm released, bprm->mm = NULL');
  t.personality &= ~bprm.per_clear;
  t.files.closeOnExec();
  return 0;
}

function set_mm_exe_file(t: Task, file: File): void {
  if (t.exe_file) release_exec_file(t.exe_file);
  file.f_inode.i_writecount--; // the running image stays write-denied (VM_DENYWRITE)
  t.exe_file = get_file(file);
  t.exe_path = file.f_path;
}

function exec_mmap(k: Kernel, t: Task, mm: MmStruct): void {
  const old = t.mm;
  mm_release(k, t, old); // a vfork parent waiting for this exec wakes up
  if (old && t.cpu) old.detachCpu(t.cpu);
  t.cpu?.dispose();
  t.cpu = k.engine.createCpu();
  mm.attachCpu(t.cpu);
  t.mm = mm;
  old?.release();
}

/**
 * Linux 4.18 fs/exec.c setup_new_exec(): comm from the filename's basename
 * (15 bytes), signal handlers back to SIG_DFL with SIG_IGN kept, no
 * alternate signal stack.
 */
export function setup_new_exec(bprm: LinuxBinprm): void {
  const t = bprm.task;
  // Linux kbasename(bprm->filename); 6.14+ takes the dentry's name for execveat(fd, "", AT_EMPTY_PATH).
  const from = bprm.comm_from_dentry && bprm.file?.f_dentry ? bprm.file.f_dentry.d_name : bprm.filename;
  const base = from.slice(from.lastIndexOf('/') + 1);
  t.comm = base.slice(0, TASK_COMM_LEN - 1);
  flush_signal_handlers(t.sighand, false);
  t.sas_ss_sp = 0;
  t.sas_ss_size = 0;
}

/** Linux fs/exec.c install_exec_creds(): the new credentials take effect. */
export function install_exec_creds(bprm: LinuxBinprm): void {
  if (bprm.cred) bprm.task.cred = bprm.cred;
}

/** Linux fs/exec.c finalize_exec(): the RLIMIT_STACK the exec used is written back. */
export function finalize_exec(bprm: LinuxBinprm): void {
  bprm.task.rlimStack = bprm.rlim_stack.rlim_cur;
}

/** Linux fs/exec.c setup_arg_pages: the stack may grow 128 KiB below the arguments at once. */
const STACK_EXPAND = 128 * 1024;

/**
 * Linux 4.18 fs/exec.c setup_arg_pages(): turn the argument area into the
 * stack VMA at its final place with its final protection. Without stack
 * randomisation stack_top is STACK_TOP = STACK_TOP_MAX, so nothing moves.
 * The stack starts 128 KiB below the arguments (or at RLIMIT_STACK if
 * that is less) and grows on faults below it (MmStruct.expand_stack), so
 * memory is committed as the guest uses it, as on Linux.
 */
export function setup_arg_pages(bprm: LinuxBinprm, stack_top: number, executable_stack: number): number {
  const mm = bprm.task.mm!;
  if (stack_top !== STACK_TOP) return -EINVAL;
  let prot = PROT_READ | PROT_WRITE;
  if (executable_stack === EXSTACK_ENABLE_X ||
      (executable_stack !== EXSTACK_DISABLE_X && (bprm.task.personality & READ_IMPLIES_EXEC))) prot |= PROT_EXEC;
  const argStart = pageAlignDown(bprm.p);
  const rlim = pageAlignDown(Math.min(bprm.rlim_stack.rlim_cur, STACK_TOP));
  // Linux: stack_base = vm_end - rlim_stack if the arguments plus stack_expand would pass it, else vm_start - stack_expand.
  const base = (STACK_TOP - argStart) + STACK_EXPAND > rlim ? STACK_TOP - rlim : argStart - STACK_EXPAND;
  if (base < 0x10000) return -ENOMEM;
  mm.stack_rlim = rlim;
  const vma = mm.mapFixed({ start: base, len: STACK_TOP - base, prot, vm_flags: VM_GROWSDOWN, name: '[stack]' });
  if (!vma) return -ENOMEM;
  // argArea ends at STACK_TOP and may start below the stack (it grows by doubling): copy what the stack holds.
  const from = Math.max(bprm.argBase, base);
  vma.host.set(bprm.argArea.subarray(from - bprm.argBase), from - base);
  mm.start_stack = bprm.p;
  return 0;
}
