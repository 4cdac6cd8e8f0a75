/**
 * User-mode helpers: Linux 4.18 kernel/umh.c (call_usermodehelper_setup,
 * call_usermodehelper_setup_file, call_usermodehelper_exec,
 * call_usermodehelper_exec_async, umh_pipe_setup, fork_usermode_blob) and
 * include/linux/umh.h. Steps are numbered as in
 * ../shared/reference/linux-exec-path.md 4.2.
 *
 * kemu runs on one thread, so the work item Linux queues on
 * system_unbound_wq, and the completion call_usermodehelper_exec waits on,
 * collapse into a call: with UMH_WAIT_EXEC the exec is over when
 * call_usermodehelper_exec returns, exactly what the caller sees in Linux.
 *
 * Two 4.18 bugs are NOT reproduced (the reference's "fixed semantics"):
 * do_execve_file takes its own reference and write denial on the file
 * ("umh: fix refcount underflow in fork_usermode_blob()", binfmt/exec.ts),
 * and a failed exec releases the pipes umh_pipe_setup made ("umh: fix
 * memory leak on execve failure", umh_clean_and_save_pid below).
 */

import { EAGAIN, EBUSY, EINVAL, ENOMEM } from '../abi/errno.js';
import { do_execve_file, kernel_execve } from '../binfmt/exec.js';
import { fput, get_file, type File } from '../kernel/fs/file.js';
import type { FilesStruct } from '../kernel/fs/fdtable.js';
import type { Kernel } from '../kernel/kernel.js';
import { do_exit } from '../kernel/exit.js';
import { create_pipe_files } from '../kernel/pipe/pipe.js';
import { flush_signal_handlers } from '../kernel/signal.js';
import type { Task } from '../kernel/task.js';
import { track_file } from './counts.js';
import { ensure_scheduler } from './kernel_io.js';
import { shmem_kernel_file_setup } from './shmem.js';
import { umh_trace } from './trace.js';

/** include/linux/umh.h wait modes. */
export const UMH_NO_WAIT = 0;
export const UMH_WAIT_EXEC = 1;
export const UMH_WAIT_PROC = 2;
export const UMH_KILLABLE = 4;

/**
 * Linux 4.18 struct umh_info: what fork_usermode_blob gives the module.
 * On success it owns both pipe ends (and must fput them) and the pid.
 */
export interface UmhInfo {
  /** The write end of the pipe to the helper's fd 0: the module writes requests here. */
  pipe_to_umh: File | null;
  /** The read end of the pipe from the helper's fd 1: the module reads replies here. */
  pipe_from_umh: File | null;
  /** The helper's pid (set even when its exec failed; 0 if it never got one). */
  pid: number;
}

export function new_umh_info(): UmhInfo {
  return { pipe_to_umh: null, pipe_from_umh: null, pid: 0 };
}

/** Linux struct subprocess_info (include/linux/umh.h), with 4.18's file and pid. */
export interface SubprocessInfo {
  /** What to exec: a path, or "none" when `file` is set. */
  path: string;
  argv: readonly Uint8Array[] | null;
  envp: readonly Uint8Array[] | null;
  /** 4.18: exec this open file instead of `path` (do_execve_file). */
  file: File | null;
  wait: number;
  retval: number;
  /** The child's pid, recorded before its exec. */
  pid: number;
  /** Runs in the child before the exec (Linux gets the new creds; kemu gives the child task). */
  init: ((info: SubprocessInfo, child: Task) => number) | null;
  /** Runs in the caller once the helper is launched or has failed. */
  cleanup: ((info: SubprocessInfo) => void) | null;
  data: unknown;
}

/**
 * Linux call_usermodehelper_setup(path, argv, envp, gfp, init, cleanup,
 * data): a subprocess_info for an exec by path.
 */
export function call_usermodehelper_setup(
  path: string, argv: readonly Uint8Array[] | null, envp: readonly Uint8Array[] | null,
  init: SubprocessInfo['init'], cleanup: SubprocessInfo['cleanup'], data: unknown,
): SubprocessInfo {
  return { path, argv, envp, file: null, wait: 0, retval: 0, pid: 0, init, cleanup, data };
}

/**
 * Linux 4.18 call_usermodehelper_setup_file(file, init, cleanup, data):
 * path "none", the file to exec, and no argv and no envp.
 */
export function call_usermodehelper_setup_file(
  file: File, init: SubprocessInfo['init'], cleanup: SubprocessInfo['cleanup'], data: unknown,
): SubprocessInfo {
  return { path: 'none', argv: null, envp: null, file, wait: 0, retval: 0, pid: 0, init, cleanup, data };
}

/** Linux usermodehelper_disabled: kernel/umh.c refuses helpers (EBUSY) until boot enables them, and while suspending. */
const disabled = new WeakSet<Kernel>();

