/**
 * read/write and friends: Linux fs/read_write.c (ksys_read, ksys_write,
 * do_readv/do_writev, ksys_lseek) and fs/ioctl.c.
 */

import { EBADF, EFAULT, EINVAL } from '../../abi/errno.js';
import type { File, IoctlIo } from '../fs/file.js';
import type { Kernel } from '../kernel.js';
import type { MmStruct } from '../mm/mm_struct.js';
import { copy_from_user, copy_to_user, user_range_writable } from '../mm/uaccess.js';
import type { Task } from '../task.js';
import { int, long, ptr, ulong, type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import { __NR_ioctl, __NR_lseek, __NR_pread64, __NR_pwrite64, __NR_read, __NR_readv, __NR_write, __NR_writev } from '../../abi/syscalls.js';

/** Linux include/linux/fs.h MAX_RW_COUNT: one read or write moves at most INT_MAX & PAGE_MASK bytes. */
const MAX_RW_COUNT = 0x7ffff000;
/** Linux include/uapi/linux/uio.h UIO_MAXIOV. */
const UIO_MAXIOV = 1024;

export function fdget(t: Task, fd: number): File | null {
  return t.files.get(fd);
}

export function sys_read(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = fdget(t, int(a[0]));
  if (!f) return -EBADF;
  return readInto(t.mm!, f, ptr(a[1]), Math.min(ulong(a[2]), MAX_RW_COUNT));
}

export function sys_write(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = fdget(t, int(a[0]));
  if (!f) return -EBADF;
  return writeFrom(t.mm!, f, ptr(a[1]), Math.min(ulong(a[2]), MAX_RW_COUNT));
}

function readInto(mm: MmStruct, f: File, buf: number, count: number, pos?: number): number {
  if (!f.readable) return -EBADF;
  if (count === 0) return 0;
  if (buf < 0) return -EFAULT;
  // A buffer the guest cannot write is EFAULT before anything is consumed.
  if (!user_range_writable(mm, buf, count)) return -EFAULT;
  const tmp = new Uint8Array(count);
  const n = pos === undefined ? f.read(tmp) : f.pread(tmp, pos);
  if (n <= 0) return n;
  return copy_to_user(mm, buf, tmp.subarray(0, n)) ? n : -EFAULT;
}

function writeFrom(mm: MmStruct, f: File, buf: number, count: number, pos?: number): number {
  if (!f.writable) return -EBADF;
  if (count === 0) return 0;
  const bytes = copy_from_user(mm, buf, count);
  if (!bytes) return -EFAULT;
  return pos === undefined ? f.write(bytes) : f.pwrite(bytes, pos);
}

export function sys_pread64(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = fdget(t, int(a[0]));
  if (!f) return -EBADF;
  const pos = long(a[3]);
  if (pos < 0) return -EINVAL;
  return readInto(t.mm!, f, ptr(a[1]), Math.min(ulong(a[2]), MAX_RW_COUNT), pos);
}

export function sys_pwrite64(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = fdget(t, int(a[0]));
  if (!f) return -EBADF;
  const pos = long(a[3]);
  if (pos < 0) return -EINVAL;
  return writeFrom(t.mm!, f, ptr(a[1]), Math.min(ulong(a[2]), MAX_RW_COUNT), pos);
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
  const f = fdget(t, int(a[0]));
  if (!f) return -EBADF;
  if (!f.writable) return -EBADF;
  const iov = importIovec(t.mm!, ptr(a[1]), int(a[2]));
  if (typeof iov === 'number') return iov;
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const [base, len] of iov) {
    if (len === 0) continue;
    const b = copy_from_user(t.mm!, base, len);
    if (!b) { if (total === 0) return -EFAULT; break; }
    parts.push(b);
    total += len;
  }
  if (total === 0) return 0;
  const all = new Uint8Array(total);
  let o = 0;
  for (const p of parts) { all.set(p, o); o += p.length; }
  return f.write(all);
}

export function sys_readv(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = fdget(t, int(a[0]));
  if (!f) return -EBADF;
  if (!f.readable) return -EBADF;
  const iov = importIovec(t.mm!, ptr(a[1]), int(a[2]));
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
  const f = fdget(t, int(a[0]));
  if (!f) return -EBADF;
  return f.llseek(long(a[1]), int(a[2]));
}

export function sys_ioctl(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const f = fdget(t, int(a[0]));
  if (!f) return -EBADF;
  const mm = t.mm!;
  const io: IoctlIo = {
    copyOut: (addr, bytes) => copy_to_user(mm, addr, bytes),
    copyIn: (addr, len) => copy_from_user(mm, addr, len),
  };
  return f.ioctl(int(a[1]) >>> 0, ptr(a[2]), io);
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
