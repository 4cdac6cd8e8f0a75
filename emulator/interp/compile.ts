/**
 * The block compiler: a region of basic blocks of one code page becomes one
 * JavaScript function (blocks.ts decides when and caches the result).
 *
 * A region is an entry block plus the blocks of the same page that its
 * direct branches reach (jcc, jmp, falling through), so a loop of several
 * blocks (memcmp's compare-and-advance, the sieve's inner loop) runs inside
 * one function: a `switch` on the block number inside a `for (;;)`, and a
 * branch between blocks of the region is a compare and a `continue`, never
 * a return to run().
 *
 * Each instruction is a template (gen.ts, gen-mem.ts) with its registers,
 * immediates and sizes folded in, or a call to its handler, a constant of
 * the closure that V8 inlines. The interpreter's contract is kept exactly:
 * - `c.rip` is the next instruction's address before each handler runs;
 * - `c.bi` is the running instruction's index in `insns` and `c.bd` the
 *   instructions completed before its block started, minus the block's
 *   first index, so a Trap puts RIP back on the instruction and counts
 *   exactly what retired (run() catches it);
 * - a store that drops decoded code sets `c.smc` and the function returns;
 * - before each block the budget run() handed over is checked, so a
 *   region never retires more instructions than asked.
 * The function returns the number of instructions it completed.
 *
 * Flags: a template's stores of the lazy flags are marked (gen-util.ts
 * `flagsOut`). Within a block, when a later instruction overwrites every
 * arithmetic flag and nothing in between reads them or can fault (a fault
 * shows the flags to a signal handler), the stores are dropped; and a
 * jcc/setcc/cmov whose flags come from a known operation earlier in the
 * same block tests the operands directly (gen-util.ts `condJs`).
 */

import type { InterpCpu } from './cpu.js';
import { cond, getCF } from './flags.js';
import { ea, pop, push } from './operands.js';
import { genBranches, genInsn } from './gen.js';
import type { FlagState } from './gen-util.js';
import type { Insn } from './insn.js';
import { TLB_MASK } from './memory.js';

/** A compiled region: what run() and the block cache need of it. */
export interface Block {
  /** All the instructions of the region, block after block (c.bi indexes this). */
  readonly insns: readonly Insn[];
  /** Instructions in the entry block (run() enters only with at least that much budget). */
  readonly first: number;
  /** Run from the entry block while the budget allows; returns the instructions completed. */
  readonly run: (c: InterpCpu, budget: number) => number;
  /** Its page's code was dropped: never run it again (chained blocks check). */
  dead: boolean;
  /** Chaining: the last two addresses execution continued at, and their blocks (-1: none). */
  t0: number; s0: Block | null;
  t1: number; s1: Block | null;
}

/** One basic block of a region and its static successors (addresses). */
export interface RegionBlock {
  insns: Insn[];
  next: number[];
}

const F_SECTION = /\/\*F\{\*\/[^]*?\/\*\}F\*\//g;
const D_SECTION = /\/\*D\{\*\/[^]*?\/\*\}D\*\//g;
const D_MARKS = /\/\*D\{\*\/|\/\*\}D\*\//g;
const F_MARKS = /\/\*F\{\*\/|\/\*\}F\*\//g;

/** What the flag analysis needs to know of one instruction's code. */
interface Piece {
  code: string;
  /** Sets every arithmetic flag without reading them (it has a flagsOut section). */
  writes: boolean;
  /** Reads flags, or calls a handler (which may). */
  reads: boolean;
  /** May stop the block before completing (fault, self-modified code). */
  stops: boolean;
}

