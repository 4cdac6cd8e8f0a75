/**
 * The syscall table as data: number, name, handler, support level, note,
 * and how --strace formats the arguments. Numbers and names come from
 * abi/syscalls (Linux arch/x86/entry/syscalls/syscall_64.tbl). A number not
 * here returns -ENOSYS and is reported once (dispatch.ts).
 */

import * as NR from '../../abi/syscalls.js';
import * as fs from './sys_fs.js';
import * as mm from './sys_mm.js';
import * as proc from './sys_process.js';
import * as rw from './sys_rw.js';
import * as sig from './sys_signal.js';
import * as time from './sys_time.js';
import type { SyscallEntry } from './types.js';

type Row = Omit<SyscallEntry, 'nr' | 'name'> & { nr: number };

const ROWS: Row[] = [
  { nr: NR.__NR_read, handler: rw.sys_read, support: 'full', args: ['fd', 'obuf', 'uint'] },
  { nr: NR.__NR_write, handler: rw.sys_write, support: 'full', args: ['fd', 'buf', 'uint'] },
  { nr: NR.__NR_open, handler: fs.sys_open, support: 'partial', note: 'tmpfs files', args: ['str', 'hex', 'hex'] },
  { nr: NR.__NR_close, handler: fs.sys_close, support: 'full', args: ['fd'] },
  { nr: NR.__NR_stat, handler: fs.sys_stat, support: 'full', args: ['str', 'ptr'] },
  { nr: NR.__NR_fstat, handler: fs.sys_fstat, support: 'full', args: ['fd', 'ptr'] },
  { nr: NR.__NR_lstat, handler: fs.sys_lstat, support: 'full', args: ['str', 'ptr'] },
  { nr: NR.__NR_lseek, handler: rw.sys_lseek, support: 'full', args: ['fd', 'int', 'int'] },
  { nr: NR.__NR_mmap, handler: mm.sys_mmap, support: 'partial', note: 'MAP_SHARED writable file mappings: ENODEV', args: ['ptr', 'uint', 'hex', 'hex', 'fd', 'hex'], ret: 'hex' },
  { nr: NR.__NR_mprotect, handler: mm.sys_mprotect, support: 'full', args: ['ptr', 'uint', 'hex'] },
  { nr: NR.__NR_munmap, handler: mm.sys_munmap, support: 'full', args: ['ptr', 'uint'] },
  { nr: NR.__NR_brk, handler: mm.sys_brk, support: 'full', args: ['ptr'], ret: 'hex' },
  { nr: NR.__NR_rt_sigaction, handler: sig.sys_rt_sigaction, support: 'partial', note: 'handlers are recorded; running them arrives with signal frames', args: ['int', 'ptr', 'ptr', 'uint'] },
  { nr: NR.__NR_rt_sigprocmask, handler: sig.sys_rt_sigprocmask, support: 'full', args: ['int', 'ptr', 'ptr', 'uint'] },
  { nr: NR.__NR_ioctl, handler: rw.sys_ioctl, support: 'partial', note: 'terminal requests on host ttys', args: ['fd', 'hex', 'ptr'] },
  { nr: NR.__NR_pread64, handler: rw.sys_pread64, support: 'full', args: ['fd', 'obuf', 'uint', 'int'] },
  { nr: NR.__NR_pwrite64, handler: rw.sys_pwrite64, support: 'full', args: ['fd', 'buf', 'uint', 'int'] },
  { nr: NR.__NR_readv, handler: rw.sys_readv, support: 'full', args: ['fd', 'ptr', 'int'] },
  { nr: NR.__NR_writev, handler: rw.sys_writev, support: 'full', args: ['fd', 'ptr', 'int'] },
  { nr: NR.__NR_access, handler: fs.sys_access, support: 'full', args: ['str', 'int'] },
  { nr: NR.__NR_sched_yield, handler: proc.sys_sched_yield, support: 'full', args: [] },
  { nr: NR.__NR_mremap, handler: mm.sys_mremap, support: 'partial', note: 'MREMAP_FIXED and MREMAP_DONTUNMAP: EINVAL', args: ['ptr', 'uint', 'uint', 'hex', 'ptr'], ret: 'hex' },
  { nr: NR.__NR_madvise, handler: mm.sys_madvise, support: 'partial', note: 'MADV_DONTNEED zeroes; other advice accepted', args: ['ptr', 'uint', 'int'] },
  { nr: NR.__NR_getpid, handler: proc.sys_getpid, support: 'full', args: [] },
  { nr: NR.__NR_exit, handler: proc.sys_exit, support: 'full', args: ['int'] },
  { nr: NR.__NR_kill, handler: sig.sys_kill, support: 'full', args: ['int', 'int'] },
  { nr: NR.__NR_uname, handler: proc.sys_uname, support: 'full', args: ['ptr'] },
  { nr: NR.__NR_readlink, handler: fs.sys_readlink, support: 'full', args: ['str', 'obuf', 'uint'] },
  { nr: NR.__NR_getcwd, handler: fs.sys_getcwd, support: 'full', args: ['ptr', 'uint'] },
  { nr: NR.__NR_chdir, handler: fs.sys_chdir, support: 'full', args: ['str'] },
  { nr: NR.__NR_gettimeofday, handler: time.sys_gettimeofday, support: 'full', args: ['ptr', 'ptr'] },
  { nr: NR.__NR_getuid, handler: proc.sys_getuid, support: 'full', args: [] },
  { nr: NR.__NR_getgid, handler: proc.sys_getgid, support: 'full', args: [] },
  { nr: NR.__NR_geteuid, handler: proc.sys_geteuid, support: 'full', args: [] },
  { nr: NR.__NR_getegid, handler: proc.sys_getegid, support: 'full', args: [] },
  { nr: NR.__NR_getppid, handler: proc.sys_getppid, support: 'full', args: [] },
  { nr: NR.__NR_arch_prctl, handler: proc.sys_arch_prctl, support: 'partial', note: 'FS/GS base', args: ['hex', 'ptr'] },
  { nr: NR.__NR_gettid, handler: proc.sys_gettid, support: 'full', args: [] },
  { nr: NR.__NR_time, handler: time.sys_time, support: 'full', args: ['ptr'] },
  { nr: NR.__NR_tkill, handler: sig.sys_tkill, support: 'full', args: ['int', 'int'] },
  { nr: NR.__NR_set_tid_address, handler: proc.sys_set_tid_address, support: 'full', args: ['ptr'] },
  { nr: NR.__NR_clock_gettime, handler: time.sys_clock_gettime, support: 'full', args: ['int', 'ptr'] },
  { nr: NR.__NR_clock_getres, handler: time.sys_clock_getres, support: 'full', args: ['int', 'ptr'] },
  { nr: NR.__NR_exit_group, handler: proc.sys_exit_group, support: 'full', args: ['int'] },
  { nr: NR.__NR_tgkill, handler: sig.sys_tgkill, support: 'full', args: ['int', 'int', 'int'] },
  { nr: NR.__NR_openat, handler: fs.sys_openat, support: 'partial', note: 'tmpfs files', args: ['atfd', 'str', 'hex', 'hex'] },
  { nr: NR.__NR_newfstatat, handler: fs.sys_newfstatat, support: 'full', args: ['atfd', 'str', 'ptr', 'hex'] },
  { nr: NR.__NR_readlinkat, handler: fs.sys_readlinkat, support: 'full', args: ['atfd', 'str', 'obuf', 'uint'] },
  { nr: NR.__NR_faccessat, handler: fs.sys_faccessat, support: 'full', args: ['atfd', 'str', 'int'] },
  { nr: NR.__NR_set_robust_list, handler: proc.sys_set_robust_list, support: 'full', args: ['ptr', 'uint'] },
  { nr: NR.__NR_prlimit64, handler: proc.sys_prlimit64, support: 'partial', note: 'RLIMIT_STACK and RLIMIT_NOFILE are enforced; others report RLIM_INFINITY', args: ['int', 'int', 'ptr', 'ptr'] },
  { nr: NR.__NR_getrandom, handler: time.sys_getrandom, support: 'full', args: ['ptr', 'uint', 'hex'] },
  { nr: NR.__NR_rseq, handler: proc.sys_rseq, support: 'full', args: ['ptr', 'uint', 'hex', 'hex'] },
  { nr: NR.__NR_faccessat2, handler: fs.sys_faccessat2, support: 'full', args: ['atfd', 'str', 'int', 'hex'] },
];

/** A fresh table (each kernel owns one, so layers above can add entries). */
export function buildSyscallTable(): Array<SyscallEntry | undefined> {
  const table: Array<SyscallEntry | undefined> = [];
  for (const r of ROWS) table[r.nr] = { ...r, name: NR.syscallName(r.nr) };
  return table;
}
