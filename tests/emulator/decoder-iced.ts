/**
 * The interp decoder against iced-x86 (npm `iced-x86`, a decoder generated
 * from a table of every x86 encoding): for one instruction's bytes, do both
 * agree on whether it is an instruction of our CPU model, on its length and
 * on its operands?
 *
 * What is compared (decoder-iced.test.ts runs it over seeded random bytes
 * and the code of real binaries):
 * - validity: an instruction iced decodes and whose CPUID features are all
 *   ones cpuid.ts advertises must decode here; one that needs any other
 *   feature must be #UD here ("(bad)"); what iced rejects must be #UD here.
 *   The few deliberate differences are DIFFERENCES below, each with its reason.
 * - the length, exactly.
 * - the operands, in order: registers (by name, so the size is compared
 *   too), the memory operand (base, index, scale, displacement, FS/GS
 *   override, address size, RIP-relative target, and the access size where
 *   our form names one), immediates (at the width iced gives them, after its
 *   sign extension), branch targets.
 */

import { CpuidFeature, Decoder, DecoderOptions, Formatter, FormatterSyntax, Instruction, MemorySizeExt, OpKind, Register } from 'iced-x86';
import { decode } from '../../emulator/interp/decode.js';
import { disassemble, regName } from '../../emulator/interp/disasm.js';
import type { Insn } from '../../emulator/interp/insn.js';
import { SEG_FS, SEG_GS } from '../../emulator/interp/insn.js';
import { GuestMemory, Trap } from '../../emulator/interp/memory.js';

/**
 * The CPUID features of our model (emulator/cpuid.ts) in iced's terms:
 * the baseline every x86-64 CPU has (8086 to 486 instructions, long mode,
 * cpuid, the x87 unit, the 0F 1F multi-byte nop, pause, which is rep nop
 * on any CPU) and the CPUID bits we set.
 */
export const OUR_FEATURES: ReadonlySet<CpuidFeature> = new Set([
  CpuidFeature.INTEL8086, CpuidFeature.INTEL186, CpuidFeature.INTEL286, CpuidFeature.INTEL386, CpuidFeature.INTEL486,
  CpuidFeature.X64, CpuidFeature.CPUID, CpuidFeature.FPU, CpuidFeature.FPU287, CpuidFeature.FPU387,
  CpuidFeature.MULTIBYTENOP, CpuidFeature.PAUSE,
  CpuidFeature.TSC, CpuidFeature.CX8, CpuidFeature.CMOV, CpuidFeature.MMX, CpuidFeature.FXSR, CpuidFeature.SSE,
  CpuidFeature.SSE2, CpuidFeature.CMPXCHG16B, CpuidFeature.POPCNT, CpuidFeature.SYSCALL, CpuidFeature.CLFSH,
]);

/** One deliberate difference from iced: which instructions, and why we decode them as we do. */
export interface Difference {
  readonly name: string;
  readonly why: string;
  /** True when this difference explains iced's `ice` against our `ours` for `bytes`. */
  readonly applies: (ice: IcedView, ours: Insn | null) => boolean;
}

const isX87 = (v: IcedView): boolean => v.opcodeMap === 0 && v.opcode >= 0xd8 && v.opcode <= 0xdf;

