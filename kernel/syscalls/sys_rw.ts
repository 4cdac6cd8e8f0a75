/**
 * read/write and friends: Linux fs/read_write.c (ksys_read, ksys_write,
 * do_readv/do_writev, ksys_lseek) and fs/ioctl.c.
 */

import { EBADF, EFAULT, EINVAL } from '../../abi/errno.js';
import type { File, IoctlIo } from '../fs/file.js';
import type { Kernel } from '../kernel.js';
import type { MmStruct } from '../mm/mm_struct.js';
import { copy_from_user, copy_to_user, user_access_prefix } from '../mm/uaccess.js';
import { PipeFile } from '../pipe/pipe.js';
import { SEEK_CUR } from '../../abi/fcntl.js';
import type { Task } from '../task.js';
import { ptr, type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import { __NR_ioctl, __NR_lseek, __NR_pread64, __NR_pwrite64, __NR_read, __NR_readv, __NR_write, __NR_writev } from '../../abi/syscalls.js';

/** Linux include/linux/fs.h MAX_RW_COUNT: one read or write moves at most INT_MAX & PAGE_MASK bytes. */
const MAX_RW_COUNT = 0x7ffff000;
/** Linux include/uapi/linux/uio.h UIO_MAXIOV. */
const UIO_MAXIOV = 1024;

export function fdget(t: Task, fd: number): File | null {
  return t.files.get(fd);
}

export function sys_read(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = fdget(t, a.int(0));
  if (!f) return -EBADF;
  return readInto(t.mm!, f, a.ptr(1), Math.min(a.ulong(2), MAX_RW_COUNT));
}

export function sys_write(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = fdget(t, a.int(0));
  if (!f) return -EBADF;
  return writeFrom(t.mm!, f, a.ptr(1), Math.min(a.ulong(2), MAX_RW_COUNT));
}

/**
 * Linux ksys_read / ksys_pread64: the file's read, copied out to the guest
 * page by page. A buffer that runs into memory the task cannot write gets
 * what fits before it (the file position moves by that much); a read that
 * could copy nothing while there was data is EFAULT.
 */
function readInto(mm: MmStruct, f: File, buf: number, count: number, pos?: number): number {
  if (!f.readable) return -EBADF;
  if (count === 0) return 0;
  const room = user_access_prefix(mm, buf, count, true);
  if (f instanceof PipeFile && pos === undefined) {
    // fs/pipe.c pipe_read: whole pipe buffers only; one that does not fit stays in the pipe.
    const tmp = new Uint8Array(Math.min(count, Math.max(f.pipe.nrbytes, 1))); // a read takes at most what is there
    const n = f.read(tmp, room);
    return n > 0 ? copyOut(mm, buf, tmp.subarray(0, n)) : n;
  }
  if (room === 0) return readNothing(f, pos);
  const tmp = new Uint8Array(room);
  const n = pos === undefined ? f.read(tmp) : f.pread(tmp, pos);
  return n > 0 ? copyOut(mm, buf, tmp.subarray(0, n)) : n;
}

/** The count, once the bytes are in guest memory (they fit: the caller measured the room). */
function copyOut(mm: MmStruct, buf: number, bytes: Uint8Array): number {
  return copy_to_user(mm, buf, bytes) ? bytes.length : -EFAULT;
}

/**
 * A read into a buffer whose first byte faults: EFAULT if the file had a
 * byte to give (a seekable file keeps its position), else what the read
 * says with nothing to copy (0 at EOF, EAGAIN, a sleep).
 */
function readNothing(f: File, pos?: number): number {
  const probe = new Uint8Array(1);
  if (pos !== undefined) { const n = f.pread(probe, pos); return n > 0 ? -EFAULT : n; }
  const n = f.read(probe);
  if (n > 0) { f.llseek(-n, SEEK_CUR); return -EFAULT; }
  return n;
}

/**
 * Linux ksys_write / ksys_pwrite64: the bytes the guest can read from
 * `buf`, page by page. A buffer that runs into unmapped memory writes what
 * came before it (a pipe: whole pages only); none at all is EFAULT.
 */
function writeFrom(mm: MmStruct, f: File, buf: number, count: number, pos?: number): number {
  if (!f.writable) return -EBADF;
  if (count === 0) return 0;
  const n = user_access_prefix(mm, buf, count, false);
  const bytes = n ? copy_from_user(mm, buf, n) : new Uint8Array(0);
  if (!bytes) return -EFAULT;
  if (f instanceof PipeFile && pos === undefined) return f.write(bytes, count);
  if (n === 0) return -EFAULT;
  return pos === undefined ? f.write(bytes) : f.pwrite(bytes, pos);
}

export function sys_pread64(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = fdget(t, a.int(0));
  if (!f) return -EBADF;
  const pos = a.long(3);
  if (pos < 0) return -EINVAL;
  return readInto(t.mm!, f, a.ptr(1), Math.min(a.ulong(2), MAX_RW_COUNT), pos);
}

export function sys_pwrite64(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = fdget(t, a.int(0));
  if (!f) return -EBADF;
  const pos = a.long(3);
  if (pos < 0) return -EINVAL;
  return writeFrom(t.mm!, f, a.ptr(1), Math.min(a.ulong(2), MAX_RW_COUNT), pos);
}

/** struct iovec { void *iov_base; size_t iov_len; } from guest memory. */
function importIovec(mm: MmStruct, addr: number, cnt: number): Array<[number, number]> | number {
  if (cnt < 0 || cnt > UIO_MAXIOV) return -EINVAL;
  const raw = copy_from_user(mm, addr, cnt * 16);
  if (!raw) return -EFAULT;
  const v = new DataView(raw.buffer);
  const out: Array<[number, number]> = [];
  let total = 0;
  for (let i = 0; i < cnt; i++) {
    const base = v.getBigUint64(i * 16, true);
    const len = v.getBigUint64(i * 16 + 8, true);
    // Linux lib/iov_iter.c: a negative length (as ssize_t) is EINVAL; the total is capped at MAX_RW_COUNT.
    if (len > 0x7fffffffffffffffn) return -EINVAL;
    const n = Math.min(Number(len), MAX_RW_COUNT - total);
    total += n;
    out.push([ptr(base), n]);
  }
  return out;
}

export function sys_writev(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = fdget(t, a.int(0));
  if (!f) return -EBADF;
  if (!f.writable) return -EBADF;
  const iov = importIovec(t.mm!, a.ptr(1), a.int(2));
  if (typeof iov === 'number') return iov;
  // The segments in order, as far as guest memory can be read (Linux copies page by page).
  const parts: Uint8Array[] = [];
  let total = 0;
  let count = 0;
  let faulted = false;
  for (const [base, len] of iov) {
    count += len;
    if (len === 0 || faulted) continue;
    const n = user_access_prefix(t.mm!, base, len, false);
    if (n) parts.push(copy_from_user(t.mm!, base, n)!);
    total += n;
    faulted = n < len;
  }
  if (count === 0) return 0;
  const all = new Uint8Array(total);
  let o = 0;
  for (const p of parts) { all.set(p, o); o += p.length; }
  if (f instanceof PipeFile) return f.write(all, count);
  return total ? f.write(all) : -EFAULT;
}

export function sys_readv(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = fdget(t, a.int(0));
  if (!f) return -EBADF;
  if (!f.readable) return -EBADF;
  const iov = importIovec(t.mm!, a.ptr(1), a.int(2));
  if (typeof iov === 'number') return iov;
  let total = 0;
  for (const [base, len] of iov) {
    if (len === 0) continue;
    const n = readInto(t.mm!, f, base, len);
    if (n < 0) return total > 0 ? total : n;
    total += n;
    if (n < len) break;
  }
  return total;
}

export function sys_lseek(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = fdget(t, a.int(0));
  if (!f) return -EBADF;
  return f.llseek(a.long(1), a.int(2));
}

export function sys_ioctl(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = fdget(t, a.int(0));
  if (!f) return -EBADF;
  const mm = t.mm!;
  const io: IoctlIo = {
    copyOut: (addr, bytes) => copy_to_user(mm, addr, bytes),
    copyIn: (addr, len) => copy_from_user(mm, addr, len),
  };
  return f.ioctl(a.int(1) >>> 0, a.ptr(2), io);
}

/** This family's rows of the syscall table (see table.ts). */
export const RW_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_read, handler: sys_read, support: 'full', args: ['fd', 'obuf', 'uint'] },
  { nr: __NR_write, handler: sys_write, support: 'full', args: ['fd', 'buf', 'uint'] },
  { nr: __NR_lseek, handler: sys_lseek, support: 'full', args: ['fd', 'int', 'int'] },
  { nr: __NR_ioctl, handler: sys_ioctl, support: 'partial', note: 'terminal requests on host ttys', args: ['fd', 'hex', 'ptr'] },
  { nr: __NR_pread64, handler: sys_pread64, support: 'full', args: ['fd', 'obuf', 'uint', 'int'] },
  { nr: __NR_pwrite64, handler: sys_pwrite64, support: 'full', args: ['fd', 'buf', 'uint', 'int'] },
  { nr: __NR_readv, handler: sys_readv, support: 'full', args: ['fd', 'ptr', 'int'] },
  { nr: __NR_writev, handler: sys_writev, support: 'full', args: ['fd', 'ptr', 'int'] },
];
