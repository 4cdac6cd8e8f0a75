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
  /** Run the block; returns the number of instructions completed. */
  readonly run: (c: InterpCpu) => number;
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
    if (!last) body += `  if (c.smc) return ${k + 1};\n`;
  });
  body += `  return ${insns.length};\n`;
  const name = `block_${insns[0]!.addr.toString(16)}`;
  const make = new Function(...params, `return function ${name}(c) {\n${body}};`) as (...a: unknown[]) => (c: InterpCpu) => number;
  return { insns, run: make(...args), dead: false, t0: -1, s0: null, t1: -1, s1: null };
}
