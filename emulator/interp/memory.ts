/**
 * Guest memory as the interpreter sees it: a page table from page number to
 * host bytes, with a small direct-mapped software TLB in front of it.
 *
 * The kernel owns the bytes (DESIGN.md decision 2): `map` hands us a host
 * Uint8Array and each guest page becomes a 4096-byte subarray of it, so a
 * syscall that writes a guest buffer and the guest itself see the same bytes.
 *
 * Addresses are JS numbers. User addresses are below 2^47, so they are exact;
 * anything at or above 2^47 is never mapped and faults (non-canonical ones as
 * #GP, like the hardware).
 *
 * Code pages: a page from which the decoder has cached instructions is marked
 * `code` and is never entered in the write TLB, so every guest store to it
 * takes the slow path, which drops the page's decoded instructions first
 * (self-modifying code and run-time code generation work).
 */

import { PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE } from '../engine.js';
import type { Access, CpuExit } from '../engine.js';

/**
 * One guest page. Its byte and DataView windows onto the kernel's memory
 * are made on first use: `map` of an 8 MiB stack then costs one small
 * object per page, not three (start-up is dominated by such mappings).
 */
export class Page {
  private b: Uint8Array | null = null;
  private v: DataView | null = null;
  /** The decoder has cached instructions from this page. */
  code = false;
  constructor(private readonly host: Uint8Array, private readonly off: number, public prot: number) {}

  get bytes(): Uint8Array {
    return this.b ??= this.host.subarray(this.off, this.off + PAGE_SIZE);
  }

  get view(): DataView {
    return this.v ??= new DataView(this.host.buffer, this.host.byteOffset + this.off, PAGE_SIZE);
  }
}

/**
 * Thrown inside `run()` to abandon the current instruction; caught by the
 * run loop, which returns `exit`. Not an Error: no stack is captured.
 */
export class Trap {
  constructor(readonly exit: CpuExit) {}
}

/**
 * TLB entries (direct-mapped by page number). 4096 pages cover 16 MiB: a
 * loop striding over a 10 MB array (the sieve) misses once per page, not
 * on every access as with 256 entries.
 *
 * An entry's tag is the page number without the index bits, address /
 * 2^24 (below 2^23 for a user page), in a Float64Array; the compiled
 * code's hit test forms it from the address's two 32-bit words as cpu.ts
 * keeps registers, `mh * 256 + (ml >>> 24)` (gen-util.ts `addr`, `hit`):
 * int32 arithmetic, exact, with no 64-bit address formed as a double
 * (that made memcmp's byte loop 1.7x faster than a double address did),
 * and one load and compare (two tag arrays, low and high word, made the
 * strings benchmark 3% slower). Empty entries hold NaN, which equals
 * nothing.
 */
const TLB_SIZE = 4096;
export const TLB_MASK = TLB_SIZE - 1;
const TAG_UNIT = 2 ** 24;

/** The TLB entry and tag of address `a` (an exact integer below 2^64). */
function entryOf(a: number): number {
  return Math.floor(a / PAGE_SIZE) & TLB_MASK;
}
function tagOf(a: number): number {
  return Math.floor(a / TAG_UNIT);
}

/** Empty the entry of one TLB that holds the page at `a`, if one does. */
function dropEntry(tag: Float64Array, a: number): void {
  const i = entryOf(a);
  if (tag[i] === tagOf(a)) tag[i] = NaN;
}
/** First address that is not canonical user space (2^47). */
const USER_TOP = 0x800000000000;
/** First canonical kernel-half address (2^64 - 2^47), as a (rounded) number. */
const KERNEL_BOTTOM = 18446603336221196288;

function bigAddr(a: number): bigint {
  return BigInt(a) & 0xffffffffffffffffn;
}

export class GuestMemory {
  readonly pages = new Map<number, Page>();
  /** Called when a guest store hits a page holding decoded code. */
  onCodeWrite: (pn: number) => void = () => {};

