/**
 * Moving and advising on file data: Linux fs/read_write.c (sendfile,
 * copy_file_range), fs/open.c (fallocate), mm/fadvise.c (fadvise64),
 * mm/readahead.c (readahead) and fs/locks.c (flock).
 */

import { EBADF, EFAULT, EINVAL, EISDIR, ENODEV, EOPNOTSUPP, ESPIPE } from '../../abi/errno.js';
import { O_APPEND, S_IFIFO, S_IFMT } from '../../abi/fcntl.js';
import { MAX_RW_COUNT } from '../../abi/limits.js';
import type { File } from '../fs/file.js';
import { flock_lock_file } from '../fs/locks.js';
import type { Kernel } from '../kernel.js';
import { get_user_u64, put_user_u64 } from '../mm/uaccess.js';
import type { Task } from '../task.js';
import { type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import {
  __NR_copy_file_range, __NR_fadvise64, __NR_fallocate, __NR_flock, __NR_readahead, __NR_sendfile,
} from '../../abi/syscalls.js';

/** Linux fdget(): an open file that is not O_PATH. */
function fdget(t: Task, fd: number): File | null {
  const f = t.files.get(fd);
  return f && !f.isPath ? f : null;
}

/** How much one sendfile call moves at most (callers loop, as with any short transfer). */
const SENDFILE_CHUNK = 1 << 20;

/**
 * Linux do_sendfile(): copy from `in` (read at *offset, or at its own
 * position) to `out` (at its position). The input must be seekable
 * (EINVAL for pipes here); an O_APPEND output is EINVAL
 * (do_splice_direct). A write that must wait leaves the input where it was.
 */
export function sys_sendfile(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const offAddr = a.ptr(2);
  const inF = fdget(t, a.int(1));
  if (!inF || !inF.readable) return -EBADF;
  let pos = inF.f_pos;
  if (offAddr !== 0) {
    const v = get_user_u64(t.mm!, offAddr);
    if (v === null) return -EFAULT;
    pos = Number(BigInt.asIntN(64, v));
  }
  if (pos < 0) return -EINVAL;
  const outF = fdget(t, a.int(0));
  if (!outF || !outF.writable) return -EBADF;
  const type = inF.f_inode.i_mode & S_IFMT;
  if (type === S_IFIFO || type === 0o140000) return -EINVAL;
  if (outF.f_flags & O_APPEND) return -EINVAL;
  const count = Math.min(a.ulong(3), MAX_RW_COUNT, SENDFILE_CHUNK);
  let moved = 0;
  if (count > 0) {
    const buf = new Uint8Array(count);
    const n = inF.pread(buf, pos);
    if (n < 0) return n;
    if (n > 0) {
      const w = outF.write(buf.subarray(0, n));
      if (w < 0) return w;
      moved = w;
    }
  }
  pos += moved;
  if (offAddr !== 0) { if (!put_user_u64(t.mm!, offAddr, BigInt(pos))) return -EFAULT; } else inF.f_pos = pos;
  return moved;
}

/**
 * Linux copy_file_range() with generic_copy_file_checks(): flags must be
 * 0; both files regular (EISDIR for a directory, EINVAL otherwise), the
 * input readable and the output writable without O_APPEND (EBADF); the
 * count stops at the input's end; overlapping ranges of one file are EINVAL.
 */
export function sys_copy_file_range(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  if (a.uint(5) !== 0) return -EINVAL;
  const inF = fdget(t, a.int(0));
  const outF = fdget(t, a.int(2));
  if (!inF || !outF) return -EBADF;
  const readOff = (addr: number, fallback: number): number | null => {
    if (addr === 0) return fallback;
    const v = get_user_u64(t.mm!, addr);
    return v === null ? null : Number(BigInt.asIntN(64, v));
  };
  let pin = readOff(a.ptr(1), inF.f_pos);
  let pout = readOff(a.ptr(3), outF.f_pos);
  if (pin === null || pout === null) return -EFAULT;
  const ii = inF.f_inode;
  const oi = outF.f_inode;
  if (ii.isDir || oi.isDir) return -EISDIR;
  if (!ii.isReg || !oi.isReg) return -EINVAL;
  if (!inF.readable || !outF.writable || (outF.f_flags & O_APPEND)) return -EBADF;
  if (pin < 0 || pout < 0) return -EINVAL;
  let count = Math.min(a.ulong(4), MAX_RW_COUNT, Math.max(0, ii.size() - pin));
  if (ii === oi && pin < pout + count && pout < pin + count) return -EINVAL;
  let done = 0;
  while (count > 0) {
    const buf = new Uint8Array(Math.min(count, SENDFILE_CHUNK));
    const n = ii.readAt(buf, pin);
    if (n <= 0) break;
    const w = oi.writeAt(buf.subarray(0, n), pout);
    if (w < 0) { if (done === 0) return w; break; }
    done += w; pin += w; pout += w; count -= w;
    if (w < n) break;
  }
  if (a.ptr(1) !== 0) put_user_u64(t.mm!, a.ptr(1), BigInt(pin)); else inF.f_pos = pin;
  if (a.ptr(3) !== 0) put_user_u64(t.mm!, a.ptr(3), BigInt(pout)); else outF.f_pos = pout;
  return done;
}

/** include/uapi/linux/falloc.h: every mode bit Linux knows. */
const FALLOC_FL_SUPPORTED_MASK = 0x7f;

/** Linux vfs_fallocate(): its argument checks, then the filesystem's ->fallocate (EOPNOTSUPP without one). */
export function sys_fallocate(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = fdget(t, a.int(0));
  const mode = a.int(1);
  const off = a.long(2);
  const len = a.long(3);
  if (!f) return -EBADF;
  if (off < 0 || len <= 0) return -EINVAL;
  if (mode & ~FALLOC_FL_SUPPORTED_MASK) return -EOPNOTSUPP;
  if ((mode & 0x12) === 0x12) return -EOPNOTSUPP; // PUNCH_HOLE with ZERO_RANGE
  if ((mode & 0x02) && !(mode & 0x01)) return -EOPNOTSUPP; // PUNCH_HOLE needs KEEP_SIZE
  if (!f.writable) return -EBADF;
  const type = f.f_inode.i_mode & S_IFMT;
  if (type === S_IFIFO) return -ESPIPE;
  if (f.f_inode.isDir) return -EISDIR;
  if (!f.f_inode.isReg) return -ENODEV;
  return f.f_inode.fallocate(mode, off, len);
}

/** Linux fadvise64(): advice 0-5 (POSIX_FADV_*), ESPIPE for a FIFO; nothing to do for memory-backed files. */
export function sys_fadvise64(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = fdget(t, a.int(0));
  if (!f) return -EBADF;
  if ((f.f_inode.i_mode & S_IFMT) === S_IFIFO) return -ESPIPE;
  const advice = a.int(3);
  if (advice < 0 || advice > 5 || a.long(2) < 0) return -EINVAL;
  return 0;
}

/** Linux readahead(): a readable regular file, else EBADF / EINVAL. */
export function sys_readahead(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = fdget(t, a.int(0));
  if (!f || !f.readable) return -EBADF;
  return f.f_inode.isReg ? 0 : -EINVAL;
}

/** Linux flock(): on an open file (EBADF for O_PATH), see kernel/fs/locks.ts. */
export function sys_flock(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = fdget(t, a.int(0));
  if (!f) return -EBADF;
  return flock_lock_file(t, f, a.int(1));
}

/** This family's rows of the syscall table (see table.ts). */
export const FILEOPS_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_sendfile, handler: sys_sendfile, support: 'partial', note: 'seekable inputs; at most 1 MiB per call', args: ['fd', 'fd', 'ptr', 'uint'] },
  { nr: __NR_flock, handler: sys_flock, support: 'full', args: ['fd', 'int'] },
  { nr: __NR_readahead, handler: sys_readahead, support: 'full', args: ['fd', 'int', 'uint'] },
  { nr: __NR_fadvise64, handler: sys_fadvise64, support: 'full', args: ['fd', 'int', 'uint', 'int'] },
  { nr: __NR_fallocate, handler: sys_fallocate, support: 'partial', note: 'tmpfs: allocate, KEEP_SIZE, PUNCH_HOLE', args: ['fd', 'hex', 'int', 'int'] },
  { nr: __NR_copy_file_range, handler: sys_copy_file_range, support: 'full', args: ['fd', 'ptr', 'fd', 'ptr', 'uint', 'hex'] },
];
