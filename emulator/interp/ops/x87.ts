/**
 * The x87 floating-point unit (escape opcodes D8-DF), on exact 80-bit
 * software floating point (f80.ts) with FCW precision and rounding control.
 *
 * One handler per escape byte decodes ModRM the way the SDM's x87 opcode
 * tables (vol. 2 appendix A.5) lay them out: memory forms by ModRM.reg,
 * register forms by the whole ModRM byte.
 *
 * KNOWN GAPS: the transcendental instructions (fsin, fcos, fsincos, fptan,
 * fpatan, f2xm1, fyl2x, fyl2xp1) compute in float64 and are not bit-exact;
 * exceptions are always treated as masked; FIP/FDP read as zero.
 *
 * C1 (SDM vol. 1 8.1.3.1): after a rounded result, whether it was rounded
 * up in magnitude; after a stack fault, 1 for overflow and 0 for underflow;
 * 0 after the instructions that round nothing.
 */

import type { InterpCpu } from '../cpu.js';
import { cond, setArith } from '../flags.js';
import type { Fpu } from '../fpu.js';
import type { Handler, Insn } from '../insn.js';
import { Trap } from '../memory.js';
import { FLAG_CF, FLAG_PF, FLAG_ZF } from '../../regs.js';
import { ea } from '../operands.js';
import * as F from '../f80.js';
import type { Fmt, Unpacked } from '../f80.js';

const C0 = 0x100, C1 = 0x200, C2 = 0x400, C3 = 0x4000;

function rc(f: Fpu): number { return (f.cw >> 10) & 3; }
/** Arithmetic results round to the precision control (FCW bits 9:8) with the extended exponent range. */
function fmtOf(f: Fpu): Fmt {
  const pc = (f.cw >> 8) & 3;
  return pc === 3 ? F.FMT_F80 : { prec: pc === 2 ? 53 : 24, emin: F.FMT_F80.emin, emax: F.FMT_F80.emax };
}
function st(f: Fpu, i: number): Unpacked { return F.unpackF80(f.get(i)); }
function put(f: Fpu, i: number, u: Unpacked): void { f.set(i, F.packF80(u)); }
function pushU(f: Fpu, u: Unpacked): void { f.push(F.packF80(u)); }
/**
 * Record the exception flags the operation raised in FSW, and C1: 1 when the
 * result was rounded up in magnitude (an inexact result, SDM vol. 1 8.1.3.1),
 * else 0 (also after a stack underflow, whose indefinite is not rounded).
 */
function flagsOut(f: Fpu): void {
  f.sw = (f.sw & ~C1) | (F.raised & 0x3f) | (F.up ? C1 : 0) | (pendingDE && (F.raised & 5) === 0 ? 2 : 0);
  pendingDE = false;
}
/** A denormal operand was seen: DE, unless the operation turns out invalid or a division by zero (checked natively). */
let pendingDE = false;
/** A finite nonzero value below the smallest normal of `fmt`: a denormal operand (FSW.DE, SDM vol. 1 8.5.2). */
function denormal(u: Unpacked, fmt: Fmt): boolean { return u.cls === F.CLS_NUM && u.e + F.bitLength(u.m) - 1 < fmt.emin; }
/** DE (at flagsOut) when a register operand is denormal and none is a NaN. */
function checkDE(...us: Unpacked[]): void {
  pendingDE = us.some((u) => denormal(u, F.FMT_F80)) && !us.some((u) => u.cls === F.CLS_NAN);
}
/** A value loaded from m32/m64: DE when it is denormal in that format (an m80 never raises it: SDM FLD). */
function loaded(f: Fpu, u: Unpacked, fmt: Fmt): Unpacked { if (denormal(u, fmt)) f.sw |= 2; return u; }
const isSNaN = (u: Unpacked): boolean => u.cls === F.CLS_NAN && (u.m & (1n << 62n)) === 0n;

