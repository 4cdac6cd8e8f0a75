/**
 * umh/'s library API in one place: what a kernel module written in
 * TypeScript uses (docs/umh.md shows it at work). Boot a kernel with
 * cli/boot.ts bootKernel (the composition root), then insmod modules.
 */

export {
  call_usermodehelper_exec, call_usermodehelper_setup, call_usermodehelper_setup_file, fork_usermode_blob, new_umh_info,
  usermodehelper_disable, usermodehelper_enable, UMH_KILLABLE, UMH_NO_WAIT, UMH_WAIT_EXEC, UMH_WAIT_PROC,
  type SubprocessInfo, type UmhInfo,
} from './umh.js';
export {
  fork_usermode_driver, new_umd_info, umd_cleanup_helper, umd_load_blob, umd_unload_blob, type UmdInfo,
} from './usermode_driver.js';
export { ensure_scheduler, force_sig, kernel_read, kernel_write, kill_pid, thread_group_exited, wait_for_exit } from './kernel_io.js';
export {
  depmod, find_module, format_lsmod, insmod, lsmod, module_put, request_module, rmmod, try_module_get,
  type KernelModule, type LsmodEntry,
} from './module.js';
export { shmem_kernel_file_setup } from './shmem.js';
export { UmhHelper } from './helper.js';
export { Mutex } from './mutex.js';
export { cat_module, type CatIo, type CatModule } from './cat_module.js';
export { kernel_counts, type KernelCounts } from './counts.js';
export { bpfilter_module, bpfilter_ops } from './bpfilter/bpfilter_kern.js';
export { bpfilter_ip_get_sockopt, bpfilter_ip_set_sockopt, bpfilter_mbox_request } from './bpfilter/sockopt.js';
export * from './bpfilter/msgfmt.js';
