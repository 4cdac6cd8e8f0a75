/**
 * User mode drivers: Linux 5.9+ kernel/usermode_driver.c and
 * include/linux/usermode_driver.h (Eric Biederman, "Make the user mode
 * driver code a better citizen"), what the 6.18 profile runs instead of
 * 4.18's fork_usermode_blob. See ../shared/reference/linux-exec-path.md 4.3.
 *
 * The blob is written once, at load, into a file named after the driver
 * (mode 0700) in a private tmpfs mount; each start execs that file by its
 * relative name, with argv = { driver_name }, from a cwd at the mount's
 * root. The owner keeps the helper's process (tgid) and checks it with
 * thread_group_exited() instead of hearing about its exit.
 */

import { EBUSY, EINVAL, ENOMEM } from '../abi/errno.js';
import { O_CREAT, O_WRONLY } from '../abi/fcntl.js';
import type { Dentry } from '../kernel/fs/dcache.js';
import { fput, type File } from '../kernel/fs/file.js';
import { tmpfs_source } from '../kernel/fs/init_fs.js';
import { mount_root, type VfsMount } from '../kernel/fs/mount.js';
import { latin1Bytes, ROOT_CRED } from '../kernel/fs/namei.js';
import { build_open_flags, build_open_how, do_filp_open } from '../kernel/fs/open.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/task.js';
import { track_file } from './counts.js';
import { umh_trace } from './trace.js';
import { call_usermodehelper_exec, call_usermodehelper_setup, setup_helper_pipes, UMH_WAIT_EXEC, type SubprocessInfo } from './umh.js';

/** Linux struct umd_info. */
export interface UmdInfo {
  /** The file's name in the private tmpfs, and the helper's argv[0] and comm. */
  driver_name: string;
  pipe_to_umh: File | null;
  pipe_from_umh: File | null;
  /** Linux struct path wd: the private mount and its root, set by umd_load_blob. */
  wd: { mnt: VfsMount; dentry: Dentry } | null;
  /** Linux struct pid *tgid: the running helper's process (kemu: its leader task), null when none. */
  tgid: Task | null;
}

export function new_umd_info(driver_name: string): UmdInfo {
  return { driver_name, pipe_to_umh: null, pipe_from_umh: null, wd: null, tgid: null };
}

/**
 * Linux blob_to_mnt(): kern_mount a fresh tmpfs, create `name` in its root
 * (O_CREAT|O_WRONLY, 0700), write the blob (a short write is -ENOMEM), and
 * close the file so that exec may open it (the fput is immediate in kemu:
 * Linux's flush_delayed_fput + task_work_run, "so exec can open the file
 * read-only", i.e. without ETXTBSY).
 */
function blob_to_mnt(k: Kernel, data: Uint8Array, len: number, name: string): VfsMount | number {
  const src = tmpfs_source(0o1777); // mm/shmem.c: a tmpfs root is 1777 unless mounted with mode=
  const mnt = mount_root(src.sb, src.root, src.devname); // kern_mount: private, in no namespace
  const how = build_open_how(O_CREAT | O_WRONLY, 0o700);
  const op = build_open_flags(how);
  if (typeof op === 'number') return op;
  // file_open_root(mnt->mnt_root, mnt, name, ...): the walk starts and is rooted there.
  const fs = { root: mnt.mnt_root, pwd: mnt.mnt_root, umask: 0o022 };
  const file = do_filp_open({ fs, cred: { ...ROOT_CRED } }, mnt.mnt_root, name, op);
  if (typeof file === 'number') return file;
  track_file(k, file);
  const written = file.pwrite(data.subarray(0, len), 0);
  umh_trace(k, 'kernel_write', { written });
  fput(file);
  if (written !== len) return written >= 0 ? -ENOMEM : written;
  return mnt;
}

/**
 * Linux umd_load_blob(info, data, len): remember a blob for
 * fork_usermode_driver. Returns 0, -EBUSY if one is loaded already, or
 * the error of making the file.
 */
export function umd_load_blob(k: Kernel, info: UmdInfo, data: Uint8Array, len: number): number {
  if (info.wd) return -EBUSY; // WARN_ON_ONCE(info->wd.dentry || info->wd.mnt)
  if (!Number.isSafeInteger(len) || len < 0 || len > data.length) return -EINVAL; // kemu: the bytes must exist
  const mnt = blob_to_mnt(k, data, len, info.driver_name);
  if (typeof mnt === 'number') return mnt;
  info.wd = { mnt, dentry: mnt.mnt_root };
  umh_trace(k, 'umd_load_blob', { name: info.driver_name, size: len });
  return 0;
}

/**
 * Linux umd_unload_blob(info): forget the blob (kern_unmount; a running
 * helper keeps its own reference to the file). -EINVAL if none is loaded.
 */
export function umd_unload_blob(k: Kernel, info: UmdInfo): number {
  if (!info.wd || info.wd.mnt.mnt_root !== info.wd.dentry) return -EINVAL;
  info.wd = null;
  umh_trace(k, 'umd_unload_blob', { name: info.driver_name });
  return 0;
}

/**
 * Linux umd_setup(): the child's fds 0 and 1 as in 4.18's umh_pipe_setup,
 * then its cwd at the blob's tmpfs (so the relative name resolves), and
 * the owner keeps the child's tgid.
 */
function umd_setup(info: SubprocessInfo, t: Task): number {
  const umd_info = info.data as UmdInfo;
  const pipes = setup_helper_pipes(t.kernel, t);
  if (typeof pipes === 'number') return pipes;
  t.fs.pwd = umd_info.wd!.dentry; // set_fs_pwd(current->fs, &umd_info->wd)
  umd_info.pipe_to_umh = pipes.pipe_to_umh;
  umd_info.pipe_from_umh = pipes.pipe_from_umh;
  umd_info.tgid = t; // get_pid(task_tgid(current))
  return 0;
}

/** Linux umd_cleanup(): if umd_setup succeeded but the exec failed, give everything back. */
function umd_cleanup(info: SubprocessInfo): void {
  const umd_info = info.data as UmdInfo;
  if (info.retval && umd_info.tgid) umd_cleanup_helper(umd_info);
}

/**
 * Linux umd_cleanup_helper(info): release the pipes and the tgid once the
 * helper is gone (or was never started). The caller has stopped it.
 */
export function umd_cleanup_helper(info: UmdInfo): void {
  if (info.pipe_to_umh) fput(info.pipe_to_umh);
  if (info.pipe_from_umh) fput(info.pipe_from_umh);
  info.pipe_to_umh = null;
  info.pipe_from_umh = null;
  info.tgid = null; // put_pid
}

/**
 * Linux fork_usermode_driver(info): exec the loaded blob by its name as a
 * helper with two pipes. Returns 0 (info has the pipes and the tgid) or
 * -errno: -EBUSY if a helper is already running, -EINVAL if no blob is
 * loaded (kemu: Linux would walk from a NULL path), the exec's error.
 * The caller health-checks, kills (via tgid) and cleans up.
 */
export function fork_usermode_driver(k: Kernel, info: UmdInfo): number {
  if (info.tgid) return -EBUSY; // WARN_ON_ONCE(info->tgid)
  if (!info.wd) return -EINVAL;
  const argv = [latin1Bytes(info.driver_name)];
  const sub_info = call_usermodehelper_setup(info.driver_name, argv, null, umd_setup, umd_cleanup, info);
  return call_usermodehelper_exec(k, sub_info, UMH_WAIT_EXEC);
}