/** Linux __usermodehelper_disable(UMH_DISABLED) (suspend, hibernation). */
export function usermodehelper_disable(k: Kernel): void { disabled.add(k); }

/** Linux usermodehelper_enable() (do_basic_setup, before the initcalls; a kemu kernel starts enabled). */
export function usermodehelper_enable(k: Kernel): void { disabled.delete(k); }

/**
 * Linux 4.18 call_usermodehelper_exec(sub_info, wait): start the helper
 * and, with UMH_WAIT_EXEC, return once its exec is over. Returns 0 or the
 * child's -errno (init or exec), -EBUSY when helpers are disabled, -EAGAIN
 * when no task can be made. The subprocess_info is consumed: its cleanup
 * runs before this returns (call_usermodehelper_freeinfo).
 *
 * kemu implements UMH_WAIT_EXEC, the mode of fork_usermode_blob and
 * fork_usermode_driver; the other modes give -EINVAL.
 */
export function call_usermodehelper_exec(k: Kernel, sub_info: SubprocessInfo, wait: number): number {
  let retval = 0;
  if (!sub_info.path) {
    call_usermodehelper_freeinfo(sub_info);
    return -EINVAL;
  }
  if (disabled.has(k)) {
    retval = -EBUSY;
  } else if (sub_info.path.length > 0) { // an empty path: "just return" (STATIC_USERMODEHELPER_PATH "")
    if ((wait & ~UMH_KILLABLE) !== UMH_WAIT_EXEC) {
      call_usermodehelper_freeinfo(sub_info);
      return -EINVAL;
    }
    sub_info.wait = wait;
    // queue_work(system_unbound_wq) + wait_for_completion(&done): done inline.
    call_usermodehelper_exec_work(k, sub_info);
    retval = sub_info.retval;
  }
  call_usermodehelper_freeinfo(sub_info);
  return retval;
}

/** Linux call_usermodehelper_freeinfo(): the cleanup callback, then kfree. */
function call_usermodehelper_freeinfo(info: SubprocessInfo): void {
  info.cleanup?.(info);
}

/**
 * Linux call_usermodehelper_exec_work(), the not-UMH_WAIT_PROC branch:
 * kernel_thread(call_usermodehelper_exec_async, CLONE_PARENT | SIGCHLD).
 * CLONE_PARENT makes kthreadd the parent, which ignores SIGCHLD: the
 * helper is reaped as soon as it exits (kemu: a task with no parent).
 */
function call_usermodehelper_exec_work(k: Kernel, sub_info: SubprocessInfo): void {
  // kernel/fork.c copy_process(): nr_threads >= max_threads -> -EAGAIN.
  if (k.tasks.size >= k.maxTasks) {
    sub_info.retval = -EAGAIN;
    umh_trace(k, 'fork_failed', { retval: -EAGAIN });
    return;
  }
  call_usermodehelper_exec_async(k, sub_info, k.createTask(null));
}

/**
 * Linux 4.18 call_usermodehelper_exec_async(), in the new child `t`:
 * every handler back to SIG_DFL (SIG_IGN too), nice 0 and full root
 * credentials (createTask's), the init callback, the pid recorded, then
 * the exec. A child whose init or exec failed calls do_exit(0).
 */
function call_usermodehelper_exec_async(k: Kernel, sub_info: SubprocessInfo, t: Task): void {
  flush_signal_handlers(t.sighand, true);
  let retval = 0;
  if (sub_info.init) retval = sub_info.init(sub_info, t);
  if (!retval) {
    sub_info.pid = t.pid; // task_pid_nr(current), before the exec
    retval = sub_info.file
      ? do_execve_file(k, t, sub_info.file, sub_info.argv, sub_info.envp)
      : kernel_execve(k, t, sub_info.path, sub_info.argv ?? [], sub_info.envp ?? []);
    umh_trace(k, 'exec', { fn: sub_info.file ? 'do_execve_file' : 'kernel_execve', pid: t.pid, retval, comm: t.comm });
  }
  sub_info.retval = retval;
  if (retval) {
    do_exit(k, t, 0);
    return;
  }
  const pid = t.pid;
  t.onExit.push((s) => umh_trace(k, 'exit', { pid, code: s.code, signal: s.signal }));
  k.wake_up_new_task(t);
  ensure_scheduler(k);
}

/**
 * Linux replace_fd(fd, file, 0): put `file` at `fd` with a reference of
 * its own (null closes `fd`). The caller keeps (and later drops) its own.
 */
export function replace_fd(files: FilesStruct, fd: number, file: File | null): number {
  if (!file) {
    files.close(fd); // Linux: replacing with NULL closes the fd, and cannot fail
    return 0;
  }
  return files.installAt(fd, get_file(file));
}