/**
 * Compare for fcom/fucom/ftst/fcomi: IE on a NaN operand (any NaN for the ordered fcom, fcomi and
 * ftst; a signalling one for fucom, fucomi), else DE on a denormal operand (`bFmt`: b's memory format).
 */
function fcompare(f: Fpu, a: Unpacked, b: Unpacked, ordered: boolean, bFmt: Fmt = F.FMT_F80): number {
  if (a.cls === F.CLS_NAN || b.cls === F.CLS_NAN) { if (ordered || isSNaN(a) || isSNaN(b)) f.sw |= 1; }
  else if (denormal(a, F.FMT_F80) || denormal(b, bFmt)) f.sw |= 2;
  return F.compare(a, b);
}

/** Instructions that compute nothing to round (fxch, fchs, fabs, fst st(i), fcomi, ...) clear C1 (SDM: "C1 set to 0"). */
function clearC1(f: Fpu): void { f.sw &= ~C1; }

// ---- memory operands --------------------------------------------------------------------

function loadF32(c: InterpCpu, a: number): Unpacked { return F.unpackF32(c.mem.read32(a)); }
function loadF64(c: InterpCpu, a: number): Unpacked { const lo = c.mem.read32(a); return F.unpackF64(lo, c.mem.read32(a + 4)); }
function loadF80(c: InterpCpu, a: number): Unpacked {
  const lo = BigInt(c.mem.read32(a)), hi = BigInt(c.mem.read32(a + 4));
  return F.unpackF80({ se: c.mem.read16(a + 8), m: (hi << 32n) | lo });
}
function loadInt(c: InterpCpu, a: number, size: number): Unpacked {
  let v: bigint;
  if (size === 2) v = BigInt((c.mem.read16(a) << 16) >> 16);
  else if (size === 4) v = BigInt(c.mem.read32(a) | 0);
  else v = BigInt.asIntN(64, (BigInt(c.mem.read32(a + 4)) << 32n) | BigInt(c.mem.read32(a)));
  if (v === 0n) return { cls: F.CLS_ZERO, s: 0, m: 0n, e: 0 };
  return { cls: F.CLS_NUM, s: v < 0n ? 1 : 0, m: v < 0n ? -v : v, e: 0 };
}

function storeFloat(c: InterpCpu, a: number, u: Unpacked, size: number): void {
  const f = c.fpu;
  if (size === 10) {
    clearC1(f);
    const p = F.packF80(u);
    c.mem.probeWrite(a, 10);
    c.mem.write32(a, Number(p.m & 0xffffffffn)); c.mem.write32(a + 4, Number(p.m >> 32n)); c.mem.write16(a + 8, p.se);
    return;
  }
  const r = u.cls === F.CLS_NUM ? F.round(u.s, u.m, u.e, size === 8 ? F.FMT_F64 : F.FMT_F32, rc(f)) : u;
  if (size === 8) { const [lo, hi] = F.packF64(r); c.mem.probeWrite(a, 8); c.mem.write32(a, lo); c.mem.write32(a + 4, hi); } else c.mem.write32(a, F.packF32(r));
  flagsOut(f);
}

/** fist/fistp/fisttp: out of range or NaN stores the integer indefinite and raises IE. */
function storeInt(c: InterpCpu, a: number, u: Unpacked, size: number, truncate: boolean): void {
  const f = c.fpu;
  const bits = BigInt(size * 8);
  let v: bigint;
  if (u.cls === F.CLS_NAN || u.cls === F.CLS_INF) { v = -(1n << (bits - 1n)); f.sw = (f.sw & ~C1) | 1; }
  else {
    v = F.roundToInt(u, truncate ? F.RC_ZERO : rc(f));
    // C1: 1 when an inexact result was rounded up in magnitude, else 0 (SDM FIST; checked natively).
    const up = (F.raised & 0x20) !== 0 && (v < 0n ? -v : v) > (u.s ? -F.roundToInt(u, F.RC_ZERO) : F.roundToInt(u, F.RC_ZERO));
    f.sw = (f.sw & ~C1) | (up ? C1 : 0);
    if (v >= 1n << (bits - 1n) || v < -(1n << (bits - 1n))) { v = -(1n << (bits - 1n)); F.clearRaised(); f.sw = (f.sw & ~C1) | 1; }
  }
  const w = BigInt.asUintN(size * 8, v);
  if (size === 2) c.mem.write16(a, Number(w));
  else if (size === 4) c.mem.write32(a, Number(w));
  else { c.mem.probeWrite(a, 8); c.mem.write32(a, Number(w & 0xffffffffn)); c.mem.write32(a + 4, Number(w >> 32n)); }
  flagsOut(f);
}