function piece(code: string): Piece {
  const core = code.replace(F_SECTION, '').replace(D_SECTION, '');
  return {
    code,
    writes: code.includes('/*F{*/'),
    reads: /\bcond\(|getCF\(|\bc\.f[A-Za-z]+\b|\bh\d+\(/.test(core),
    stops: /c\.bi =|\breturn\b|\bh\d+\(/.test(core),
  };
}

/** The lazy operation and size a template leaves pending, from its flagsOut section; null if not known. */
function flagState(code: string): FlagState | null {
  const f = code.match(F_SECTION);
  if (!f) return null;
  const last = f[f.length - 1]!;
  const op = /c\.fOp = (\d+);/.exec(last), size = /c\.fSize = (\d+);/.exec(last);
  return op && size ? { op: Number(op[1]), size: Number(size[1]) } : null;
}

/**
 * JavaScript for one block of a region: its instructions (global indices
 * from g0), the flag analysis applied. Leaves c.rip on the address where
 * execution continues.
 */
function genBlock(insns: Insn[], g0: number, templates: boolean): string {
  const pieces: Piece[] = [];
  let flags: FlagState | null = null;
  insns.forEach((i, k) => {
    const g = g0 + k, last = k === insns.length - 1;
    const js = templates ? genInsn(i, g, flags) : null;
    if (js !== null) {
      pieces.push(piece(js + (last && !genBranches(i) ? ` c.rip = ${i.addr + i.len};` : '')));
      flags = js.includes(`h${g}(`) ? null : flagState(js) ?? (js.includes('c.fOp') ? null : flags);
      return;
    }
    const call = `c.bi = ${g}; c.rip = ${i.addr + i.len}; h${g}(c, i${g});${last ? '' : ` if (c.smc) return b0 + ${g + 1};`}`;
    pieces.push(piece(call));
    flags = null;
  });
  // Backwards: are the flags an instruction leaves read before being overwritten?
  let live = true;
  for (let k = pieces.length - 1; k >= 0; k--) {
    const p = pieces[k]!;
    if (p.writes) p.code = live ? p.code.replace(D_SECTION, '').replace(F_MARKS, '') : p.code.replace(F_SECTION, '').replace(D_MARKS, '');
    if (p.reads || p.stops) live = true;
    else if (p.writes) live = false;
  }
  return pieces.map((p) => `    ${p.code}\n`).join('');
}

/**
 * Compile a region into one function. `blocks[0]` is the entry; a
 * successor address that starts a block of the region continues there.
 */
export function compileRegion(blocks: RegionBlock[], templates = true): Block {
  const insns: Insn[] = blocks.flatMap((b) => b.insns);
  const index = new Map<number, number>(blocks.map((b, n) => [b.insns[0]!.addr, n]));
  const params: string[] = ['cond', 'ea', 'getCF', 'push', 'pop'];
  const args: unknown[] = [cond, ea, getCF, push, pop];
  insns.forEach((i, g) => { params.push(`h${g}`, `i${g}`); args.push(i.handler, i); });
  let body = `  const r = c.r, m = c.mem, rTL = m.rTagLo, rTH = m.rTagHi, rB = m.rBytes, rV = m.rView, wTL = m.wTagLo, wTH = m.wTagHi, wB = m.wBytes, wV = m.wView, xd = c.xd, TLB = ${TLB_MASK};\n`;
  body += '  let done = 0, L = 0;\n  for (;;) switch (L) {\n';
  let g0 = 0;
  blocks.forEach((b, n) => {
    const len = b.insns.length, start = b.insns[0]!.addr;
    body += `  case ${n}: {\n    if (done + ${len} > budget) { c.rip = ${start}; return done; }\n`;
    body += `    const b0 = done - ${g0}; c.bd = b0;\n`;
    body += genBlock(b.insns, g0, templates);
    body += `    done += ${len};\n`;
    const lastInsn = b.insns[len - 1]!;
    const inner = b.next.filter((a) => index.has(a));
    if (!(templates && genInsn(lastInsn, g0 + len - 1, null) !== null)) body += '    if (c.exit !== null || c.smc) return done;\n';
    if (inner.length > 0) body += `    { const nx = c.rip; ${inner.map((a) => `if (nx === ${a}) { L = ${index.get(a)}; continue; }`).join(' ')} }\n`;
    body += '    return done;\n  }\n';
    g0 += len;
  });
  body += '  default: return done;\n  }\n';
  const name = `region_${blocks[0]!.insns[0]!.addr.toString(16)}`;
  const make = new Function(...params, `return function ${name}(c, budget) {\n${body}};`) as (...a: unknown[]) => (c: InterpCpu, budget: number) => number;
  return { insns, first: blocks[0]!.insns.length, run: make(...args), dead: false, t0: -1, s0: null, t1: -1, s1: null };
}