  // Read TLB (pages readable: any of R, W, X on x86) and write TLB (PROT_WRITE,
  // not code). Public for the block compiler, which inlines the hit path
  // (gen-util.ts); entry i holds the page at a when i === entryOf(a) and
  // tag[i] === tagOf(a).
  readonly rTag = new Float64Array(TLB_SIZE).fill(NaN);
  readonly rView: DataView[] = new Array<DataView>(TLB_SIZE);
  readonly rBytes: Uint8Array[] = new Array<Uint8Array>(TLB_SIZE);
  readonly wTag = new Float64Array(TLB_SIZE).fill(NaN);
  readonly wView: DataView[] = new Array<DataView>(TLB_SIZE);
  readonly wBytes: Uint8Array[] = new Array<Uint8Array>(TLB_SIZE);

  /** High half of the last 64-bit read (read64 returns the low half). */
  hi = 0;
  /** The page fetch8 read last (its number, its bytes), checked executable. */
  private xPn = -1;
  private xBytes: Uint8Array | null = null;

  map(addr: number, len: number, prot: number, host: Uint8Array): void {
    const first = addr / PAGE_SIZE;
    for (let i = 0; i < len / PAGE_SIZE; i++) {
      this.pages.set(first + i, new Page(host, i * PAGE_SIZE, prot));
      this.flushPage(first + i);
    }
  }

  unmap(addr: number, len: number): void {
    const first = addr / PAGE_SIZE;
    for (let i = 0; i < len / PAGE_SIZE; i++) {
      this.pages.delete(first + i);
      this.flushPage(first + i);
    }
  }

  protect(addr: number, len: number, prot: number): void {
    const first = addr / PAGE_SIZE;
    for (let i = 0; i < len / PAGE_SIZE; i++) {
      const p = this.pages.get(first + i);
      if (p) p.prot = prot;
      this.flushPage(first + i);
    }
  }

  /** Drop one page from both TLBs (and the fetch cache). */
  flushPage(pn: number): void {
    if (pn === this.xPn) { this.xPn = -1; this.xBytes = null; }
    dropEntry(this.rTag, pn * PAGE_SIZE);
    dropEntry(this.wTag, pn * PAGE_SIZE);
  }

  /** Mark a page as holding decoded code: stores to it now take the slow path. */
  markCode(pn: number): void {
    const p = this.pages.get(pn);
    if (p) p.code = true;
    dropEntry(this.wTag, pn * PAGE_SIZE);
  }

  /** Look a page up for `access`, or throw the fault the hardware would raise. */
  page(a: number, access: Access): Page {
    const pn = Math.floor(a / PAGE_SIZE);
    const p = this.pages.get(pn);
    if (p === undefined) {
      if (a >= USER_TOP && a < KERNEL_BOTTOM) throw new Trap({ kind: 'gp' });
      throw new Trap({ kind: 'fault', addr: bigAddr(a), access, mapped: false });
    }
    const need = access === 'write' ? PROT_WRITE : access === 'exec' ? PROT_EXEC : PROT_READ | PROT_WRITE | PROT_EXEC;
    if ((p.prot & need) === 0) throw new Trap({ kind: 'fault', addr: bigAddr(a), access, mapped: true });
    return p;
  }

  private fillR(a: number): DataView {
    const p = this.page(a, 'read');
    const i = entryOf(a);
    this.rTag[i] = tagOf(a);
    this.rView[i] = p.view;
    this.rBytes[i] = p.bytes;
    return p.view;
  }

  private fillW(a: number): DataView {
    const p = this.page(a, 'write');
    const i = entryOf(a);
    if (p.code) {
      p.code = false;
      this.onCodeWrite(Math.floor(a / PAGE_SIZE));
    }
    this.wTag[i] = tagOf(a);
    this.wView[i] = p.view;
    this.wBytes[i] = p.bytes;
    return p.view;
  }