// ---- arithmetic ---------------------------------------------------------------------------

/** op by ModRM.reg for D8/DC memory forms: 0 add, 1 mul, 4 sub (a-b), 5 subr (b-a), 6 div (a/b), 7 divr (b/a). */
function arith(f: Fpu, op: number, a: Unpacked, b: Unpacked): Unpacked {
  const fmt = fmtOf(f), r = rc(f);
  switch (op) {
    case 0: return F.add(a, b, fmt, r);
    case 1: return F.mul(a, b, fmt, r);
    case 4: return F.sub(a, b, fmt, r);
    case 5: return F.sub(b, a, fmt, r);
    case 6: return F.div(a, b, fmt, r);
    default: return F.div(b, a, fmt, r);
  }
}

/** fcom-style condition codes in FSW. */
function setCC(f: Fpu, cmp: number): void {
  const cc = cmp === 2 ? C3 | C2 | C0 : cmp < 0 ? C0 : cmp === 0 ? C3 : 0;
  f.sw = (f.sw & ~(C0 | C1 | C2 | C3)) | cc;
}

/** fcomi-style result in EFLAGS. */
function setEflags(c: InterpCpu, cmp: number): void {
  setArith(c, cmp === 2 ? FLAG_ZF | FLAG_PF | FLAG_CF : cmp < 0 ? FLAG_CF : cmp === 0 ? FLAG_ZF : 0);
}

/** ST0 op mem (D8, DA, DC, DE memory forms). */
function memArith(c: InterpCpu, i: Insn, load: (c: InterpCpu, a: number) => Unpacked, fmt: Fmt): void {
  const f = c.fpu, op = i.reg & 7;
  const b = load(c, ea(c, i));
  const a = st(f, 0);
  if (op === 2 || op === 3) {
    setCC(f, fcompare(f, a, b, true, fmt));
    if (op === 3) f.pop();
    return;
  }
  pendingDE = (denormal(a, F.FMT_F80) || denormal(b, fmt)) && a.cls !== F.CLS_NAN && b.cls !== F.CLS_NAN;
  put(f, 0, arith(f, op, a, b));
  flagsOut(f);
}

/** Register forms of D8 (ST0 = ST0 op ST(i)), DC and DE (ST(i) = ST(i) op ST0, sub/div reversed in the encoding). */
function regArith(c: InterpCpu, i: Insn, toSti: boolean, pop: boolean): void {
  const f = c.fpu, op = i.reg & 7, k = i.rm & 7;
  if (op === 2 || op === 3) {
    setCC(f, fcompare(f, st(f, 0), st(f, k), true));
    if (op === 3) f.pop();
    return;
  }
  checkDE(st(f, 0), st(f, k));
  if (!toSti) put(f, 0, arith(f, op, st(f, 0), st(f, k)));
  else put(f, k, arith(f, op < 4 ? op : op ^ 1, st(f, k), st(f, 0)));
  flagsOut(f);
  if (pop) f.pop();
}

/**
 * fld1, fldl2t, fldl2e, fldpi, fldlg2, fldln2, fldz: [unbiased exponent,
 * 73 leading bits]. The irrational ones are rounded by RC like any result
 * (a sticky bit stands for the infinite tail), as the hardware does.
 */