/** Where we deliberately differ from iced (each explained; the test reports how often each applied). */
export const DIFFERENCES: readonly Difference[] = [
  {
    name: 'reserved-nop space 0F 18-1F',
    why: 'SDM vol. 2 "NOP" and table A-3: 0F 18-1F with a ModRM are hint/reserved NOPs on every x86-64 CPU; '
      + 'the instructions later defined there (CET: F3 0F 1E FA endbr64, rdssp; cldemote 0F 1C /0; MPX) run as '
      + 'NOPs on a CPU without them, which is what gcc relies on when it puts endbr64 in every function. '
      + 'We decode them as nop, as a CPU without CET, CLDEMOTE and MPX does.',
    applies: (ice, ours) => ice.valid && !ice.supported && ours !== null && ours.name === 'nop' && ice.opcodeMap === 1 && ice.opcode >= 0x18 && ice.opcode <= 0x1f,
  },
  {
    name: 'prefetch 0F 0D',
    why: 'PREFETCHW (CPUID 80000001h:ECX.8) is not advertised, but 0F 0D /r is a NOP on the Intel CPUs '
      + 'that lack it (64-bit Windows 8.1 executes prefetchw on them for that reason); a hint either way.',
    applies: (ice, ours) => ice.valid && !ice.supported && ours !== null && ours.name === 'prefetch' && ice.opcodeMap === 1 && ice.opcode === 0x0d,
  },
  {
    name: 'rep bsf/bsr without BMI1/LZCNT',
    why: 'F3 0F BC/BD are tzcnt/lzcnt only where CPUID reports BMI1/LZCNT; elsewhere the F3 is ignored and '
      + 'they run as bsf/bsr (SDM vol. 2 TZCNT, LZCNT), which gcc relies on when it emits "rep bsf" for '
      + '__builtin_ctz. iced decodes the newer instruction; our CPU has neither extension.',
    applies: (ice, ours) => ice.valid && !ice.supported && ours !== null && /^bs[fr]$/.test(ours.name) && ice.opcodeMap === 1 && (ice.opcode === 0xbc || ice.opcode === 0xbd),
  },
  {
    name: 'x87 undocumented register aliases',
    why: 'D9 D8-DF (fstp1), DD C8-CF (fxch4), DE D0-D7 (fcomp5), DF C0-DF (ffreep, fxch7, fstp8/9) and '
      + 'DB E0/E1/E4 (8087/287 fneni, fndisi, fnsetpm) are reserved in the SDM\'s opcode tables (A-9 to A-22) '
      + 'but run on real CPUs; ops/x87.ts does not implement them and raises #UD, so the decoder does too.',
    applies: (ice, ours) => ice.valid && ours === null && isX87(ice) && ice.modrm >= 0xc0,
  },
  {
    name: 'x87 fbld/fbstp',
    why: 'DF /4 and DF /6 (packed BCD load and store) are not implemented (README "Known gaps"): #UD.',
    applies: (ice, ours) => ice.valid && ours === null && ice.opcodeMap === 0 && ice.opcode === 0xdf && ice.modrm < 0xc0 && ((ice.modrm >> 3) & 7) % 2 === 0 && ((ice.modrm >> 3) & 7) >= 4,
  },
  {
    name: 'mov to/from cr9-15, dr8-15',
    why: 'With REX.R, 0F 20-23 name control registers 8-15 and debug registers 8-15, of which only cr8 exists. '
      + 'iced rejects the others at decode; our table selects on ModRM.reg alone, and the handler '
      + '(ops/system.ts opMovCrDr) raises the same #UD for them, the #GP of a privileged instruction for the rest.',
    applies: (ice, ours) => !ice.valid && ours !== null && ours.name === 'mov' && ice.opcodeMap === 1 && ice.opcode >= 0x20 && ice.opcode <= 0x23
      && ((ours.op & 1) === 1 || ours.reg !== 8) && ours.reg >= 8,
  },
];

/** What iced says of one instruction. */
export interface IcedView {
  readonly valid: boolean;
  readonly len: number;
  readonly text: string;
  readonly features: readonly CpuidFeature[];
  readonly supported: boolean;
  /** The opcode as our Insn.op numbers it (from the bytes, after prefixes). */
  readonly opcodeMap: number;
  readonly opcode: number;
  /** The byte after the opcode (the ModRM byte, if there is one). */
  readonly modrm: number;
}

/** iced over one buffer of code at a guest address. */
export class IcedDecoder {
  private readonly dec: Decoder;
  private readonly insn = new Instruction();
  private readonly fmt = new Formatter(FormatterSyntax.Intel);

