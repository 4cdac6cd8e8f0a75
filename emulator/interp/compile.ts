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
 * - the budget run() handed over is checked where a loop can come back
 *   (see `checks`), for the longest run of blocks to the next check, so a
 *   region never retires more instructions than asked.
 * The function returns the number of instructions it completed.
 *
 * Registers: the guest registers a region uses live in JavaScript locals
 * `$r0`..., like the flags (below): loaded on entry, stored back before
 * whatever may look at `c.r` (a handler, push/pop, ea(), a TLB miss, a
 * return), only those written since they were last stored or loaded
 * (`Dirty`), and reloaded after a handler where next read (push/pop: RSP
 * alone).
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
import { condJs } from './gen-util.js';
import type { FlagState } from './gen-util.js';
import * as C from './ops/control.js';
import type { Insn } from './insn.js';
import { TLB_MASK } from './memory.js';

/**
 * An entry into a compiled region: what run() and the block cache need.
 * Every block of a region is an entry (the function starts at its label),
 * so run() re-entering a loop at any of its blocks (after a time check, a
 * budget, a return from a call) runs the same function, and one loop is
 * compiled (and warmed up by V8) once, not once per block it is entered at.
 */
export interface Block {
  /** All the instructions of the region, block after block (c.bi indexes this). */
  readonly insns: readonly Insn[];
  /** The region's function; `entry` is the label to start at. */
  readonly fn: RegionFn;
  readonly entry: number;
  /** The most instructions run from the entry block before the region checks its budget (run() enters only with that much left). */
  readonly first: number;
  /** Its page's code was dropped: never run it again (chained blocks check). */
  dead: boolean;
  /** Chaining: the last two addresses execution continued at, and their blocks (-1: none). */
  t0: number; s0: Block | null;
  t1: number; s1: Block | null;
}

/** A region's function: run from block `entry` while the budget allows; returns the instructions completed. */
export type RegionFn = (c: InterpCpu, budget: number, entry: number) => number;

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
  /** A handler call compile.ts made (unconditional: the record is in the CPU object after it). */
  call?: boolean;
  /** The instruction's index in the region (-1: none, the closing jcc's condition). */
  g: number;
}