const CONSTS: Record<number, [number, bigint, boolean]> = {
  0xe8: [0, 1n << 72n, true],
  0xe9: [1, 0x1a934f0979a3715fc92n, false],
  0xea: [0, 0x171547652b82fe1777dn, false],
  0xeb: [1, 0x1921fb54442d1846989n, false],
  0xec: [-2, 0x134413509f79fef311fn, false],
  0xed: [-1, 0x162e42fefa39ef35793n, false],
};

function fromDouble(x: number): Unpacked { return F.fromNumber(x); }

/** Exact remainder of a / b with the quotient rounded by `nearest` (fprem1) or truncated (fprem). */
function remainder(f: Fpu, nearest: boolean): void {
  const a = st(f, 0), b = st(f, 1);
  f.sw &= ~(C0 | C1 | C2 | C3);
  if (a.cls !== F.CLS_NUM || b.cls !== F.CLS_NUM) {
    if (a.cls === F.CLS_NAN || b.cls === F.CLS_NAN) put(f, 0, F.nanOf(a, b));
    else if (a.cls === F.CLS_INF || b.cls === F.CLS_ZERO) { f.sw |= 1; put(f, 0, F.unpackF80(F.F80_INDEFINITE)); }
    else if (denormal(a, F.FMT_F80)) f.sw |= 2; // a finite remainder of an infinity: a itself
    return;
  }
  if (denormal(a, F.FMT_F80) || denormal(b, F.FMT_F80)) f.sw |= 2;
  const e = Math.min(a.e, b.e);
  const A = a.m << BigInt(a.e - e);
  let B = b.m << BigInt(b.e - e);
  // Exponent difference of 64 or more: a partial remainder, reducing it by
  // 32 to 63 (the choice of Intel's hardware and Bochs: N = (D & 31) | 32), C2 set.
  const d = (a.e + F.bitLength(a.m)) - (b.e + F.bitLength(b.m));
  const partial = d >= 64;
  if (partial) B <<= BigInt(d - ((d & 31) | 32));
  let q = A / B, r = A - q * B;
  if (!partial && nearest && (2n * r > B || (2n * r === B && (q & 1n) === 1n))) { q++; r -= B; }
  const neg = r < 0n;
  const res = r === 0n ? { cls: F.CLS_ZERO, s: a.s, m: 0n, e: 0 } : F.round(a.s ^ (neg ? 1 : 0), neg ? -r : r, e, F.FMT_F80, F.RC_NEAREST);
  put(f, 0, res);
  if (partial) f.sw |= C2;
  else f.sw |= (q & 4n ? C0 : 0) | (q & 2n ? C3 : 0) | (q & 1n ? C1 : 0);
}

/** fxam: class of ST0 in C3 C2 C0, sign in C1. */
function fxam(f: Fpu): void {
  const u = st(f, 0), p = f.get(0);
  let cc: number;
  if (f.empty(0)) cc = C3 | C0;
  else if (u.cls === F.CLS_NAN) cc = C0;
  else if (u.cls === F.CLS_INF) cc = C2 | C0;
  else if (u.cls === F.CLS_ZERO) cc = C3;
  else cc = (p.se & 0x7fff) === 0 ? C3 | C2 : C2;
  f.sw = (f.sw & ~(C0 | C1 | C2 | C3)) | cc | (u.s ? C1 : 0);
}