  constructor(private readonly bytes: Uint8Array, private readonly base: number) {
    this.dec = new Decoder(64, bytes, DecoderOptions.None);
  }

  /** Decode at byte offset `off`; the Instruction stays valid until the next call. */
  at(off: number): { view: IcedView; insn: Instruction } {
    this.dec.position = off;
    this.dec.ip = BigInt(this.base + off);
    this.dec.decodeOut(this.insn);
    const i = this.insn;
    const valid = !i.isInvalid;
    const features = valid ? [...i.cpuidFeatures()] : [];
    const [opcodeMap, opcode, at] = opcodeOf(this.bytes, off);
    return {
      insn: i,
      view: {
        valid, len: i.length, text: valid ? this.fmt.format(i) : '(invalid)', features,
        supported: valid && features.every((f) => OUR_FEATURES.has(f)), opcodeMap, opcode, modrm: this.bytes[at + 1] ?? 0,
      },
    };
  }

  free(): void {
    this.insn.free();
    this.dec.free();
    this.fmt.free();
  }
}

const PREFIXES = new Set([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]);

/** [map, opcode byte, its offset] of the bytes at `off`: map 0 one-byte, 1 0F, 2 0F 38, 3 0F 3A (Insn.op >> 8). */
export function opcodeOf(b: Uint8Array, off: number): [number, number, number] {
  let p = off;
  while (p < off + 15 && (PREFIXES.has(b[p]!) || (b[p]! & 0xf0) === 0x40)) p++;
  if (b[p] !== 0x0f) return [0, b[p] ?? 0, p];
  if (b[p + 1] === 0x38) return [2, b[p + 2] ?? 0, p + 2];
  if (b[p + 1] === 0x3a) return [3, b[p + 2] ?? 0, p + 2];
  return [1, b[p + 1] ?? 0, p + 1];
}

/** Our decoder over the same bytes; null for #UD, 'gp' for an instruction longer than 15 bytes. */
export function ourDecode(mem: GuestMemory, addr: number): Insn | null | 'gp' {
  let i: Insn;
  try {
    i = decode(mem, addr);
  } catch (e) {
    if (e instanceof Trap && e.exit.kind === 'gp') return 'gp';
    throw e;
  }
  return i.name === '(bad)' ? null : i;
}

/** A GuestMemory with `bytes` mapped executable at `addr` (any alignment), padded to whole pages. */
export function codeMemory(bytes: Uint8Array, addr: number): GuestMemory {
  const lead = addr % 4096;
  const host = new Uint8Array(Math.ceil((lead + bytes.length + 32) / 4096) * 4096);
  host.set(bytes, lead);
  const mem = new GuestMemory();
  mem.map(addr - lead, host.length, 7, host);
  return mem;
}

// ---------------------------------------------------------------------------
// Operands

const SEGS = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

/** iced's register names in ours: R8L is r8b, ST0 st0. */
function icedRegName(r: Register): string {
  return (Register[r] ?? `reg${r}`).toLowerCase().replace(/^r(\d+)l$/, 'r$1b');
}

/** Width in bits of an iced immediate operand kind (after its sign extension). */
const IMM_BITS: Partial<Record<OpKind, number>> = {
  [OpKind.Immediate8]: 8, [OpKind.Immediate8_2nd]: 8, [OpKind.Immediate16]: 16, [OpKind.Immediate32]: 32,
  [OpKind.Immediate64]: 64, [OpKind.Immediate8to16]: 16, [OpKind.Immediate8to32]: 32,
  [OpKind.Immediate8to64]: 64, [OpKind.Immediate32to64]: 64,
};

/** iced's string operands ([rsi], es:[rdi]) by address size, as ourOperands names them. */
const STRING_KINDS = new Map<OpKind, string>([
  [OpKind.MemorySegESI, 'str:si4'], [OpKind.MemorySegRSI, 'str:si8'],
  [OpKind.MemorySegEDI, 'str:di4'], [OpKind.MemorySegRDI, 'str:di8'],
  [OpKind.MemoryESEDI, 'str:di4'], [OpKind.MemoryESRDI, 'str:di8'],
]);

