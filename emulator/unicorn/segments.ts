/**
 * What a unicorn Cpu has mapped, mirroring Unicorn's own region list: one
 * segment per uc_mem_map_ptr region, split where Unicorn splits a region
 * (a partial unmap or protect). It keeps the host buffers alive while they
 * are mapped, finds the host byte behind a guest address, and remembers
 * which segments were ever executable (only those can hold translated code).
 */

export interface Segment {
  start: bigint;
  end: bigint;
  host: Uint8Array;
  /** Ever mapped with PROT_EXEC: Unicorn may hold translated blocks of it. */
  exec: boolean;
}

export class SegmentList {
  private list: Segment[] = [];

  /** Throws if [start, end) overlaps a segment (a kernel bug). */
  checkFree(start: bigint, end: bigint): void {
    if (this.list.some((s) => s.start < end && start < s.end)) {
      throw new Error(`unicorn: map(0x${start.toString(16)}, ${end - start}): overlaps an existing mapping`);
    }
  }

  insert(seg: Segment): void {
    const i = this.list.findIndex((s) => s.start > seg.start);
    this.list.splice(i < 0 ? this.list.length : i, 0, seg);
  }

  /**
   * Check that [start, end) is entirely mapped and split the segments at its
   * two ends; returns the segments inside it.
   */
  split(start: bigint, end: bigint, what: string): Segment[] {
    let at = start;
    const out: Segment[] = [];
    const inside: Segment[] = [];
    for (const s of this.list) {
      if (s.end <= start || s.start >= end) {
        out.push(s);
        continue;
      }
      if (s.start > at) break; // a hole
      at = s.end;
      const lo = s.start > start ? s.start : start;
      const hi = s.end < end ? s.end : end;
      if (s.start < lo) out.push(piece(s, s.start, lo));
      const mid = piece(s, lo, hi);
      out.push(mid);
      inside.push(mid);
      if (hi < s.end) out.push(piece(s, hi, s.end));
    }
    if (at < end) {
      throw new Error(`unicorn: ${what}(0x${start.toString(16)}, ${end - start}): not entirely mapped`);
    }
    this.list = out;
    return inside;
  }

  /** Remove the segments inside [start, end) (split there first). */
  remove(start: bigint, end: bigint): void {
    this.list = this.list.filter((s) => s.end <= start || s.start >= end);
  }

  /** The executable-ever parts of [start, end), as [lo, hi) ranges within one segment each. */
  codeRanges(start: bigint, end: bigint): Array<[bigint, bigint]> {
    const out: Array<[bigint, bigint]> = [];
    for (const s of this.list) {
      if (!s.exec || s.end <= start || s.start >= end) continue;
      out.push([s.start > start ? s.start : start, s.end < end ? s.end : end]);
    }
    return out;
  }

  /** The host byte behind guest address `addr`, or -1 if unmapped. */
  byteAt(addr: bigint): number {
    const s = this.list.find((x) => x.start <= addr && addr < x.end);
    return s ? s.host[Number(addr - s.start)] : -1;
  }

  clear(): void {
    this.list = [];
  }
}

function piece(s: Segment, lo: bigint, hi: bigint): Segment {
  return { start: lo, end: hi, exec: s.exec, host: s.host.subarray(Number(lo - s.start), Number(hi - s.start)) };
}