/** The two pipes of a helper: its fds 0 and 1, and the module's ends (shared by umh_pipe_setup and umd_setup). */
export interface HelperPipes {
  pipe_to_umh: File;
  pipe_from_umh: File;
}

/**
 * The body of Linux 4.18 umh_pipe_setup() (and 5.9 umd_setup()):
 * create_pipe_files(flags 0: blocking, not close-on-exec) twice; the read
 * end of the first becomes fd 0, the write end of the second fd 1; on any
 * failure everything made so far is undone. fd 2 is not set up.
 */
export function setup_helper_pipes(k: Kernel, t: Task): HelperPipes | number {
  const [to_r, to_w] = create_pipe_files(k, 0);
  track_file(k, to_r);
  track_file(k, to_w);
  let err = replace_fd(t.files, 0, to_r);
  fput(to_r);
  if (err < 0) {
    fput(to_w);
    return err;
  }
  const [from_r, from_w] = create_pipe_files(k, 0);
  track_file(k, from_r);
  track_file(k, from_w);
  err = replace_fd(t.files, 1, from_w);
  fput(from_w);
  if (err < 0) {
    fput(to_w);
    replace_fd(t.files, 0, null);
    fput(from_r);
    return err;
  }
  umh_trace(k, 'pipes', { pid: t.pid, to_umh: to_w.f_path, from_umh: from_r.f_path });
  return { pipe_to_umh: to_w, pipe_from_umh: from_r };
}

/** Linux 4.18 umh_pipe_setup(): the init callback of fork_usermode_blob. */
function umh_pipe_setup(info: SubprocessInfo, t: Task): number {
  const umh_info = info.data as UmhInfo;
  const pipes = setup_helper_pipes(t.kernel, t);
  if (typeof pipes === 'number') return pipes;
  umh_info.pipe_to_umh = pipes.pipe_to_umh;
  umh_info.pipe_from_umh = pipes.pipe_from_umh;
  return 0;
}

/**
 * The cleanup callback of fork_usermode_blob: 4.18's umh_save_pid, with
 * the 2020 leak fix (umh_clean_and_save_pid): when umh_pipe_setup
 * succeeded but the exec failed, the pipes are released.
 */
function umh_clean_and_save_pid(info: SubprocessInfo): void {
  const umh_info = info.data as UmhInfo;
  if (info.retval) {
    if (umh_info.pipe_to_umh) fput(umh_info.pipe_to_umh);
    if (umh_info.pipe_from_umh) fput(umh_info.pipe_from_umh);
    umh_info.pipe_to_umh = null;
    umh_info.pipe_from_umh = null;
  }
  umh_info.pid = info.pid;
}

/**
 * Linux 4.18 fork_usermode_blob(): run `data[0, len)` as a user process
 * wired to the caller by two pipes.
 *
 * @param k     the kernel
 * @param data  the blob (an ELF, or anything a binfmt handler takes)
 * @param len   how many bytes of `data` are the blob
 * @param info  filled in: pipe_to_umh, pipe_from_umh (on success) and pid (even if the exec failed)
 * @returns 0, or -errno: -EINVAL/-ENOMEM/-ENOSPC (the shmem file), the
 *   child's exec error (-ENOEXEC for a blob no handler takes), -EBUSY,
 *   -EAGAIN. On success the caller owns both pipes and the pid: it must
 *   kill the helper and fput the pipes when done (the seed: "just like
 *   kmalloc and kfree"). The shmem file is always released here.
 */
export function fork_usermode_blob(k: Kernel, data: Uint8Array, len: number, info: UmhInfo): number {
  if (!Number.isSafeInteger(len) || len < 0 || len > data.length) return -EINVAL; // kemu: the bytes must exist
  // 1. An unlinked tmpfs file the size of the blob.
  const file = shmem_kernel_file_setup(k, '', len, 0);
  if (typeof file === 'number') return file;
  track_file(k, file);
  umh_trace(k, 'shmem_file', { size: len });
  // 2. kernel_write(file, data, len, &pos): a short write is -ENOMEM.
  let err: number;
  const written = file.pwrite(data.subarray(0, len), 0);
  umh_trace(k, 'kernel_write', { written });
  if (written !== len) {
    err = written >= 0 ? -ENOMEM : written;
  } else {
    // 3. call_usermodehelper_setup_file; 4. call_usermodehelper_exec(UMH_WAIT_EXEC).
    const sub_info = call_usermodehelper_setup_file(file, umh_pipe_setup, umh_clean_and_save_pid, info);
    err = call_usermodehelper_exec(k, sub_info, UMH_WAIT_EXEC);
  }
  // 6. fput(file): the helper holds its own reference (exe_file) if it runs.
  fput(file);
  return err;
}