/** Size letter of a token ('Ev' v, 'Ry/Mw' y, 'Zv.d64' v) and of its memory alternative ('Ry/Mw' w). */
function letters(tok: string): [string, string] {
  const [reg, mem] = tok.split('/M');
  const r = reg!.slice(1).split('.')[0]!;
  return [r, mem ?? r];
}

function sizeOfLetter(s: string, i: Insn, tok: string): number {
  if (tok.endsWith('.f64')) return 8;
  if (tok.endsWith('.d64')) return i.osize === 2 ? 2 : 8;
  switch (s) {
    case 'b': return 1;
    case 'w': return 2;
    case 'd': return 4;
    case 'q': return 8;
    case 'v': return i.osize;
    case 'z': return i.osize === 2 ? 2 : 4;
    case 'y': return i.osize === 8 ? 8 : 4;
    default: return 0;
  }
}

/** Size in bytes our form token gives a memory operand, or 0 when it names none. */
const tokenMemSize = (tok: string, i: Insn): number => sizeOfLetter(letters(tok)[1], i, tok);

/** Size in bytes our form token gives a register operand (E, G, R, Z tokens). */
const tokenRegSize = (tok: string, i: Insn): number => sizeOfLetter(letters(tok)[0], i, tok) || i.osize;

/** Our operand list: for each form token, 'reg:<name>', 'mem', 'imm', 'rel', 'str:si8', 'one', 'xlat' or '?tok'. */
function ourOperands(i: Insn): string[] {
  if (i.form === '') return [];
  return i.form.split(',').map((tok) => {
    switch (tok) {
      case 'AL': return 'reg:al';
      case 'CL': return 'reg:cl';
      case 'DX': return 'reg:dx';
      case 'FS': return 'reg:fs';
      case 'GS': return 'reg:gs';
      case 'rAX': return `reg:${regName(0, i.osize, 1)}`;
      case 'eAX': return `reg:${regName(0, i.osize === 2 ? 2 : 4, 1)}`;
      case '1': return 'one';
      case '[rBX+AL]': return 'xlat';
    }
    switch (tok[0]) {
      case 'E': case 'M': case 'R':
        return i.mod === 3 ? `reg:${regName(i.rm, tokenRegSize(tok, i), i.rex)}` : 'mem';
      case 'G': return `reg:${regName(i.reg, tokenRegSize(tok, i), i.rex)}`;
      case 'Z': return `reg:${regName(i.reg, tokenRegSize(tok, i), i.rex === 0 ? 0 : 1)}`;
      case 'V': return `reg:xmm${i.reg}`;
      case 'U': return `reg:xmm${i.rm}`;
      case 'W': return i.mod === 3 ? `reg:xmm${i.rm}` : 'mem';
      case 'P': return `reg:mm${i.reg & 7}`;
      case 'N': return `reg:mm${i.rm & 7}`;
      case 'Q': return i.mod === 3 ? `reg:mm${i.rm & 7}` : 'mem';
      case 'S': return `reg:${SEGS[i.reg & 7] ?? '?seg'}`;
      case 'C': return `reg:cr${i.reg}`;
      case 'D': return `reg:dr${i.reg}`;
      case 'X': return `str:si${i.asize}`;
      case 'Y': return `str:di${i.asize}`;
      case 'I': return 'imm';
      case 'J': return 'rel';
      case 'O': return 'mem';
    }
    return `?${tok}`;
  });
}

/** The address size the prefixes give (67: 4 bytes), for the absolute forms where no register shows it. */
function prefixAsize(b: Uint8Array, off: number): number {
  for (let p = off; p < off + 15 && (PREFIXES.has(b[p]!) || (b[p]! & 0xf0) === 0x40); p++) if (b[p] === 0x67) return 4;
  return 8;
}

