/**
 * A module's user-mode helper, whichever design the kernel profile has
 * (kernel/profile.ts umhModel): the calls a module makes are the same, and
 * underneath they are
 *
 *   4.18 (fork_usermode_blob)      5.9+ / 6.18 (usermode_driver)
 *   load:   nothing (the blob      umd_load_blob: a file named after the
 *           stays in the module)   driver in a private tmpfs
 *   start:  fork_usermode_blob     fork_usermode_driver
 *   stop:   shutdown_umh: SIGKILL  shutdown_umh: kill_pid(SIGKILL), wait
 *           by pid, fput pipes     for thread_group_exited, then
 *           (no wait)              umd_cleanup_helper
 *   unload: nothing                umd_unload_blob
 *
 * after net/bpfilter/bpfilter_kern.c of each version. Linux has no such
 * object (each module writes these steps itself), hence the camelCase
 * name.
 */

import { SIGKILL } from '../abi/signal.js';
import { fput } from '../kernel/fs/file.js';
import type { Kernel } from '../kernel/kernel.js';
import type { ExitStatus, Task } from '../kernel/task.js';
import { force_sig, kill_pid, thread_group_exited, wait_for_exit } from './kernel_io.js';
import { fork_usermode_blob, new_umh_info, type UmhInfo } from './umh.js';
import { fork_usermode_driver, new_umd_info, umd_cleanup_helper, umd_load_blob, umd_unload_blob, type UmdInfo } from './usermode_driver.js';

export class UmhHelper {
  /** The pipes and the pid, the same shape in both designs (4.18 struct umh_info). */
  info: UmhInfo = new_umh_info();
  /** 5.9+ only: the driver's umd_info (the blob's tmpfs, the tgid). */
  readonly umd: UmdInfo | null;
  /** The running helper's task: kemu's handle for its exit status (Linux modules have the pid only). */
  task: Task | null = null;

  constructor(readonly k: Kernel, readonly driver_name: string, readonly blob: Uint8Array) {
    this.umd = k.profile.umhModel === 'usermode_driver' ? new_umd_info(driver_name) : null;
  }

  /** Module load: 5.9+ umd_load_blob; nothing in 4.18. 0 or -errno. */
  load(): number {
    return this.umd ? umd_load_blob(this.k, this.umd, this.blob, this.blob.length) : 0;
  }

  /** Module unload: 5.9+ umd_unload_blob; nothing in 4.18. */
  unload(): number {
    return this.umd?.wd ? umd_unload_blob(this.k, this.umd) : 0;
  }

  /** Start a helper: fork_usermode_blob (4.18) or fork_usermode_driver (5.9+). 0 or -errno. */
  start(): number {
    if (this.umd) {
      const err = fork_usermode_driver(this.k, this.umd);
      if (err) return err;
      const t = this.umd.tgid!;
      this.info = { pipe_to_umh: this.umd.pipe_to_umh, pipe_from_umh: this.umd.pipe_from_umh, pid: t.pid };
      this.task = t;
      return 0;
    }
    this.info = new_umh_info();
    const err = fork_usermode_blob(this.k, this.blob, this.blob.length, this.info);
    this.task = err ? null : this.k.find_task_by_vpid(this.info.pid);
    return err;
  }

  /** A helper was started and not yet stopped or cleaned up (4.18: info.pid != 0; 5.9+: info.tgid). */
  get running(): boolean {
    return this.umd ? this.umd.tgid !== null : this.info.pid !== 0;
  }

  /** Linux thread_group_exited(tgid): the helper has ended (crashed, killed, exited). */
  exited(): boolean {
    return !this.task || thread_group_exited(this.task);
  }

  /**
   * Forget a helper that is gone: put both pipes and the pid without
   * killing anything (5.0-5.8 bpfilter_umh_cleanup, 5.9+ umd_cleanup_helper).
   */
  cleanup(): void {
    if (this.umd) umd_cleanup_helper(this.umd);
    else {
      if (this.info.pipe_to_umh) fput(this.info.pipe_to_umh);
      if (this.info.pipe_from_umh) fput(this.info.pipe_from_umh);
    }
    this.info = new_umh_info();
    this.task = null;
  }

  /**
   * Kill the helper and release its pipes: bpfilter's shutdown_umh. 4.18
   * sends SIGKILL to whatever task has the pid now (pid_task(find_vpid)),
   * puts the pipes and returns at once; 5.9+ kills the process it holds,
   * waits until it has exited, then cleans up.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    if (this.umd) {
      const t = this.umd.tgid!;
      kill_pid(this.k, t.pid, SIGKILL);
      await wait_for_exit(this.k, t);
    } else {
      const t = this.k.find_task_by_vpid(this.info.pid);
      if (t) force_sig(this.k, SIGKILL, t);
    }
    this.cleanup();
  }

  /**
   * Close the module's end of pipe_to_umh: the helper reads EOF on its fd
   * 0 (how a module says "no more requests" without killing it).
   */
  close_pipe_to_umh(): void {
    const f = this.info.pipe_to_umh;
    if (!f) return;
    fput(f);
    this.info.pipe_to_umh = null;
    if (this.umd) this.umd.pipe_to_umh = null;
  }

  /** How the current helper ends (resolves when it does; null if no helper ran). */
  wait(): Promise<ExitStatus | null> {
    return this.task ? wait_for_exit(this.k, this.task) : Promise.resolve(null);
  }
}
