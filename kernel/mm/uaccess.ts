/**
 * Kernel access to user memory: Linux include/linux/uaccess.h
 * (copy_from_user, copy_to_user, strncpy_from_user, get_user, put_user).
 *
 * A wild guest pointer is normal input: every function reports failure as a
 * value (null or false, which callers turn into -EFAULT), never a throw.
 * On x86-64 any mapped page is readable (PROT_EXEC and PROT_WRITE imply
 * read); writing needs PROT_WRITE.
 */

import { PROT_NONE, PROT_WRITE } from '../../abi/mman.js';
import type { MmStruct } from './mm_struct.js';

/**
 * The area holding `at`, growing the stack down to it if `at` is just below
 * (a kernel access faults the stack in as the task's own access would).
 */
function vma_at(mm: MmStruct, at: number): ReturnType<MmStruct['find_vma']> {
  return mm.find_vma(at) ?? (mm.expand_stack(at) ? mm.find_vma(at) : null);
}

function isValidRange(addr: number, len: number): boolean {
  return Number.isSafeInteger(addr) && addr >= 0 && len >= 0 && addr + len <= 0x7ffffffff000;
}

/** Copy `len` bytes out of guest memory, or null if any byte is not readable. */
export function copy_from_user(mm: MmStruct, addr: number, len: number): Uint8Array | null {
  if (!isValidRange(addr, len)) return null;
  const out = new Uint8Array(len);
  let done = 0;
  while (done < len) {
    const at = addr + done;
    const v = vma_at(mm, at);
    if (!v || v.prot === PROT_NONE) return null;
    const off = at - v.vm_start;
    const n = Math.min(len - done, v.vm_end - at);
    out.set(v.host.subarray(off, off + n), done);
    done += n;
  }
  return out;
}

/** Copy `bytes` into guest memory; false (nothing partial is promised) if a page is not writable. */
export function copy_to_user(mm: MmStruct, addr: number, bytes: Uint8Array): boolean {
  if (!isValidRange(addr, bytes.length)) return false;
  if (!user_range_writable(mm, addr, bytes.length)) return false;
  mm.cow_break_range(addr, bytes.length); // the kernel writes as the task would: copy-on-write first
  let done = 0;
  while (done < bytes.length) {
    const at = addr + done;
    const v = mm.find_vma(at)!;
    const off = at - v.vm_start;
    const n = Math.min(bytes.length - done, v.vm_end - at);
    v.host.set(bytes.subarray(done, done + n), off);
    done += n;
  }
  mm.invalidate(addr, bytes.length);
  return true;
}

/** Zero `len` bytes of guest memory (Linux clear_user). */
export function clear_user(mm: MmStruct, addr: number, len: number): boolean {
  return copy_to_user(mm, addr, new Uint8Array(len));
}

/**
 * How many bytes from `addr` (at most `len`) the kernel can copy before a
 * fault: Linux copies user memory page by page (lib/iov_iter.c), so a copy
 * that runs into an unmapped or protected page stops there, and the
 * syscalls of fs/read_write.c return what moved before it.
 */
export function user_access_prefix(mm: MmStruct, addr: number, len: number, write: boolean): number {
  if (!Number.isSafeInteger(addr) || addr < 0 || len <= 0) return 0;
  const end = Math.min(addr + len, 0x7ffffffff000);
  let at = addr;
  while (at < end) {
    const v = vma_at(mm, at);
    if (!v || v.prot === PROT_NONE || (write && (v.prot & PROT_WRITE) === 0)) break;
    at = v.vm_end;
  }
  return Math.max(0, Math.min(at, end) - addr);
}

/** Every byte of `[addr, addr+len)` is mapped writable. */
export function user_range_writable(mm: MmStruct, addr: number, len: number): boolean {
  if (!isValidRange(addr, len)) return false;
  let at = addr;
  const end = addr + len;
  while (at < end) {
    const v = vma_at(mm, at);
    if (!v || (v.prot & PROT_WRITE) === 0) return false;
    at = v.vm_end;
  }
  return true;
}

/**
 * Linux lib/strncpy_from_user.c + strnlen_user: the NUL-terminated string at
 * `addr`, at most `max` bytes before the NUL. Returns the bytes without the
 * NUL, 'toolong' when no NUL came within `max`, or null on a fault.
 */
export function strncpy_from_user(mm: MmStruct, addr: number, max: number): Uint8Array | 'toolong' | null {
  if (!Number.isSafeInteger(addr) || addr < 0) return null;
  const chunks: Uint8Array[] = [];
  let total = 0;
  let at = addr;
  while (total <= max) {
    const v = vma_at(mm, at);
    if (!v || v.prot === PROT_NONE) return null;
    const off = at - v.vm_start;
    const window = v.host.subarray(off, off + Math.min(v.vm_end - at, max + 1 - total));
    const nul = window.indexOf(0);
    if (nul >= 0) {
      chunks.push(window.subarray(0, nul));
      total += nul;
      return total > max ? 'toolong' : concat(chunks, total);
    }
    chunks.push(window);
    total += window.length;
    at += window.length;
  }
  return 'toolong';
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!.slice();
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}

/** Read one little-endian u64 (Linux get_user on a u64). */
export function get_user_u64(mm: MmStruct, addr: number): bigint | null {
  const b = copy_from_user(mm, addr, 8);
  return b ? new DataView(b.buffer).getBigUint64(0, true) : null;
}

/** Write one little-endian u64 (Linux put_user on a u64). */
export function put_user_u64(mm: MmStruct, addr: number, value: bigint): boolean {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
  return copy_to_user(mm, addr, b);
}

export function put_user_u32(mm: MmStruct, addr: number, value: number): boolean {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0, true);
  return copy_to_user(mm, addr, b);
}

export function get_user_u32(mm: MmStruct, addr: number): number | null {
  const b = copy_from_user(mm, addr, 4);
  return b ? new DataView(b.buffer).getUint32(0, true) : null;
}