/** An absolute address as a JS number (ours: a negative disp32 is sign-extended to 64 bits). */
const abs64 = (v: number): number => (v < 0 ? v + 2 ** 64 : v);

/** The memory operand as iced sees it, for comparison: 'fs:[rax+rcx*4 -8] a8' or '[abs 4198400] a8'. */
function icedMem(x: Instruction, asize: number): string {
  const seg = x.segmentPrefix === Register.FS ? 'fs:' : x.segmentPrefix === Register.GS ? 'gs:' : '';
  const d = x.memoryDisplacement, b = x.memoryBase, ix = x.memoryIndex;
  const a = b === Register.RIP || b === Register.EIP || (b === Register.None && ix === Register.None)
    ? `abs ${Number(BigInt.asUintN(asize * 8, d))}`
    : `${b === Register.None ? '-' : icedRegName(b)}+${ix === Register.None ? '-' : icedRegName(ix)}*${ix === Register.None ? 1 : x.memoryIndexScale} ${Number(BigInt.asIntN(asize * 8, d))}`;
  return `${seg}[${a}] a${asize}`;
}

/** Our memory operand in icedMem's terms. */
function ourMem(i: Insn): string {
  const seg = i.seg === SEG_FS ? 'fs:' : i.seg === SEG_GS ? 'gs:' : '';
  const names = (n: number): string => regName(n, i.asize, 1);
  const a = i.base < 0 && i.index < 0
    ? `abs ${i.asize === 4 ? i.disp >>> 0 : abs64(i.disp)}`
    : `${i.base < 0 ? '-' : names(i.base)}+${i.index < 0 ? '-' : names(i.index)}*${i.index < 0 ? 1 : i.scale} ${i.asize === 4 ? i.disp | 0 : i.disp}`;
  return `${seg}[${a}] a${i.asize}`;
}

/** The value of iced's immediate operand `k`, masked to its width. */
function icedImm(x: Instruction, k: number): bigint {
  return BigInt.asUintN(IMM_BITS[x.opKind(k)]!, x.immediate(k));
}

/** Our immediate (the first, or enter's second) masked to `bits`. */
function ourImm(i: Insn, second: boolean, bits: number): bigint {
  if (second) return BigInt.asUintN(bits, BigInt(i.imm2));
  const v = (BigInt(i.immHi >>> 0) << 32n) | BigInt(i.imm >>> 0);
  return BigInt.asUintN(bits, v);
}