/** D9 register forms (ModRM C0-FF). */
function d9reg(c: InterpCpu, i: Insn): void {
  const f = c.fpu, k = i.rm & 7, b = 0xc0 | ((i.reg & 7) << 3) | k;
  if (b < 0xc8) { const v = f.get(k); f.push(v); return; } // fld st(i)
  if (b < 0xd0) { const a = f.get(0), v = f.get(k); f.set(0, v); f.set(k, a); clearC1(f); return; } // fxch
  const fmt = fmtOf(f), r = rc(f);
  switch (b) {
    case 0xd0: return; // fnop
    case 0xe0: put(f, 0, F.neg(st(f, 0))); clearC1(f); return; // fchs
    case 0xe1: put(f, 0, { ...st(f, 0), s: 0 }); clearC1(f); return; // fabs
    case 0xe4: setCC(f, fcompare(f, st(f, 0), { cls: F.CLS_ZERO, s: 0, m: 0n, e: 0 }, true)); return; // ftst
    case 0xe5: fxam(f); return;
    case 0xf6: f.top = (f.top - 1) & 7; clearC1(f); return; // fdecstp
    case 0xf7: f.top = (f.top + 1) & 7; clearC1(f); return; // fincstp
    case 0xf8: remainder(f, false); return; // fprem
    case 0xf5: remainder(f, true); return; // fprem1
    case 0xfa: checkDE(st(f, 0)); put(f, 0, F.sqrt(st(f, 0), fmt, r)); flagsOut(f); return; // fsqrt
    case 0xfc: { // frndint
      const u = st(f, 0);
      if (u.cls !== F.CLS_NUM) return;
      checkDE(u);
      const v = F.roundToInt(u, r);
      put(f, 0, v === 0n ? { cls: F.CLS_ZERO, s: u.s, m: 0n, e: 0 } : { cls: F.CLS_NUM, s: v < 0n ? 1 : 0, m: v < 0n ? -v : v, e: 0 });
      flagsOut(f);
      return;
    }
    case 0xfd: { // fscale: ST0 * 2^trunc(ST1), exact up to the extended range (no precision control)
      const u = st(f, 0), s1 = st(f, 1);
      if (u.cls === F.CLS_NAN || s1.cls === F.CLS_NAN) { put(f, 0, u.cls === F.CLS_NAN ? u : s1); return; }
      if (denormal(u, F.FMT_F80) || denormal(s1, F.FMT_F80)) f.sw |= 2;
      if (s1.cls === F.CLS_INF) {
        const bad = (u.cls === F.CLS_ZERO && !s1.s) || (u.cls === F.CLS_INF && s1.s);
        if (bad) { f.sw |= 1; put(f, 0, F.unpackF80(F.F80_INDEFINITE)); return; }
        if (u.cls === F.CLS_NUM) put(f, 0, { cls: s1.s ? F.CLS_ZERO : F.CLS_INF, s: u.s, m: 0n, e: 0 });
        return;
      }
      if (u.cls !== F.CLS_NUM || s1.cls === F.CLS_ZERO) return;
      const n = Number(F.roundToInt(s1, F.RC_ZERO));
      F.clearRaised();
      put(f, 0, F.round(u.s, u.m, u.e + Math.max(-70000, Math.min(70000, n)), F.FMT_F80, r));
      flagsOut(f);
      return;
    }
    case 0xf4: { // fxtract: ST0 -> exponent, then significand pushed
      const u = st(f, 0);
      if (denormal(u, F.FMT_F80)) f.sw |= 2;
      if (u.cls === F.CLS_NUM) {
        put(f, 0, fromDouble(u.e + F.bitLength(u.m) - 1));
        pushU(f, { cls: F.CLS_NUM, s: u.s, m: u.m, e: -(F.bitLength(u.m) - 1) });
      } else if (u.cls === F.CLS_ZERO) { // exponent -inf (divide-by-zero), significand the zero
        f.sw |= 4;
        put(f, 0, { cls: F.CLS_INF, s: 1, m: 0n, e: 0 });
        pushU(f, u);
      } else {
        put(f, 0, u.cls === F.CLS_INF ? { ...u, s: 0 } : u);
        pushU(f, u);
      }
      return;
    }
  }
  if (b === 0xee) { f.push({ se: 0, m: 0n }); return; } // fldz
  if (CONSTS[b]) {
    const [e, m, exact] = CONSTS[b]!;
    pushU(f, exact ? F.round(0, m, e - 72, F.FMT_F80, r) : F.round(0, (m << 1n) | 1n, e - 73, F.FMT_F80, r));
    return;
  }
  // Transcendentals: approximated in float64 (see the header).
  const x = F.toNumber(st(f, 0)), y = F.toNumber(st(f, 1));
  switch (b) {
    case 0xf0: put(f, 0, fromDouble(Math.pow(2, x) - 1)); return; // f2xm1
    case 0xf1: put(f, 1, fromDouble(y * Math.log2(x))); f.pop(); return; // fyl2x
    case 0xf9: put(f, 1, fromDouble(y * Math.log2(1 + x))); f.pop(); return; // fyl2xp1
    case 0xf2: put(f, 0, fromDouble(Math.tan(x))); f.push({ se: 0x3fff, m: 1n << 63n }); f.sw &= ~C2; return; // fptan
    case 0xf3: put(f, 1, fromDouble(Math.atan2(y, x))); f.pop(); return; // fpatan
    case 0xfb: put(f, 0, fromDouble(Math.sin(x))); pushU(f, fromDouble(Math.cos(x))); f.sw &= ~C2; return; // fsincos
    case 0xfe: put(f, 0, fromDouble(Math.sin(x))); f.sw &= ~C2; return; // fsin
    case 0xff: put(f, 0, fromDouble(Math.cos(x))); f.sw &= ~C2; return; // fcos
  }
  throw new Trap({ kind: 'ud' });
}

