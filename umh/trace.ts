/**
 * The 'umh' tracepoints (kernel/trace.ts): each step of a helper's life,
 * from the shmem file to the module noticing EOF or EPIPE. Costs one
 * property check when nobody listens. `kemu umh --trace umh` prints them
 * (cli/trace_umh.ts).
 *
 * Events, in the order a helper lives them:
 *   shmem_file    4.18: shmem_kernel_file_setup made the unlinked file (size)
 *   umd_load_blob 5.9+: the named file in a private tmpfs (name, size)
 *   kernel_write  the blob went into the file (written)
 *   pipes         umh_pipe_setup / umd_setup: fds 0 and 1 of the child (pid)
 *   exec          do_execve_file / kernel_execve returned (fn, pid, retval, comm)
 *   fork_failed   the child could not be made (retval)
 *   exit          the helper ended (pid, code, signal)
 *   eof, epipe    the module found the helper gone (pipe)
 *   kill          force_sig / kill_pid from kernel or host code (pid, sig)
 *   insmod, rmmod a module came or went (name, retval)
 *   umd_unload_blob  5.9+: the blob's tmpfs let go (name)
 *   printk        a module's log line (msg)
 */

import type { Kernel } from '../kernel/kernel.js';

export function umh_trace(k: Kernel, event: string, data: Record<string, unknown> = {}): void {
  if (k.tracer.enabled('umh')) k.tracer.emit('umh', { event, ...data });
}