/** Differences between iced's operands and ours, as text ('' when they agree). */
export function compareOperands(x: Instruction, i: Insn, asize: number): string {
  const out: string[] = [];
  const iced: number[] = [];
  for (let k = 0; k < x.opCount; k++) iced.push(k);
  const memIced = iced.some((k) => x.opKind(k) === OpKind.Memory);
  // x87 forms ('Ex'): the handler reads ModRM itself; compare the memory operand only.
  if (i.form === 'Ex') {
    if (memIced !== (i.mod !== 3)) out.push(`memory operand: iced ${memIced}, ours ${i.mod !== 3}`);
    else if (memIced && icedMem(x, asize) !== ourMem(i)) out.push(`memory: iced ${icedMem(x, asize)}, ours ${ourMem(i)}`);
    return out.join('; ');
  }
  let ours = ourOperands(i);
  // 90 without REX.B is nop (the handler does nothing), not xchg eax, eax.
  if (i.op === 0x90 && i.name === 'xchg' && i.reg === 0) ours = [];
  if (ours.length !== iced.length) return `operand count: iced ${iced.length}, ours ${ours.length} (${ours.join(' ')})`;
  const toks = i.form.split(',');
  let immSeen = 0;
  iced.forEach((k, n) => {
    const kind = x.opKind(k), o = ours[n]!;
    if (STRING_KINDS.has(kind)) {
      if (o !== STRING_KINDS.get(kind)) out.push(`op${n}: iced ${STRING_KINDS.get(kind)}, ours ${o}`);
    } else if (kind === OpKind.Memory && o === 'xlat') {
      const want = i.asize === 4 ? Register.EBX : Register.RBX;
      if (x.memoryBase !== want) out.push(`op${n}: iced xlat base ${Register[x.memoryBase]}, ours ${Register[want]}`);
    } else if (kind === OpKind.Register) {
      const want = `reg:${icedRegName(x.opRegister(k))}`;
      if (o !== want) out.push(`op${n}: iced ${want}, ours ${o}`);
    } else if (kind === OpKind.Memory) {
      if (o !== 'mem') { out.push(`op${n}: iced memory, ours ${o}`); return; }
      const [a, b] = [icedMem(x, asize), ourMem(i)];
      if (a !== b) out.push(`op${n}: iced ${a}, ours ${b}`);
      const size = tokenMemSize(toks[n]!, i), isz = MemorySizeExt.size(x.memorySize);
      if (size !== 0 && isz !== 0 && size !== isz && !(toks[n] === 'Mq' && isz === 16)) out.push(`op${n} size: iced ${isz}, ours ${size}`);
    } else if (IMM_BITS[kind] !== undefined) {
      if (o === 'one') {
        if (x.immediate(k) !== 1n) out.push(`op${n}: iced ${x.immediate(k)}, ours 1`);
        return;
      }
      if (o !== 'imm') { out.push(`op${n}: iced immediate, ours ${o}`); return; }
      const bits = IMM_BITS[kind]!;
      const [a, b] = [icedImm(x, k), ourImm(i, immSeen++ > 0, bits)];
      if (a !== b) out.push(`op${n} imm${bits}: iced 0x${a.toString(16)}, ours 0x${b.toString(16)}`);
    } else if (kind === OpKind.NearBranch64) {
      if (o !== 'rel') { out.push(`op${n}: iced branch, ours ${o}`); return; }
      if (Number(x.nearBranch64) !== i.target) out.push(`op${n}: iced target ${x.nearBranch64}, ours ${i.target}`);
    } else out.push(`op${n}: iced kind ${OpKind[kind]}, ours ${o}`);
  });
  return out.join('; ');
}

// ---------------------------------------------------------------------------
// One instruction

export interface Mismatch {
  /** Grouping key: the opcode (map and byte) and the kind of mismatch. */
  readonly key: string;
  readonly line: string;
}

export interface Tally {
  compared: number;
  bothValid: number;
  bothUd: number;
  explained: Map<string, number>;
}

export function newTally(): Tally {
  return { compared: 0, bothValid: 0, bothUd: 0, explained: new Map() };
}

const MAP_NAMES = ['', '0F ', '0F 38 ', '0F 3A '];
const hex2 = (b: number): string => b.toString(16).padStart(2, '0');

/** Compare the instruction at `off` of iced's buffer (guest address base + off); a mismatch, or null. */
export function compareAt(ice: IcedDecoder, mem: GuestMemory, bytes: Uint8Array, base: number, off: number, t: Tally): Mismatch | null {
  const { view, insn: x } = ice.at(off);
  const ours = ourDecode(mem, base + off);
  t.compared++;
  const o = ours === 'gp' ? null : ours;
  const op = `${MAP_NAMES[view.opcodeMap]}${hex2(view.opcode)}`;
  const show = (kind: string, detail = ''): Mismatch => {
    const n = view.valid ? view.len : Math.min(15, bytes.length - off);
    const hexBytes = [...bytes.subarray(off, off + n)].map(hex2).join(' ');
    const feats = view.features.map((f) => CpuidFeature[f]).join(',');
    const mine = ours === 'gp' ? '#GP (over 15 bytes)' : o === null ? '(bad)' : `${disassemble(o)} [len ${o.len}]`;
    return { key: `${op}: ${kind}`, line: `${hexBytes}: iced ${view.text} [len ${view.len}; ${feats}] / ours ${mine}${detail && ': ' + detail}` };
  };
  for (const d of DIFFERENCES) {
    if (d.applies(view, o)) {
      t.explained.set(d.name, (t.explained.get(d.name) ?? 0) + 1);
      return null;
    }
  }
  if (!view.valid || !view.supported) {
    if (o === null) { t.bothUd++; return null; }
    return show(view.valid ? `ours decodes what needs ${view.features.filter((f) => !OUR_FEATURES.has(f)).map((f) => CpuidFeature[f]).join(',')}` : 'ours decodes what iced rejects');
  }
  if (o === null) return show('ours #UD');
  t.bothValid++;
  if (o.len !== view.len) return show('length');
  const d = compareOperands(x, o, prefixAsize(bytes, off));
  return d === '' ? null : show('operands', d);
}