/** Full tag word (2 bits per physical register: 00 valid, 01 zero, 10 special, 11 empty). */
function fullTags(f: Fpu): number {
  let t = 0;
  for (let p = 0; p < 8; p++) {
    let tag = 3;
    if (f.tags & (1 << p)) {
      const exp = f.se[p]! & 0x7fff;
      tag = f.m[p] === 0n && exp === 0 ? 1 : exp === 0x7fff || exp === 0 || (f.m[p]! >> 63n) === 0n ? 2 : 0;
    }
    t |= tag << (2 * p);
  }
  return t;
}

/** fnstenv / fnsave environment (28-byte protected-mode format). */
function storeEnv(c: InterpCpu, a: number): void {
  const f = c.fpu;
  c.mem.probeWrite(a, 28);
  c.mem.write32(a, 0xffff0000 | f.cw); c.mem.write32(a + 4, 0xffff0000 | f.fsw); c.mem.write32(a + 8, 0xffff0000 | fullTags(f));
  for (let k = 12; k < 28; k += 4) c.mem.write32(a + k, 0);
}
function loadEnv(c: InterpCpu, a: number): void {
  const f = c.fpu;
  f.cw = c.mem.read16(a); f.fsw = c.mem.read16(a + 4);
  const t = c.mem.read16(a + 8);
  f.tags = 0;
  for (let p = 0; p < 8; p++) if (((t >> (2 * p)) & 3) !== 3) f.tags |= 1 << p;
}

const fcmov = [(c: InterpCpu) => cond(c, 2), (c: InterpCpu) => cond(c, 4), (c: InterpCpu) => cond(c, 6), (c: InterpCpu) => cond(c, 10)];

