/**
 * Descriptor syscalls: Linux fs/file.c (dup, dup2, dup3) and fs/fcntl.c
 * (fcntl: F_DUPFD, F_DUPFD_CLOEXEC, F_DUPFD_QUERY, F_GETFD, F_SETFD,
 * F_GETFL, F_SETFL) with fs/pipe.c pipe_fcntl (F_GETPIPE_SZ,
 * F_SETPIPE_SZ) and mm/memfd.c memfd_fcntl (F_ADD_SEALS, F_GET_SEALS).
 */

import { EBADF, EINVAL } from '../../abi/errno.js';
import {
  F_ADD_SEALS, F_DUPFD, F_DUPFD_CLOEXEC, F_DUPFD_QUERY, F_GETFD, F_GET_SEALS, F_GETFL, F_GETPIPE_SZ, F_SETFD, F_SETFL, F_SETPIPE_SZ, FD_CLOEXEC,
  O_CLOEXEC, O_NDELAY, O_NONBLOCK, SETFL_MASK,
} from '../../abi/fcntl.js';
import { PAGE_SIZE } from '../../abi/limits.js';
import { fput, get_file } from '../fs/file.js';
import { memfd_fcntl } from '../fs/memfd.js';
import type { Kernel } from '../kernel.js';
import { PipeFile } from '../pipe/pipe.js';
import type { Task } from '../task.js';
import { type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import { __NR_dup, __NR_dup2, __NR_dup3, __NR_fcntl } from '../../abi/syscalls.js';

/** Linux ksys_dup(): the lowest free descriptor; EBADF, EMFILE. */
export function sys_dup(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = t.files.get(a.int(0));
  if (!f) return -EBADF;
  const fd = t.files.install(get_file(f), false);
  if (fd < 0) fput(f); // the reference taken for it
  return fd;
}

/** Linux ksys_dup3(): flags, then oldfd == newfd, then newfd's range, then oldfd, in that order. */
function do_dup3(t: Task, oldfd: number, newfd: number, flags: number): number {
  if (flags & ~O_CLOEXEC) return -EINVAL;
  if (oldfd === newfd) return -EINVAL;
  if (newfd < 0 || newfd >= t.files.nofile) return -EBADF;
  const f = t.files.get(oldfd);
  if (!f) return -EBADF;
  return t.files.installAt(newfd, get_file(f), (flags & O_CLOEXEC) !== 0);
}

export const sys_dup3 = (_k: Kernel, t: Task, a: SyscallArgs): SyscallResult =>
  do_dup3(t, a.int(0), a.int(1), a.int(2));

/** Linux dup2(): the same fd twice is a no-op that still checks it is open. */
export function sys_dup2(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const oldfd = a.int(0);
  const newfd = a.int(1);
  if (oldfd === newfd) return t.files.get(oldfd) ? newfd : -EBADF;
  return do_dup3(t, oldfd, newfd, 0);
}

/** Linux f_dupfd(): the lowest free descriptor >= `from` (EINVAL past RLIMIT_NOFILE). */
function f_dupfd(t: Task, from: number, fd: number, cloexec: boolean): number {
  const f = t.files.get(fd)!;
  if (from >= t.files.nofile) return -EINVAL;
  const r = t.files.install(get_file(f), cloexec, from);
  if (r < 0) fput(f);
  return r;
}

const reported = new WeakMap<Kernel, Set<number>>();

/** Commands kemu does not implement are EINVAL (as Linux answers unknown ones), reported once each. */
function reportOnce(k: Kernel, t: Task, cmd: number): void {
  let s = reported.get(k);
  if (!s) reported.set(k, (s = new Set()));
  if (s.has(cmd)) return;
  s.add(cmd);
  k.log(`pid ${t.pid}: fcntl command ${cmd} is not implemented; returned -EINVAL`);
}

/** Linux do_fcntl(). */
export function sys_fcntl(k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const fd = a.int(0);
  const cmd = a.int(1);
  const f = t.files.get(fd);
  if (!f) return -EBADF;
  switch (cmd) {
    case F_DUPFD: return f_dupfd(t, a.uint(2), fd, false);
    case F_DUPFD_CLOEXEC: return f_dupfd(t, a.uint(2), fd, true);
    // Linux 6.10: does descriptor `arg` name the same open file?
    case F_DUPFD_QUERY: return t.files.get(a.int(2)) === f ? 1 : 0;
    case F_GETFD: return t.files.getCloexec(fd) ? FD_CLOEXEC : 0;
    case F_SETFD: t.files.setCloexec(fd, (a.int(2) & FD_CLOEXEC) !== 0); return 0;
    case F_GETFL: return f.f_flags;
    case F_SETFL: {
      let arg = a.int(2);
      if (arg & O_NDELAY) arg |= O_NONBLOCK;
      f.f_flags = (arg & SETFL_MASK) | (f.f_flags & ~SETFL_MASK);
      return 0;
    }
    case F_GETPIPE_SZ:
      return f instanceof PipeFile ? f.pipe.max_usage * PAGE_SIZE : -EBADF;
    case F_SETPIPE_SZ:
      return f instanceof PipeFile ? f.pipe.set_size(a.uint(2), t.cred.euid === 0) : -EBADF;
    // Linux fs/fcntl.c: F_ADD_SEALS / F_GET_SEALS go to memfd_fcntl (any shmem file has seals).
    case F_ADD_SEALS: case F_GET_SEALS:
      return memfd_fcntl(f, cmd, a.uint(2), k.profile);
    default:
      reportOnce(k, t, cmd);
      return -EINVAL;
  }
}

/** This family's rows of the syscall table (see table.ts). */
export const FD_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_dup, handler: sys_dup, support: 'full', args: ['fd'] },
  { nr: __NR_dup2, handler: sys_dup2, support: 'full', args: ['fd', 'fd'] },
  { nr: __NR_fcntl, handler: sys_fcntl, support: 'partial', note: 'no record locks, leases or owners', args: ['fd', 'int', 'hex'] },
  { nr: __NR_dup3, handler: sys_dup3, support: 'full', args: ['fd', 'fd', 'hex'] },
];
