/**
 * Pipe creation: Linux fs/pipe.c do_pipe2 (pipe, pipe2). The pipe itself
 * is kernel/pipe/pipe.ts.
 */

import { EFAULT, EINVAL } from '../../abi/errno.js';
import { O_CLOEXEC, O_DIRECT, O_NONBLOCK } from '../../abi/fcntl.js';
import { fput } from '../fs/file.js';
import type { Kernel } from '../kernel.js';
import { copy_to_user } from '../mm/uaccess.js';
import { create_pipe_files } from '../pipe/pipe.js';
import type { Task } from '../task.js';
import { type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import { __NR_pipe, __NR_pipe2 } from '../../abi/syscalls.js';

/**
 * Linux do_pipe2(): flags other than O_CLOEXEC, O_NONBLOCK and O_DIRECT
 * (packet mode) are EINVAL (O_NOTIFICATION_PIPE needs CONFIG_WATCH_QUEUE,
 * which kemu does not model); EMFILE when two descriptors are not free;
 * EFAULT when the array cannot be written, and then no fd stays open.
 */
export function do_pipe2(k: Kernel, t: Task, fildes: number, flags: number): number {
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) return -EINVAL;
  const [r, w] = create_pipe_files(k, flags);
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const fd0 = t.files.install(r, cloexec);
  if (fd0 < 0) { fput(r); fput(w); return fd0; }
  const fd1 = t.files.install(w, cloexec);
  if (fd1 < 0) { t.files.close(fd0); fput(w); return fd1; }
  const out = new Uint8Array(8);
  const v = new DataView(out.buffer);
  v.setInt32(0, fd0, true);
  v.setInt32(4, fd1, true);
  if (!copy_to_user(t.mm!, fildes, out)) {
    t.files.close(fd0);
    t.files.close(fd1);
    return -EFAULT;
  }
  return 0;
}

export const sys_pipe = (k: Kernel, t: Task, a: SyscallArgs): SyscallResult => do_pipe2(k, t, a.ptr(0), 0);
export const sys_pipe2 = (k: Kernel, t: Task, a: SyscallArgs): SyscallResult => do_pipe2(k, t, a.ptr(0), a.int(1));

/** This family's rows of the syscall table (see table.ts). */
export const PIPE_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_pipe, handler: sys_pipe, support: 'full', args: ['ptr'] },
  { nr: __NR_pipe2, handler: sys_pipe2, support: 'full', args: ['ptr', 'hex'] },
];