  /** DataView of the page holding `a`, checked readable. */
  rv(a: number): DataView {
    const i = entryOf(a);
    return this.rTag[i] === tagOf(a) ? this.rView[i]! : this.fillR(a);
  }

  /** DataView of the page holding `a`, checked writable (code dropped). */
  wv(a: number): DataView {
    const i = entryOf(a);
    return this.wTag[i] === tagOf(a) ? this.wView[i]! : this.fillW(a);
  }

  /** Check that `[a, a+size)` is writable without writing (for read-modify-write and multi-part stores). */
  probeWrite(a: number, size: number): void {
    this.wv(a);
    // The second page is checked at its first byte: that is where the hardware reports the fault.
    if ((a & 0xfff) + size > PAGE_SIZE) this.wv(a - (a & 0xfff) + PAGE_SIZE);
  }

  read8(a: number): number {
    return this.rv(a).getUint8(a & 0xfff);
  }

  read16(a: number): number {
    const o = a & 0xfff;
    if (o <= PAGE_SIZE - 2) return this.rv(a).getUint16(o, true);
    return this.read8(a) | (this.read8(a + 1) << 8);
  }

  read32(a: number): number {
    const o = a & 0xfff;
    if (o <= PAGE_SIZE - 4) return this.rv(a).getUint32(o, true);
    return (this.read16(a) | (this.read16(a + 2) << 16)) >>> 0;
  }

  /** Returns the low 32 bits; the high 32 bits are left in `this.hi`. */
  read64(a: number): number {
    const o = a & 0xfff;
    if (o <= PAGE_SIZE - 8) {
      const v = this.rv(a);
      this.hi = v.getUint32(o + 4, true);
      return v.getUint32(o, true);
    }
    const lo = this.read32(a);
    this.hi = this.read32(a + 4);
    return lo;
  }

  write8(a: number, v: number): void {
    this.wv(a).setUint8(a & 0xfff, v);
  }

  write16(a: number, v: number): void {
    const o = a & 0xfff;
    if (o <= PAGE_SIZE - 2) {
      this.wv(a).setUint16(o, v, true);
      return;
    }
    this.probeWrite(a, 2);
    this.write8(a, v & 0xff);
    this.write8(a + 1, (v >>> 8) & 0xff);
  }

  write32(a: number, v: number): void {
    const o = a & 0xfff;
    if (o <= PAGE_SIZE - 4) {
      this.wv(a).setUint32(o, v, true);
      return;
    }
    this.probeWrite(a, 4);
    for (let k = 0; k < 4; k++) this.write8(a + k, (v >>> (8 * k)) & 0xff);
  }

  write64(a: number, lo: number, hi: number): void {
    const o = a & 0xfff;
    if (o <= PAGE_SIZE - 8) {
      const v = this.wv(a);
      v.setUint32(o, lo, true);
      v.setUint32(o + 4, hi, true);
      return;
    }
    this.probeWrite(a, 8);
    this.write32(a, lo);
    this.write32(a + 4, hi);
  }

  /** Copy `n` guest bytes at `a` into `out` (checked readable). */
  readBytes(a: number, out: Uint8Array, n: number): void {
    for (let k = 0; k < n; k++) out[k] = this.read8(a + k);
  }

  /** Store `n` bytes from `src` at `a`, all-or-nothing. */
  writeBytes(a: number, src: Uint8Array, n: number): void {
    this.probeWrite(a, n);
    for (let k = 0; k < n; k++) this.write8(a + k, src[k]!);
  }

  /**
   * Fetch one instruction byte (checked executable; bypasses the TLBs). The
   * last page fetched from is remembered (flushPage forgets it), so the
   * decoder does not look the page table up for every byte.
   */
  fetch8(a: number): number {
    const pn = Math.floor(a / PAGE_SIZE);
    if (pn === this.xPn) return this.xBytes![a & 0xfff]!;
    const bytes = this.page(a, 'exec').bytes;
    this.xPn = pn;
    this.xBytes = bytes;
    return bytes[a & 0xfff]!;
  }
}
