/**
 * Hot code compiled to JavaScript: when to compile, and the cache of what
 * was compiled (compile.ts does the compiling).
 *
 * A block is a run of decoded instructions from one start address up to the
 * first control transfer (or exception-raising instruction), the end of the
 * page, or MAX_BLOCK instructions. Once an address has started a block HOT
 * times, the block and the blocks of the same page that its direct branches
 * reach (up to MAX_REGION blocks) are compiled together into one function,
 * so a loop of several blocks runs inside it.
 */

import { compileRegion } from './compile.js';
import type { Block, RegionBlock } from './compile.js';
import type { Handler, Insn } from './insn.js';
import { Trap } from './memory.js';
import * as C from './ops/control.js';
import * as Sy from './ops/system.js';

export type { Block } from './compile.js';

/** Longest block, in instructions. */
export const MAX_BLOCK = 32;
/** Most blocks in one compiled region, and most instructions. */
export const MAX_REGION = 16;
export const MAX_REGION_INSNS = 256;
/** Times a start address is reached before its block is compiled. */
export const HOT = 200;

/** Handlers after which a block ends: they change RIP or end run(). */
const ENDERS = new Set<Handler>([
  C.opJccJb, C.opJccJz, C.opJmpJb, C.opJmpJz, C.opCallJz, C.opRet, C.opRetIw,
  C.opLoopneJb, C.opLoopeJb, C.opLoopJb, C.opJrcxzJb, C.opGrp5Ev,
  Sy.opSyscall, Sy.opInt3, Sy.opIcebp, Sy.opHlt, Sy.opUd, Sy.opPrivileged, Sy.opIntIb,
]);

export function endsBlock(i: Insn): boolean {
  return ENDERS.has(i.handler);
}

/** Where a block can continue that is known when compiling: branch targets and the next instruction. */
function successors(last: Insn, ended: boolean): number[] {
  const next = last.addr + last.len;
  if (!ended) return [next];
  const h = last.handler;
  if (h === C.opJccJb || h === C.opJccJz || h === C.opLoopneJb || h === C.opLoopeJb || h === C.opLoopJb || h === C.opJrcxzJb) return [last.target, next];
  if (h === C.opJmpJb || h === C.opJmpJz) return [last.target];
  return [];
}

/** Compiled blocks of one code page, by offset, and how often each offset started a block. */
interface BlockPage {
  blocks: (Block | null | undefined)[];
  hits: Uint8Array;
}

const PAGE = 4096;

/**
 * The compiled blocks of one CPU: per code page, the block at each start
 * offset (null: none can be made there) and a start counter, with a small
 * direct-mapped cache in front (returns and indirect calls miss the chain).
 * A page's blocks die with its decoded code (dropPage).
 */
export class BlockCache {
  private readonly pages = new Map<number, BlockPage>();
  private lastPn = -1;
  private lastPage: BlockPage | undefined;
  private readonly quickAddr = new Float64Array(1024).fill(-1);
  private readonly quickBlock = new Array<Block | null>(1024).fill(null);
  private readonly hot: number;

  /**
   * @param hot starts before a block is compiled (1 to 255)
   * @param hasCode whether the page has decoded instructions yet
   * @param fetch the CPU's decoded instruction at an address (may throw a Trap)
   */
  constructor(hot: number, private readonly hasCode: (pn: number) => boolean, private readonly fetch: (a: number) => Insn) {
    this.hot = Math.min(255, Math.max(1, hot));
  }

  /** The compiled block starting at `a`, compiling it once hot; null while cold or when there is none. */
  at(a: number): Block | null {
    const h = ((a & 0xfff) ^ (a >>> 12)) & 1023;
    if (this.quickAddr[h] === a) {
      const q = this.quickBlock[h]!;
      if (!q.dead) return q;
    }
    const found = this.lookup(a);
    if (found !== null) { this.quickAddr[h] = a; this.quickBlock[h] = found; }
    return found;
  }

  private lookup(a: number): Block | null {
    const pn = Math.floor(a / PAGE);
    let bp = pn === this.lastPn ? this.lastPage : this.pages.get(pn);
    if (bp === undefined) {
      if (!this.hasCode(pn)) return null; // nothing decoded here yet: the interpreter decodes first
      bp = { blocks: new Array<Block | null | undefined>(PAGE), hits: new Uint8Array(PAGE) };
      this.pages.set(pn, bp);
    }
    this.lastPn = pn;
    this.lastPage = bp;
    const off = a - pn * PAGE;
    const b = bp.blocks[off];
    if (b !== undefined) return b;
    if (++bp.hits[off]! < this.hot) return null;
    const made = this.region(a, pn, bp);
    if (this.pages.get(pn) !== bp) return null; // dropped meanwhile (decoding does not write, but be safe)
    if (made === null) { bp.blocks[off] = null; return null; }
    // The region's other blocks become entries too, where nothing is compiled yet.
    for (const [start, entry] of made) if (bp.blocks[start - pn * PAGE] === undefined) bp.blocks[start - pn * PAGE] = entry;
    return made.get(a)!;
  }

  /** Gather and compile the region entered at `a` (blocks of page pn, breadth first), its entries by address; null if `a` cannot be fetched. */
  private region(a: number, pn: number, bp: BlockPage): Map<number, Block> | null {
    const blocks: RegionBlock[] = [];
    const seen = new Set<number>([a]);
    const queue = [a];
    let total = 0;
    while (queue.length > 0 && blocks.length < MAX_REGION && total < MAX_REGION_INSNS) {
      const b = this.gather(queue.shift()!, pn);
      if (b === null) {
        if (blocks.length === 0) return null;
        continue;
      }
      blocks.push(b);
      total += b.insns.length;
      for (const t of b.next) {
        // A block already compiled (a loop compiled before the function
        // around it got hot) is left to its own region: run() chains to it.
        if (Math.floor(t / PAGE) === pn && !seen.has(t) && !bp.blocks[t - pn * PAGE]) { seen.add(t); queue.push(t); }
      }
    }
    return compileRegion(blocks);
  }

  /** The decoded instructions from `a` to a control transfer, the end of page pn or MAX_BLOCK; null if none. */
  private gather(a: number, pn: number): RegionBlock | null {
    const insns: Insn[] = [];
    const end = (pn + 1) * PAGE;
    let p = a, ended = false;
    try {
      while (insns.length < MAX_BLOCK && p < end) {
        const i = this.fetch(p);
        if (i.addr + i.len > end) break; // straddles into the next page: never in a block
        insns.push(i);
        p = i.addr + i.len;
        if (endsBlock(i)) { ended = true; break; }
      }
    } catch (e) {
      if (!(e instanceof Trap)) throw e; // the next instruction cannot be fetched: end before it
    }
    if (insns.length === 0) return null;
    return { insns, next: successors(insns[insns.length - 1]!, ended) };
  }

  /** Forget a page's blocks; chained successors may still point at them, so they are marked dead. */
  dropPage(pn: number): void {
    const bp = this.pages.get(pn);
    if (bp !== undefined) {
      for (const b of bp.blocks) if (b) b.dead = true;
      this.pages.delete(pn);
    }
    if (pn === this.lastPn) { this.lastPn = -1; this.lastPage = undefined; }
  }

  clear(): void {
    for (const pn of [...this.pages.keys()]) this.dropPage(pn);
  }
}
