/**
 * The shape of the opcode tables (table.ts, table-sse.ts) and the builders
 * that make them read like the SDM's opcode maps.
 *
 * An entry of a map is one of
 * - `op(name, form, handler)`: an instruction. `form` is its operand list in
 *   SDM appendix A notation, comma-separated; the decoder derives from it
 *   whether a ModRM byte follows and which immediates:
 *     E G M R (ModRM rm / reg / memory-only / register-only), V W U (XMM reg,
 *     XMM-or-memory, XMM register), Ib Iw Iz Iv (immediates; Iz is 16 or 32
 *     bits, sign-extended to 64; Iv is 16, 32 or 64), Jb Jz (relative
 *     branch), Ob Ov (absolute moffs address), and our `Z`: a register in the
 *     low three bits of the opcode (50+r push Zv). A size after a slash is
 *     the memory operand's where it differs from the register's (`Ry/Mw`:
 *     a 32/64-bit register or a 16-bit memory operand). An `R` token with
 *     no `/M` alternative (mov to/from control registers, `Rq`) ignores
 *     ModRM.mod: always a register, no SIB or displacement. The SDM's
 *     superscripts for operands that default (`.d64`: push, pop) or are
 *     forced (`.f64`: near call and jmp) to 64 bits follow the token.
 *     Other tokens (AL, rAX, eAX, CL, DX, 1, Sw, Cq, Dq, Xb, Yv: the string
 *     operands [rsi] and es:[rdi]) are documentation only.
 * - `grp(e0, ..., e7)`: a group, indexed by ModRM.reg.
 * - `rm(e0, ..., e7)`: indexed by ModRM.rm (register forms of x87 and 0F 01).
 * - `mod(mem, reg)`: different instructions for a memory and a register rm.
 * - `pfx({ np, p66, pF3, pF2 })`: SSE's mandatory prefixes (np: none).
 * - `undefined`: not an instruction (#UD).
 */

import type { Handler } from './insn.js';

export interface OpRec {
  readonly kind: 'op';
  readonly name: string;
  readonly form: string;
  readonly fn: Handler;
  /** Derived from form. */
  readonly modrm: boolean;
  readonly imms: readonly ImmKind[];
  readonly zreg: boolean;
  /** ModRM.mod is ignored: the rm operand is a register whatever mod says (an `R` token without `/M`). */
  readonly regOnly: boolean;
}

export type ImmKind = 'Ib' | 'Iw' | 'Iz' | 'Iv' | 'Jb' | 'Jz' | 'O';

export interface GroupEntry { readonly kind: 'grp'; readonly sub: readonly Entry[] }
export interface RmEntry { readonly kind: 'rm'; readonly sub: readonly Entry[] }
export interface ModEntry { readonly kind: 'mod'; readonly mem: Entry; readonly reg: Entry }
export interface PrefixEntry { readonly kind: 'pfx'; readonly np: Entry; readonly p66: Entry; readonly pF3: Entry; readonly pF2: Entry }
export type Entry = OpRec | GroupEntry | RmEntry | ModEntry | PrefixEntry | undefined;

const MODRM_TOKENS = /^(E|G|M|R|V|W|U|N|P|Q|S|C|D)/;
/** Fixed registers named in forms: no ModRM. */
const DOC_TOKENS = new Set(['AL', 'rAX', 'eAX', 'CL', 'DX', 'FS', 'GS', '1']);

export function op(name: string, form: string, fn: Handler): OpRec {
  const tokens = form === '' ? [] : form.split(',').map((t) => t.trim());
  const imms: ImmKind[] = [];
  let modrm = false, zreg = false, regOnly = false;
  for (const t of tokens) {
    if (DOC_TOKENS.has(t)) continue;
    if (t === 'Ib' || t === 'Iw' || t === 'Iz' || t === 'Iv' || t === 'Jb' || t === 'Jz') imms.push(t);
    else if (t === 'Ob' || t === 'Ov') imms.push('O');
    else if (t.startsWith('Z')) zreg = true;
    else if (MODRM_TOKENS.test(t)) {
      modrm = true;
      if (t.startsWith('R') && !t.includes('/M')) regOnly = true;
    }
  }
  return { kind: 'op', name, form, fn, modrm, imms, zreg, regOnly };
}

export function grp(...sub: Entry[]): GroupEntry {
  if (sub.length !== 8) throw new Error('a group has 8 entries');
  return { kind: 'grp', sub };
}

export function rm(...sub: Entry[]): RmEntry {
  if (sub.length !== 8) throw new Error('an rm selector has 8 entries');
  return { kind: 'rm', sub };
}

export function mod(mem: Entry, reg: Entry): ModEntry {
  return { kind: 'mod', mem, reg };
}

export function pfx(p: { np?: Entry; p66?: Entry; pF3?: Entry; pF2?: Entry }): PrefixEntry {
  return { kind: 'pfx', np: p.np, p66: p.p66, pF3: p.pF3, pF2: p.pF2 };
}

/** A 256-entry map built from [opcode, entry] pairs (later pairs may not redefine an opcode). */
export function opMap(pairs: readonly (readonly [number, Entry])[]): Entry[] {
  const m = new Array<Entry>(256).fill(undefined);
  for (const [code, e] of pairs) {
    if (m[code] !== undefined) throw new Error(`opcode ${code.toString(16)} defined twice`);
    m[code] = e;
  }
  return m;
}

/** The same entry for opcodes base..base+n-1 (for 50+r, 70+cc, ...). */
export function range(base: number, n: number, e: (k: number) => Entry): [number, Entry][] {
  const out: [number, Entry][] = [];
  for (let k = 0; k < n; k++) out.push([base + k, e(k)]);
  return out;
}
