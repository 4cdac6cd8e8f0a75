/**
 * Basic blocks compiled to JavaScript: the first step from interpreter to
 * compiler (issue 6 builds on it).
 *
 * A block is a run of decoded instructions from one start address up to the
 * first control transfer (or exception-raising instruction), the end of the
 * page, or MAX_BLOCK instructions. Once its start has been reached HOT times
 * it is compiled with `new Function` into one JavaScript function that calls
 * each instruction's handler in turn. Each handler becomes a constant of
 * that function's closure, so every call site sees one target and V8 can
 * inline the handler bodies: the dispatch of the interpreter loop (decode
 * cache lookup, indirect call, exit check) disappears inside a block.
 *
 * The generated code keeps the interpreter's contract exactly:
 * - `c.rip` is set to the next instruction before each handler runs (as the
 *   run loop does), so branches, calls and syscall see what they expect;
 * - `c.bi` holds the index of the running instruction, so a Trap thrown by
 *   a handler puts RIP back on that instruction (run() catches it);
 * - after every instruction but the last, `c.smc` is checked: a store that
 *   hit a page holding decoded code (self-modifying code) sets it, and the
 *   block returns so that the next instruction is fetched afresh.
 * The function returns how many instructions it completed.
 */

import type { InterpCpu } from './cpu.js';
import { cond, getCF } from './flags.js';
import { ea, pop, push } from './operands.js';
import { genBranches, genInsn } from './gen.js';
import type { Handler, Insn } from './insn.js';
import { Trap } from './memory.js';
import * as C from './ops/control.js';
import * as Sy from './ops/system.js';

/** Longest block, in instructions. */
export const MAX_BLOCK = 32;
/** Times a start address is reached before its block is compiled. */
export const HOT = 200;

/** Handlers after which a block ends: they change RIP or end run(). */
const ENDERS = new Set<Handler>([
  C.opJccJb, C.opJccJz, C.opJmpJb, C.opJmpJz, C.opCallJz, C.opRet, C.opRetIw,
  C.opLoopneJb, C.opLoopeJb, C.opLoopJb, C.opJrcxzJb, C.opGrp5Ev,
  Sy.opSyscall, Sy.opInt3, Sy.opHlt, Sy.opUd, Sy.opPrivileged, Sy.opIntIb,
]);

export function endsBlock(i: Insn): boolean {
  return ENDERS.has(i.handler);
}

export interface Block {
  /** The instructions, in order (for fault recovery and tracing). */
  readonly insns: readonly Insn[];
  /** Run the block (again while it loops to itself and `budget` allows); returns the instructions completed. */
  readonly run: (c: InterpCpu, budget: number) => number;
  /** Its page's code was dropped: never run it again (chained blocks check). */
  dead: boolean;
  /** Chaining: the last two addresses execution continued at, and their blocks (-1: none). */
  t0: number; s0: Block | null;
  t1: number; s1: Block | null;
}

/**
 * Compile a run of instructions into one function. Forms with a template
 * (gen.ts) are inlined as JavaScript; the others call their handler.
 */
export function compileBlock(insns: Insn[], templates = true): Block {
  const params: string[] = ['cond', 'ea', 'getCF', 'push', 'pop'];
  const args: unknown[] = [cond, ea, getCF, push, pop];
  let body = '  const r = c.r, m = c.mem, rT = m.rTag, rB = m.rBytes, rV = m.rView, wT = m.wTag, wB = m.wBytes, wV = m.wView, xd = c.xd;\n  let pg = 0;\n';
  body += '  let done = 0;\n';
  const start = insns[0]!.addr, n = insns.length;
  const lastInsn = insns[n - 1]!;
  // A block that branches back to its own start loops inside the function
  // while the budget allows (run() passes at most 65536, keeping its time checks).
  const loops = endsBlock(lastInsn) && lastInsn.target === start && lastInsn.handler !== C.opCallJz;
  if (loops) body += '  for (;;) {\n';
  insns.forEach((i, k) => {
    const last = k === insns.length - 1;
    params.push(`h${k}`, `i${k}`);
    args.push(i.handler, i);
    const js = templates ? genInsn(i, k) : null;
    if (js !== null) {
      // Template code: faults leave c.bi on it; stores check c.smc themselves.
      body += `  ${js}\n`;
      if (last && !genBranches(i)) body += `  c.rip = ${i.addr + i.len};\n`;
      return;
    }
    body += `  c.bi = ${k}; c.rip = ${i.addr + i.len}; h${k}(c, i${k});\n`;
    if (!last) body += `  if (c.smc) return done + ${k + 1};\n`;
  });
  if (loops) body += `  done += ${n};\n  if (c.rip !== ${start} || c.smc || c.exit !== null || done + ${n} > budget) return done;\n  }\n`;
  else body += `  return ${n};\n`;
  const name = `block_${start.toString(16)}`;
  const make = new Function(...params, `return function ${name}(c, budget) {\n${body}};`) as (...a: unknown[]) => (c: InterpCpu, budget: number) => number;
  return { insns, run: make(...args), dead: false, t0: -1, s0: null, t1: -1, s1: null };
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
    // Gather the block: decoded instructions up to a control transfer, the page end or MAX_BLOCK.
    const insns: Insn[] = [];
    const end = (pn + 1) * PAGE;
    let p = a;
    try {
      while (insns.length < MAX_BLOCK && p < end) {
        const i = this.fetch(p);
        if (i.addr + i.len > end) break; // straddles into the next page: never in a block
        insns.push(i);
        p = i.addr + i.len;
        if (endsBlock(i)) break;
      }
    } catch (e) {
      if (!(e instanceof Trap)) throw e; // the next instruction cannot be fetched: end before it
    }
    if (this.pages.get(pn) !== bp) return null; // dropped meanwhile (decoding does not write, but be safe)
    const made = insns.length === 0 ? null : compileBlock(insns);
    bp.blocks[off] = made;
    return made;
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