/** D8-DF: the x87 escape opcodes. */
export const opX87: Handler = (c, i) => {
  const f = c.fpu, r = i.reg & 7, k = i.rm & 7, esc = i.op & 7;
  F.clearRaised();
  pendingDE = false;
  if (i.mod !== 3) {
    const a = (): number => ea(c, i);
    switch (esc) {
      case 0: memArith(c, i, loadF32, F.FMT_F32); return;
      case 1:
        switch (r) {
          case 0: pushU(f, loaded(f, loadF32(c, a()), F.FMT_F32)); return;
          case 2: storeFloat(c, a(), st(f, 0), 4); return;
          case 3: storeFloat(c, a(), st(f, 0), 4); f.pop(); return;
          case 4: loadEnv(c, a()); return;
          case 5: f.cw = c.mem.read16(a()); return;
          case 6: storeEnv(c, a()); return;
          case 7: c.mem.write16(a(), f.cw); return;
        }
        break;
      case 2: memArith(c, i, (cc, ad) => loadInt(cc, ad, 4), F.FMT_F80); return;
      case 3:
        switch (r) {
          case 0: pushU(f, loadInt(c, a(), 4)); return;
          case 1: case 2: case 3: storeInt(c, a(), st(f, 0), 4, r === 1); if (r !== 2) f.pop(); return;
          case 5: pushU(f, loadF80(c, a())); return;
          case 7: storeFloat(c, a(), st(f, 0), 10); f.pop(); return;
        }
        break;
      case 4: memArith(c, i, loadF64, F.FMT_F64); return;
      case 5:
        switch (r) {
          case 0: pushU(f, loaded(f, loadF64(c, a()), F.FMT_F64)); return;
          case 1: case 2: case 3: if (r === 1) storeInt(c, a(), st(f, 0), 8, true); else storeFloat(c, a(), st(f, 0), 8); if (r !== 2) f.pop(); return;
          case 4: { const ad = a(); loadEnv(c, ad); for (let n = 0; n < 8; n++) f.set(n, F.packF80(loadF80(c, ad + 28 + 10 * n))); loadEnv(c, ad); return; }
          case 6: { const ad = a(); storeEnv(c, ad); for (let n = 0; n < 8; n++) storeFloat(c, ad + 28 + 10 * n, st(f, n), 10); f.reset(); return; }
          case 7: c.mem.write16(a(), f.fsw); return;
        }
        break;
      case 6: memArith(c, i, (cc, ad) => loadInt(cc, ad, 2), F.FMT_F80); return;
      default:
        switch (r) {
          case 0: pushU(f, loadInt(c, a(), 2)); return;
          case 1: case 2: case 3: storeInt(c, a(), st(f, 0), 2, r === 1); if (r !== 2) f.pop(); return;
          case 5: pushU(f, loadInt(c, a(), 8)); return;
          case 7: storeInt(c, a(), st(f, 0), 8, false); f.pop(); return;
        }
    }
    throw new Trap({ kind: 'ud' }); // fbld, fbstp and reserved forms
  }
  switch (esc) {
    case 0: regArith(c, i, false, false); return;
    case 1: d9reg(c, i); return;
    case 2:
      if (r < 4) { if (fcmov[r]!(c)) f.set(0, f.get(k)); return; }
      if (r === 5 && k === 1) { setCC(f, fcompare(f, st(f, 0), st(f, 1), false)); f.pop(); f.pop(); return; } // fucompp
      break;
    case 3:
      if (r < 4) { if (!fcmov[r]!(c)) f.set(0, f.get(k)); return; }
      if (r === 4 && k === 2) { f.sw &= 0x7f00; return; } // fnclex
      if (r === 4 && k === 3) { f.reset(); return; } // fninit
      if (r === 5 || r === 6) { setEflags(c, fcompare(f, st(f, 0), st(f, k), r === 6)); clearC1(f); return; } // fucomi, fcomi
      break;
    case 4: regArith(c, i, true, false); return;
    case 5:
      switch (r) {
        case 0: f.tags &= ~(1 << ((f.top + k) & 7)); return; // ffree
        case 2: f.set(k, f.get(0)); clearC1(f); return; // fst st(i)
        case 3: f.set(k, f.get(0)); clearC1(f); f.pop(); return; // fstp st(i)
        case 4: case 5: setCC(f, fcompare(f, st(f, 0), st(f, k), false)); if (r === 5) f.pop(); return; // fucom(p)
      }
      break;
    case 6:
      if (r === 3) { if (k !== 1) break; setCC(f, fcompare(f, st(f, 0), st(f, 1), true)); f.pop(); f.pop(); return; } // fcompp
      if (r === 2) break;
      regArith(c, i, true, true);
      return;
    default:
      if (r === 4 && k === 0) { c.r[0] = (c.r[0]! & 0xffff0000) | f.fsw; return; } // fnstsw ax
      if (r === 5 || r === 6) { setEflags(c, fcompare(f, st(f, 0), st(f, k), r === 6)); clearC1(f); f.pop(); return; } // fucomip, fcomip
  }
  throw new Trap({ kind: 'ud' });
};