// ---------------------------------------------------------------------------
// Inputs

/** mulberry32: a small seeded generator of 32-bit numbers. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const LEGACY = [0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x3e, 0x26, 0x36, 0x64, 0x65];

/**
 * `n` random instructions of 16 bytes each (the last byte is never reached:
 * 15 is the limit), biased to cover every opcode map: 0-3 legacy prefixes
 * (mostly the mandatory ones 66 F2 F3), a REX half the time, the one-byte,
 * 0F, 0F 38 and 0F 3A maps, and ModRM bytes weighted towards the SIB,
 * RIP-relative and displacement forms. One case in ten is plain random bytes.
 */
export function randomCases(seed: number, n: number): Uint8Array {
  const r = prng(seed);
  const out = new Uint8Array(n * 16);
  for (let c = 0; c < n; c++) {
    const b = out.subarray(c * 16, c * 16 + 16);
    for (let k = 0; k < 16; k++) b[k] = r() & 0xff;
    if (r() % 10 === 0) continue;
    let p = 0;
    const np = [0, 0, 1, 1, 1, 2, 3][r() % 7]!;
    for (let k = 0; k < np; k++) b[p++] = r() % 3 === 0 ? LEGACY[r() % LEGACY.length]! : [0x66, 0xf2, 0xf3][r() % 3]!;
    if (r() % 2 === 0) b[p++] = 0x40 | (r() & 15);
    const map = r() % 100;
    if (map >= 35 && map < 70) b[p++] = 0x0f;
    else if (map >= 70 && map < 85) { b[p++] = 0x0f; b[p++] = 0x38; } else if (map >= 85) { b[p++] = 0x0f; b[p++] = 0x3a; }
    if (map < 35) {
      let o = r() & 0xff;
      while (PREFIXES.has(o) || (o & 0xf0) === 0x40 || o === 0x0f) o = r() & 0xff;
      b[p++] = o;
    } else p++; // the random opcode byte already there
    // ModRM: mod uniform; rm 4 (SIB) and mod 0 rm 5 (RIP-relative) often.
    const md = r() & 3, sel = r() % 8;
    const rm = sel < 2 ? 4 : sel === 2 ? 5 : r() & 7;
    b[p] = (md << 6) | (b[p]! & 0x38) | rm;
  }
  return out;
}

/** The SHF_EXECINSTR sections of an ELF file: their address and bytes. */
export function execSections(file: Uint8Array): { addr: number; bytes: Uint8Array }[] {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const shoff = Number(v.getBigUint64(40, true)), shentsize = v.getUint16(58, true), shnum = v.getUint16(60, true);
  const out: { addr: number; bytes: Uint8Array }[] = [];
  for (let k = 0; k < shnum; k++) {
    const s = shoff + k * shentsize;
    const type = v.getUint32(s + 4, true), flags = Number(v.getBigUint64(s + 8, true));
    if (type !== 1 /* SHT_PROGBITS */ || (flags & 4 /* SHF_EXECINSTR */) === 0) continue;
    const addr = Number(v.getBigUint64(s + 16, true)), off = Number(v.getBigUint64(s + 24, true)), size = Number(v.getBigUint64(s + 32, true));
    out.push({ addr, bytes: file.subarray(off, off + size) });
  }
  return out;
}
