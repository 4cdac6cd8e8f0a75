/**
 * The syscall table as data: number, name, handler, support level, note,
 * and how --strace formats the arguments. Each family file (sys_*.ts)
 * exports its own rows; this file only puts them together. Numbers and
 * names come from abi/syscalls (Linux syscall_64.tbl). A number not here
 * returns -ENOSYS and is reported once (dispatch.ts).
 */

import { syscallName } from '../../abi/syscalls.js';
import { ATTR_SYSCALLS } from './sys_attr.js';
import { DIR_SYSCALLS } from './sys_dir.js';
import { FD_SYSCALLS } from './sys_fd.js';
import { FORK_SYSCALLS } from './sys_fork.js';
import { FILEOPS_SYSCALLS } from './sys_fileops.js';
import { FS_SYSCALLS } from './sys_fs.js';
import { FUTEX_SYSCALLS } from './sys_futex.js';
import { INFO_SYSCALLS } from './sys_info.js';
import { MEMFD_SYSCALLS } from './sys_memfd.js';
import { MM_SYSCALLS } from './sys_mm.js';
import { PIPE_SYSCALLS } from './sys_pipe.js';
import { POLL_SYSCALLS } from './sys_poll.js';
import { PROCESS_SYSCALLS } from './sys_process.js';
import { RW_SYSCALLS } from './sys_rw.js';
import { SCHED_SYSCALLS } from './sys_sched.js';
import { SIGNAL_SYSCALLS } from './sys_signal.js';
import { SOCKET_SYSCALLS } from './sys_socket.js';
import { SYS_SYSCALLS } from './sys_sys.js';
import { STAT_SYSCALLS } from './sys_stat.js';
import { TIME_SYSCALLS } from './sys_time.js';
import { XATTR_SYSCALLS } from './sys_xattr.js';
import { WAIT_SYSCALLS } from './sys_wait.js';
import type { SyscallEntry, SyscallRow } from './types.js';

export const FAMILIES: ReadonlyArray<readonly SyscallRow[]> = [
  RW_SYSCALLS, FS_SYSCALLS, STAT_SYSCALLS, DIR_SYSCALLS, ATTR_SYSCALLS, MEMFD_SYSCALLS, XATTR_SYSCALLS, FILEOPS_SYSCALLS, MM_SYSCALLS, PROCESS_SYSCALLS, SIGNAL_SYSCALLS, TIME_SYSCALLS,
  FORK_SYSCALLS, WAIT_SYSCALLS, PIPE_SYSCALLS, FD_SYSCALLS, POLL_SYSCALLS, FUTEX_SYSCALLS, SCHED_SYSCALLS, SYS_SYSCALLS,
  INFO_SYSCALLS, SOCKET_SYSCALLS,
];

/** A fresh table (each kernel owns one, so layers above can add entries). */
export function buildSyscallTable(): Array<SyscallEntry | undefined> {
  const table: Array<SyscallEntry | undefined> = [];
  for (const family of FAMILIES) {
    for (const r of family) {
      if (table[r.nr]) throw new Error(`syscall ${r.nr} has two rows`);
      table[r.nr] = { ...r, name: syscallName(r.nr) };
    }
  }
  return table;
}