function piece(code: string, g: number): Piece {
  const core = code.replace(F_SECTION, '').replace(D_SECTION, '');
  return {
    code,
    g,
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

// ---- the lazy flags in locals ------------------------------------------

/**
 * Inside a region the lazy-flag record (flags.ts: fOp, fSize, fDst*, fSrc*,
 * fRes*, fCin) lives in JavaScript locals `$fOp`..., which V8 keeps in
 * registers: a `cmp; je` costs no stores. The record goes back to the CPU
 * object only where something else may see it: before a handler, cond(),
 * getCF(), push/pop or a TLB miss (each may read the flags or fault, and a
 * fault shows them to a signal handler), and at every return from the
 * region. After a handler the locals are reloaded where something next
 * reads them (it may set flags).
 */
const FLAG_FIELDS = ['fOp', 'fSize', 'fDstLo', 'fDstHi', 'fSrcLo', 'fSrcHi', 'fResLo', 'fResHi', 'fCin'];
const FLAG = `\\bc\\.(${FLAG_FIELDS.join('|')})\\b`;
const FLAG_REF = new RegExp(FLAG, 'g');
/** A piece that changes the flag record. */
const FLAG_WRITE = new RegExp(`${FLAG} =[^=]`);
const REG_REF = /\br\[(\d+)\]/g;
/** A piece that reads or writes flags or registers (they must be in the locals first). */
const STATE_REF = new RegExp(`${FLAG}|${REG_REF.source}`);
const REG_WRITE = /\br\[(\d+)\] =(?!=)/g;
/**
 * Marks left in the code until the region's registers are known
 * (compileRegion fills them in): the stores of the locals back into the
 * CPU object, their reload after a handler, RSP's after push/pop.
 */
const SPILL_MARK = /\/\*S:([^*]*)\*\/0/g;
const RELOAD_MARK = '/*R*/';
const RSP_MARK = '/*RSP*/';

/**
 * The locals that may differ from the CPU object at a point of the code
 * (written since they were last stored or loaded): 'f' for the flag
 * record, register word numbers for the registers. A store back writes
 * these alone, so a handler call after `add rax, 16` stores RAX and the
 * flags, not every register the region uses.
 */
type Dirty = ReadonlySet<string>;
/** Every local (the default case, never taken). */
const ALL: Dirty = new Set(['all']);

/** `c`, after the dirty locals are stored back: the first argument of every call out. */
function spillC(dirty: Dirty): string {
  return dirty.size === 0 ? 'c' : `(/*S:${[...dirty].join(',')}*/0, c)`;
}

/** What a piece writes of the locals. */
function written(code: string): string[] {
  const w = [...code.matchAll(REG_WRITE)].map((m) => m[1]!);
  return FLAG_WRITE.test(code) ? ['f', ...w] : w;
}

const LOCALS = `let ${FLAG_FIELDS.map((f) => `$${f} = c.${f}`).join(', ')};`;

/** A piece with the record in locals; `dirty`: the locals to store before a call out. */
function localState(code: string, dirty: Dirty): string {
  const c = spillC(dirty);
  return code.replace(FLAG_REF, '$$$1')
    .replace(/\bh(\d+)\(c, i(\d+)\);/g, `{ h$1(${c}, i$2); ${RELOAD_MARK} }`)
    .replace(/\b(push|pop)\(c\b([^;]*);/g, `$1(${c}$2; ${RSP_MARK}`)
    .replace(/\b(cond|getCF|ea)\(c\b/g, `$1(${c}`)
    .replace(/\breturn ([^;{}]+);/g, `return (${c}, $1);`);
}

/**
 * A handler call compile.ts made (`c.bi = g; c.rip = a; hg(c, ig);` and a
 * self-modified-code return): the locals are stored before it if the CPU
 * object is behind them, and not reloaded here (emitBlock reloads them
 * where they are next read), so its return must not store them.
 */
function handlerCall(code: string, dirty: Dirty): string {
  return code.replace(/\bh(\d+)\(c, /, `h$1(${spillC(dirty)}, `);
}

/**
 * The region's code with its registers in locals: `r[n]` becomes `$rn`,
 * declared and loaded on entry; the marks become the stores of the locals
 * (flags, and the registers the region writes) and their reloads.
 */
function localRegisters(body: string): { decl: string; body: string } {
  const used = [...new Set([...body.matchAll(REG_REF)].map((m) => Number(m[1])))].sort((a, b) => a - b);
  const stored = [...new Set([...body.matchAll(REG_WRITE)].map((m) => Number(m[1])))].sort((a, b) => a - b);
  const spill = (set: string): string => {
    const all = set === 'all', names = new Set(set.split(','));
    const f = all || names.has('f') ? FLAG_FIELDS.map((x) => `c.${x} = $${x}`) : [];
    return [...f, ...stored.filter((n) => all || names.has(String(n))).map((n) => `r[${n}] = $r${n}`)].join(', ');
  };
  const reload = [...FLAG_FIELDS.map((f) => `$${f} = c.${f};`), ...used.map((n) => `$r${n} = r[${n}];`)].join(' ');
  const rsp = used.filter((n) => n === 8 || n === 9).map((n) => `$r${n} = r[${n}];`).join(' ');
  // A Uint32Array store converts to uint32 (templates leave int32 results
  // of & | ^ ~ << and sums past 2^32 to it); a local is given the same.
  const uint32 = (all: string, n: string, v: string): string => /^\d+$|^[^?]*>>> 0\)?$/.test(v) ? all : `r[${n}] = (${v}) >>> 0;`;
  return {
    decl: used.length > 0 ? `  let ${used.map((n) => `$r${n} = r[${n}]`).join(', ')};\n` : '',
    body: body.replace(/\br\[(\d+)\] = ([^;]+);/g, uint32).replace(REG_REF, '$$r$1').replace(SPILL_MARK, (_m, set: string) => spill(set)).split(RELOAD_MARK).join(reload).split(RSP_MARK).join(rsp),
  };
}

/**
 * Where instruction g may fault, tell run() which one it is (`c.bi`) and
 * what its block had retired (`c.bd`). A template whose only way to fault
 * is a TLB miss (its inline hit path cannot) stores them on the miss path
 * alone, so a hit costs no store; anything else stores them up front.
 */
function faultIndex(code: string, g: number): string {
  const mark = `c.bi = ${g}; `;
  if (!code.includes(mark)) return code;
  if (/\b(push|pop|h\d+)\(/.test(code)) return code.replace(mark, `${mark}c.bd = b0; `);
  return code.replace(mark, '').replace(/\bm\.(\w+)\(ea\((c|\(.*?, c\)), (i\d+)\)/g, `m.$1((c.bi = ${g}, c.bd = b0, ea($2, $3))`);
}

/** Leave the region: the dirty locals back in the CPU, the instructions done returned. */
function exit(dirty: Dirty): string {
  return `return (${spillC(dirty)}, done);`;
}

// ---- blocks ----------------------------------------------------------------

/** A block ending in a direct jcc/jmp exits by a JavaScript branch to its targets' labels (or returns), not through c.rip. */
function directExit(insns: Insn[], templates: boolean): boolean {
  const h = insns[insns.length - 1]!.handler;
  return templates && (h === C.opJccJb || h === C.opJmpJb);
}

/** One block of a region, its instructions as pieces with the flag analysis done. */
interface BlockPlan {
  insns: Insn[];
  /** The region index of its first instruction. */
  g0: number;
  pieces: Piece[];
  /** Ends in a direct jcc/jmp (a `taken` piece last for a jcc). */
  direct: boolean;
  /** Ends in a handler call (call, ret, syscall...). */
  handlerLast: boolean;
}

/** The pieces of one block (instructions numbered from g0), the flags an instruction leaves dropped where nothing reads them. */
function planBlock(insns: Insn[], g0: number, templates: boolean): BlockPlan {
  const pieces: Piece[] = [];
  let flags: FlagState | null = null;
  const lastInsn = insns[insns.length - 1]!;
  const direct = directExit(insns, templates);
  const body = direct ? insns.slice(0, -1) : insns;
  let handlerLast = false;
  body.forEach((i, k) => {
    const g = g0 + k, last = k === insns.length - 1;
    const js = templates ? genInsn(i, g, flags) : null;
    if (js !== null) {
      pieces.push(piece(js + (last && !genBranches(i) ? ` c.rip = ${i.addr + i.len};` : ''), g));
      flags = js.includes(`h${g}(`) ? null : flagState(js) ?? (js.includes('c.fOp') ? null : flags);
      return;
    }
    const call = `c.bi = ${g}; c.rip = ${i.addr + i.len}; h${g}(c, i${g});${last ? '' : ` if (c.smc) return b0 + ${g + 1};`}`;
    pieces.push({ ...piece(call, g), call: true });
    flags = null;
    handlerLast = last;
  });
  if (direct) {
    const cond = lastInsn.handler === C.opJccJb ? condJs(lastInsn.op & 15, flags) : null;
    pieces.push(piece(cond === null ? '' : `const taken = ${cond};`, -1));
  }
  // Backwards: are the flags an instruction leaves read before being overwritten?
  let live = true;
  for (let k = pieces.length - 1; k >= 0; k--) {
    const p = pieces[k]!;
    if (p.writes) p.code = live ? p.code.replace(D_SECTION, '').replace(F_MARKS, '') : p.code.replace(F_SECTION, '').replace(D_MARKS, '');
    if (p.reads || p.stops) live = true;
    else if (p.writes) live = false;
  }
  return { insns, g0, pieces, direct, handlerLast };
}

/** The locals dirty after a block entered with `dirty`: a handler call stores them all; a piece's writes add. */
function dirtyOut(plan: BlockPlan, dirty: Dirty): Dirty {
  let d = new Set(dirty);
  for (const p of plan.pieces) {
    if (p.call === true) d = new Set();
    else for (const w of written(p.code)) d.add(w);
  }
  return d;
}

/**
 * JavaScript for one planned block, from after its budget check to where
 * it continues, entered with the locals `dirty`: `goto` gives the code that
 * continues at an address (a label of the region, or a return), and `next`
 * whether an address is the block that follows (reached by falling through).
 *
 * Flags and registers live in locals, stored back only where they may
 * differ from the CPU object (`dirty`), and reloaded after a handler call
 * only where something next reads them (`stale`): a run of SSE handlers
 * costs no stores or loads of the general registers between them.
 */
function emitBlock(plan: BlockPlan, dirty: Dirty, goto: (a: number, dirty: Dirty) => string, next: (a: number) => boolean): string {
  const { insns, pieces, direct, handlerLast } = plan;
  let d = new Set(dirty);
  let stale = false;
  let code = '';
  for (const p of pieces) {
    let js: string;
    if (p.call === true) {
      js = faultIndex(handlerCall(p.code, d), p.g);
      d = new Set();
      stale = true;
    } else {
      if (stale && STATE_REF.test(p.code)) { code += `    ${RELOAD_MARK}\n`; stale = false; }
      // Stores inside the piece may follow its own writes: count them first.
      for (const w of written(p.code)) d.add(w);
      js = p.g < 0 ? localState(p.code, d) : faultIndex(localState(p.code, d), p.g);
    }
    code += `    ${js}\n`;
  }
  if (stale) code += `    ${RELOAD_MARK}\n`;
  code += `    done += ${insns.length};\n`;
  const lastInsn = insns[insns.length - 1]!;
  if (direct) {
    // The successor that is the next case is reached by falling through
    // (no dispatch on L): memcmp's loop runs one switch per byte, not two.
    const t = lastInsn.target, f = lastInsn.addr + lastInsn.len;
    if (lastInsn.handler !== C.opJccJb) code += next(t) ? '' : `    ${goto(t, d)}\n`;
    else if (next(f)) code += `    if (taken) { ${goto(t, d)} }\n`;
    else if (next(t)) code += `    if (!taken) { ${goto(f, d)} }\n`;
    else code += `    if (taken) { ${goto(t, d)} }\n    ${goto(f, d)}\n`;
    return code;
  }
  if (handlerLast) code += `    if (c.exit !== null || c.smc) ${exit(d)}\n`;
  return code;
}

/**
 * Where a region checks its budget. A check before every block would cost
 * a compare and branch per block of a loop; instead only the blocks a
 * branch of the region can come back to (from itself or a later block:
 * every cycle has such an edge) check, each for `need`, the most
 * instructions run from there before the next check or the region's end.
 * A block that does not check is entered from run() only with its `need`
 * (Block.first), or from a block whose check covered it.
 */
function checks(blocks: RegionBlock[], succ: number[][]): { check: boolean[]; need: number[] } {
  const check = blocks.map(() => false);
  succ.forEach((ss, n) => ss.forEach((t) => { if (t <= n) check[t] = true; }));
  // A successor that does not check comes later (an edge back marks its target), so one pass from the end.
  const need = blocks.map((b) => b.insns.length);
  for (let n = blocks.length - 1; n >= 0; n--) {
    for (const t of succ[n]!) if (!check[t]) need[n] = Math.max(need[n]!, blocks[n]!.insns.length + need[t]!);
  }
  return { check, need };
}

/**
 * The locals that may be dirty where each block starts: none where run()
 * enters (the function loads them all), and whatever a block that
 * continues there leaves dirty (iterated until nothing grows).
 */
function dirtyOnEntry(plans: BlockPlan[], succ: number[][]): Dirty[] {
  const dirtyIn: Set<string>[] = plans.map(() => new Set());
  for (let changed = true; changed;) {
    changed = false;
    plans.forEach((p, n) => {
      const out = dirtyOut(p, dirtyIn[n]!);
      for (const t of succ[n]!) for (const w of out) if (!dirtyIn[t]!.has(w)) { dirtyIn[t]!.add(w); changed = true; }
    });
  }
  return dirtyIn;
}

/**
 * Compile a region into one function, and return an entry for each of its
 * blocks (by start address). A successor address that starts a block of the
 * region continues there.
 */
export function compileRegion(blocks: RegionBlock[], templates = true): Map<number, Block> {
  const insns: Insn[] = blocks.flatMap((b) => b.insns);
  const index = new Map<number, number>(blocks.map((b, n) => [b.insns[0]!.addr, n]));
  const goto = (a: number, dirty: Dirty): string => index.has(a) ? `L = ${index.get(a)}; continue;` : `c.rip = ${a}; ${exit(dirty)}`;
  const params: string[] = ['cond', 'ea', 'getCF', 'push', 'pop'];
  const args: unknown[] = [cond, ea, getCF, push, pop];
  insns.forEach((i, g) => { params.push(`h${g}`, `i${g}`); args.push(i.handler, i); });
  // The blocks of the region each block can continue at, by number.
  const succ = blocks.map((b) => b.next.filter((a) => index.has(a)).map((a) => index.get(a)!));
  const { check, need } = checks(blocks, succ);
  let g0 = 0;
  const plans = blocks.map((b) => { const p = planBlock(b.insns, g0, templates); g0 += b.insns.length; return p; });
  const dirtyIn = dirtyOnEntry(plans, succ);
  let body = `  ${LOCALS}\n  let done = 0, L = entry;\n  for (;;) switch (L) {\n`;
  plans.forEach((p, n) => {
    body += `  case ${n}: {\n`;
    if (check[n]) body += `    if (done + ${need[n]} > budget) { c.rip = ${p.insns[0]!.addr}; ${exit(dirtyIn[n]!)} }\n`;
    body += `    const b0 = done - ${p.g0};\n`;
    body += emitBlock(p, dirtyIn[n]!, goto, (a) => index.get(a) === n + 1);
    if (!p.direct) {
      const inner = succ[n]!.map((t) => `if (nx === ${blocks[t]!.insns[0]!.addr}) { L = ${t}; continue; }`);
      if (inner.length > 0) body += `    { const nx = c.rip; ${inner.join(' ')} }\n`;
      body += `    ${exit(dirtyOut(p, dirtyIn[n]!))}\n`;
    }
    body += '  }\n';
  });
  body += `  default: ${exit(ALL)}\n  }\n`;
  const regs = localRegisters(body);
  body = `  const r = c.r, m = c.mem, rT = m.rTag, rB = m.rBytes, rV = m.rView, wT = m.wTag, wB = m.wBytes, wV = m.wView, xd = c.xd, TLB = ${TLB_MASK};\n${regs.decl}${regs.body}`;
  const name = `region_${blocks[0]!.insns[0]!.addr.toString(16)}`;
  const make = new Function(...params, `return function ${name}(c, budget, entry) {\n${body}};`) as (...a: unknown[]) => RegionFn;
  const fn = make(...args);
  return new Map(blocks.map((b, n) => [b.insns[0]!.addr, { insns, fn, entry: n, first: need[n]!, dead: false, t0: -1, s0: null, t1: -1, s1: null }]));
}
