/**
 * The integer opcode maps, as data: the one-byte map and the 0F two-byte map
 * (SSE entries of the 0F map come from table-sse.ts). Read next to the SDM's
 * vol. 2 appendix A; opcodes.ts explains the notation.
 */

import { grp, mod, op, opMap, pfx, range } from './opcodes.js';
import { X87 } from './table-x87.js';
import { TWO_BYTE_SYSTEM } from './table-system.js';
import type { Entry } from './opcodes.js';
import * as A from './ops/alu.js';
import * as B from './ops/bits.js';
import * as C from './ops/control.js';
import * as M from './ops/mov.js';
import * as D from './ops/muldiv.js';
import * as Sh from './ops/shift.js';
import * as St from './ops/string.js';
import * as Sy from './ops/system.js';
import { SSE_0F, SSE_0F38, SSE_0F3A } from './table-sse.js';

const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

const movEvSw = op('mov', 'Rv/Mw,Sw', M.opMovEvSw);
const movSw = op('mov', 'Sw,Rv/Mw', Sy.opPrivileged);

/** The one-byte opcode map (prefixes 26 2E 36 3E 64 65 66 67 F0 F2 F3 and REX 40-4F are consumed by the decoder). */
export const ONE_BYTE: Entry[] = opMap([
  [0x00, op('add', 'Eb,Gb', A.opAddEbGb)], [0x01, op('add', 'Ev,Gv', A.opAddEvGv)],
  [0x02, op('add', 'Gb,Eb', A.opAddGbEb)], [0x03, op('add', 'Gv,Ev', A.opAddGvEv)],
  [0x04, op('add', 'AL,Ib', A.opAddAlIb)], [0x05, op('add', 'rAX,Iz', A.opAddRaxIz)],
  [0x08, op('or', 'Eb,Gb', A.opOrEbGb)], [0x09, op('or', 'Ev,Gv', A.opOrEvGv)],
  [0x0a, op('or', 'Gb,Eb', A.opOrGbEb)], [0x0b, op('or', 'Gv,Ev', A.opOrGvEv)],
  [0x0c, op('or', 'AL,Ib', A.opOrAlIb)], [0x0d, op('or', 'rAX,Iz', A.opOrRaxIz)],
  [0x10, op('adc', 'Eb,Gb', A.opAdcEbGb)], [0x11, op('adc', 'Ev,Gv', A.opAdcEvGv)],
  [0x12, op('adc', 'Gb,Eb', A.opAdcGbEb)], [0x13, op('adc', 'Gv,Ev', A.opAdcGvEv)],
  [0x14, op('adc', 'AL,Ib', A.opAdcAlIb)], [0x15, op('adc', 'rAX,Iz', A.opAdcRaxIz)],
  [0x18, op('sbb', 'Eb,Gb', A.opSbbEbGb)], [0x19, op('sbb', 'Ev,Gv', A.opSbbEvGv)],
  [0x1a, op('sbb', 'Gb,Eb', A.opSbbGbEb)], [0x1b, op('sbb', 'Gv,Ev', A.opSbbGvEv)],
  [0x1c, op('sbb', 'AL,Ib', A.opSbbAlIb)], [0x1d, op('sbb', 'rAX,Iz', A.opSbbRaxIz)],
  [0x20, op('and', 'Eb,Gb', A.opAndEbGb)], [0x21, op('and', 'Ev,Gv', A.opAndEvGv)],
  [0x22, op('and', 'Gb,Eb', A.opAndGbEb)], [0x23, op('and', 'Gv,Ev', A.opAndGvEv)],
  [0x24, op('and', 'AL,Ib', A.opAndAlIb)], [0x25, op('and', 'rAX,Iz', A.opAndRaxIz)],
  [0x28, op('sub', 'Eb,Gb', A.opSubEbGb)], [0x29, op('sub', 'Ev,Gv', A.opSubEvGv)],
  [0x2a, op('sub', 'Gb,Eb', A.opSubGbEb)], [0x2b, op('sub', 'Gv,Ev', A.opSubGvEv)],
  [0x2c, op('sub', 'AL,Ib', A.opSubAlIb)], [0x2d, op('sub', 'rAX,Iz', A.opSubRaxIz)],
  [0x30, op('xor', 'Eb,Gb', A.opXorEbGb)], [0x31, op('xor', 'Ev,Gv', A.opXorEvGv)],
  [0x32, op('xor', 'Gb,Eb', A.opXorGbEb)], [0x33, op('xor', 'Gv,Ev', A.opXorGvEv)],
  [0x34, op('xor', 'AL,Ib', A.opXorAlIb)], [0x35, op('xor', 'rAX,Iz', A.opXorRaxIz)],
  [0x38, op('cmp', 'Eb,Gb', A.opCmpEbGb)], [0x39, op('cmp', 'Ev,Gv', A.opCmpEvGv)],
  [0x3a, op('cmp', 'Gb,Eb', A.opCmpGbEb)], [0x3b, op('cmp', 'Gv,Ev', A.opCmpGvEv)],
  [0x3c, op('cmp', 'AL,Ib', A.opCmpAlIb)], [0x3d, op('cmp', 'rAX,Iz', A.opCmpRaxIz)],
  ...range(0x50, 8, () => op('push', 'Zv.d64', M.opPushZv)),
  ...range(0x58, 8, () => op('pop', 'Zv.d64', M.opPopZv)),
  [0x63, op('movsxd', 'Gv,Ez', M.opMovsxdGvEd)],
  [0x68, op('push', 'Iz', M.opPushIz)],
  [0x69, op('imul', 'Gv,Ev,Iz', D.opImulGvEvIz)],
  [0x6a, op('push', 'Ib', M.opPushIb)],
  [0x6b, op('imul', 'Gv,Ev,Ib', D.opImulGvEvIb)],
  [0x6c, op('insb', 'Yb,DX', Sy.opPrivileged)], [0x6d, op('ins', 'Yz,DX', Sy.opPrivileged)],
  [0x6e, op('outsb', 'DX,Xb', Sy.opPrivileged)], [0x6f, op('outs', 'DX,Xz', Sy.opPrivileged)],
  ...range(0x70, 16, (k) => op(`j${CC[k]}`, 'Jb', C.opJccJb)),
  [0x80, op('grp1', 'Eb,Ib', A.opGrp1EbIb)],
  [0x81, op('grp1', 'Ev,Iz', A.opGrp1EvIz)],
  [0x83, op('grp1', 'Ev,Ib', A.opGrp1EvIb)],
  [0x84, op('test', 'Eb,Gb', A.opTestEbGb)], [0x85, op('test', 'Ev,Gv', A.opTestEvGv)],
  [0x86, op('xchg', 'Eb,Gb', M.opXchgEbGb)], [0x87, op('xchg', 'Ev,Gv', M.opXchgEvGv)],
  [0x88, op('mov', 'Eb,Gb', M.opMovEbGb)], [0x89, op('mov', 'Ev,Gv', M.opMovEvGv)],
  [0x8a, op('mov', 'Gb,Eb', M.opMovGbEb)], [0x8b, op('mov', 'Gv,Ev', M.opMovGvEv)],
  // Sreg 6 and 7 do not exist; mov to CS is #UD (SDM vol. 2 MOV, "Move to/from Segment Registers").
  [0x8c, grp(movEvSw, movEvSw, movEvSw, movEvSw, movEvSw, movEvSw, undefined, undefined)],
  [0x8d, mod(op('lea', 'Gv,M', M.opLeaGvM), undefined)],
  [0x8e, grp(movSw, undefined, movSw, movSw, movSw, movSw, undefined, undefined)],
  [0x8f, grp(op('pop', 'Ev.d64', M.opPopEv), undefined, undefined, undefined, undefined, undefined, undefined, undefined)],
  [0x90, pfx({ np: op('xchg', 'Zv,rAX', M.opXchgZvRax), pF3: op('pause', '', Sy.opNop) })],
  ...range(0x91, 7, () => op('xchg', 'Zv,rAX', M.opXchgZvRax)),
  [0x98, op('cbw/cwde/cdqe', '', M.opCbw)],
  [0x99, op('cwd/cdq/cqo', '', M.opCwd)],
  [0x9b, op('fwait', '', Sy.opNop)],
  [0x9c, op('pushf', '', M.opPushf)], [0x9d, op('popf', '', M.opPopf)],
  [0x9e, op('sahf', '', M.opSahf)], [0x9f, op('lahf', '', M.opLahf)],
  [0xa0, op('mov', 'AL,Ob', M.opMovAlOb)], [0xa1, op('mov', 'rAX,Ov', M.opMovRaxOv)],
  [0xa2, op('mov', 'Ob,AL', M.opMovObAl)], [0xa3, op('mov', 'Ov,rAX', M.opMovOvRax)],
  [0xa4, op('movsb', 'Yb,Xb', St.opMovsb)], [0xa5, op('movs', 'Yv,Xv', St.opMovsv)],
  [0xa6, op('cmpsb', 'Xb,Yb', St.opCmpsb)], [0xa7, op('cmps', 'Xv,Yv', St.opCmpsv)],
  [0xa8, op('test', 'AL,Ib', A.opTestAlIb)], [0xa9, op('test', 'rAX,Iz', A.opTestRaxIz)],
  [0xaa, op('stosb', 'Yb,AL', St.opStosb)], [0xab, op('stos', 'Yv,rAX', St.opStosv)],
  [0xac, op('lodsb', 'AL,Xb', St.opLodsb)], [0xad, op('lods', 'rAX,Xv', St.opLodsv)],
  [0xae, op('scasb', 'AL,Yb', St.opScasb)], [0xaf, op('scas', 'rAX,Yv', St.opScasv)],
  ...range(0xb0, 8, () => op('mov', 'Zb,Ib', M.opMovZbIb)),
  ...range(0xb8, 8, () => op('mov', 'Zv,Iv', M.opMovZvIv)),
  [0xc0, op('grp2', 'Eb,Ib', Sh.opGrp2EbIb)], [0xc1, op('grp2', 'Ev,Ib', Sh.opGrp2EvIb)],
  [0xc2, op('ret', 'Iw', C.opRetIw)], [0xc3, op('ret', '', C.opRet)],
  [0xc6, grp(op('mov', 'Eb,Ib', M.opMovEbIb), undefined, undefined, undefined, undefined, undefined, undefined, undefined)],
  [0xc7, grp(op('mov', 'Ev,Iz', M.opMovEvIz), undefined, undefined, undefined, undefined, undefined, undefined, undefined)],
  [0xc8, op('enter', 'Iw,Ib', M.opEnterIwIb)],
  [0xc9, op('leave', '', M.opLeave)],
  [0xca, op('retf', 'Iw', Sy.opPrivileged)], [0xcb, op('retf', '', Sy.opPrivileged)],
  [0xcc, op('int3', '', Sy.opInt3)],
  [0xcd, op('int', 'Ib', Sy.opIntIb)],
  [0xcf, op('iret', '', Sy.opPrivileged)],
  [0xd0, op('grp2', 'Eb,1', Sh.opGrp2Eb1)], [0xd1, op('grp2', 'Ev,1', Sh.opGrp2Ev1)],
  [0xd2, op('grp2', 'Eb,CL', Sh.opGrp2EbCl)], [0xd3, op('grp2', 'Ev,CL', Sh.opGrp2EvCl)],
  [0xd7, op('xlat', '[rBX+AL]', Sy.opXlat)],
  ...X87,
  [0xe0, op('loopne', 'Jb', C.opLoopneJb)], [0xe1, op('loope', 'Jb', C.opLoopeJb)],
  [0xe2, op('loop', 'Jb', C.opLoopJb)], [0xe3, op('jrcxz', 'Jb', C.opJrcxzJb)],
  [0xe4, op('in', 'AL,Ib', Sy.opPrivileged)], [0xe5, op('in', 'eAX,Ib', Sy.opPrivileged)],
  [0xe6, op('out', 'Ib,AL', Sy.opPrivileged)], [0xe7, op('out', 'Ib,eAX', Sy.opPrivileged)],
  [0xe8, op('call', 'Jz', C.opCallJz)], [0xe9, op('jmp', 'Jz', C.opJmpJz)],
  [0xeb, op('jmp', 'Jb', C.opJmpJb)],
  [0xec, op('in', 'AL,DX', Sy.opPrivileged)], [0xed, op('in', 'eAX,DX', Sy.opPrivileged)],
  [0xee, op('out', 'DX,AL', Sy.opPrivileged)], [0xef, op('out', 'DX,eAX', Sy.opPrivileged)],
  [0xf1, op('int1', '', Sy.opIcebp)],
  [0xf4, op('hlt', '', Sy.opHlt)], [0xf5, op('cmc', '', Sy.opCmc)],
  [0xf6, grp(
    op('test', 'Eb,Ib', D.opGrp3Eb), op('test', 'Eb,Ib', D.opGrp3Eb), op('not', 'Eb', D.opGrp3Eb), op('neg', 'Eb', D.opGrp3Eb),
    op('mul', 'Eb', D.opGrp3Eb), op('imul', 'Eb', D.opGrp3Eb), op('div', 'Eb', D.opGrp3Eb), op('idiv', 'Eb', D.opGrp3Eb))],
  [0xf7, grp(
    op('test', 'Ev,Iz', D.opGrp3Ev), op('test', 'Ev,Iz', D.opGrp3Ev), op('not', 'Ev', D.opGrp3Ev), op('neg', 'Ev', D.opGrp3Ev),
    op('mul', 'Ev', D.opGrp3Ev), op('imul', 'Ev', D.opGrp3Ev), op('div', 'Ev', D.opGrp3Ev), op('idiv', 'Ev', D.opGrp3Ev))],
  [0xf8, op('clc', '', Sy.opClc)], [0xf9, op('stc', '', Sy.opStc)],
  [0xfa, op('cli', '', Sy.opPrivileged)], [0xfb, op('sti', '', Sy.opPrivileged)],
  [0xfc, op('cld', '', Sy.opCld)], [0xfd, op('std', '', Sy.opStd)],
  [0xfe, grp(op('inc', 'Eb', D.opGrp4Eb), op('dec', 'Eb', D.opGrp4Eb), undefined, undefined, undefined, undefined, undefined, undefined)],
  [0xff, grp(
    op('inc', 'Ev', C.opGrp5Ev), op('dec', 'Ev', C.opGrp5Ev), op('call', 'Ev.f64', C.opGrp5Ev), mod(op('call far', 'Mp', Sy.opPrivileged), undefined),
    op('jmp', 'Ev.f64', C.opGrp5Ev), mod(op('jmp far', 'Mp', Sy.opPrivileged), undefined), op('push', 'Ev.d64', C.opGrp5Ev), undefined)],
]);

/** The reserved-NOP space 0F 19-1F (SDM vol. 2 NOP, table A-3 "NOP Ev,Gv"). */
const nopEvGv = op('nop', 'Ev,Gv', Sy.opNop);

/** The integer part of the 0F map. */
const TWO_BYTE_INT: [number, Entry][] = [
  [0x05, op('syscall', '', Sy.opSyscall)],
  [0x0b, op('ud2', '', Sy.opUd2)],
  [0x0d, mod(op('prefetch', 'Mb', Sy.opNop), nopEvGv)],
  [0x18, mod(grp(op('prefetchnta', 'Mb', Sy.opNop), op('prefetcht0', 'Mb', Sy.opNop), op('prefetcht1', 'Mb', Sy.opNop), op('prefetcht2', 'Mb', Sy.opNop),
    nopEvGv, nopEvGv, nopEvGv, nopEvGv), nopEvGv)],
  ...range(0x19, 6, () => nopEvGv), // reserved nops; endbr64 (F3 0F 1E FA) is one on a CPU without CET
  [0x1f, grp(op('nop', 'Ev', Sy.opNop), nopEvGv, nopEvGv, nopEvGv, nopEvGv, nopEvGv, nopEvGv, nopEvGv)],
  [0x31, op('rdtsc', '', Sy.opRdtsc)],
  ...range(0x40, 16, (k) => op(`cmov${CC[k]}`, 'Gv,Ev', M.opCmovGvEv)),
  ...range(0x80, 16, (k) => op(`j${CC[k]}`, 'Jz', C.opJccJz)),
  ...range(0x90, 16, (k) => op(`set${CC[k]}`, 'Eb', M.opSetccEb)),
  [0xa2, op('cpuid', '', Sy.opCpuid)],
  [0xa3, op('bt', 'Ev,Gv', B.opBtEvGv)],
  [0xa4, op('shld', 'Ev,Gv,Ib', Sh.opShldEvGvIb)], [0xa5, op('shld', 'Ev,Gv,CL', Sh.opShldEvGvCl)],
  [0xab, op('bts', 'Ev,Gv', B.opBtsEvGv)],
  [0xac, op('shrd', 'Ev,Gv,Ib', Sh.opShrdEvGvIb)], [0xad, op('shrd', 'Ev,Gv,CL', Sh.opShrdEvGvCl)],
  [0xaf, op('imul', 'Gv,Ev', D.opImulGvEv)],
  [0xb0, op('cmpxchg', 'Eb,Gb', M.opCmpxchgEbGb)], [0xb1, op('cmpxchg', 'Ev,Gv', M.opCmpxchgEvGv)],
  [0xb3, op('btr', 'Ev,Gv', B.opBtrEvGv)],
  [0xb6, op('movzx', 'Gv,Eb', M.opMovzxGvEb)], [0xb7, op('movzx', 'Gv,Ew', M.opMovzxGvEw)],
  [0xb8, pfx({ pF3: op('popcnt', 'Gv,Ev', B.opPopcntGvEv) })],
  [0xba, grp(undefined, undefined, undefined, undefined,
    op('bt', 'Ev,Ib', B.opGrp8EvIb), op('bts', 'Ev,Ib', B.opGrp8EvIb), op('btr', 'Ev,Ib', B.opGrp8EvIb), op('btc', 'Ev,Ib', B.opGrp8EvIb))],
  [0xbb, op('btc', 'Ev,Gv', B.opBtcEvGv)],
  [0xbc, op('bsf', 'Gv,Ev', B.opBsfGvEv)], [0xbd, op('bsr', 'Gv,Ev', B.opBsrGvEv)],
  [0xbe, op('movsx', 'Gv,Eb', M.opMovsxGvEb)], [0xbf, op('movsx', 'Gv,Ew', M.opMovsxGvEw)],
  [0xc0, op('xadd', 'Eb,Gb', M.opXaddEbGb)], [0xc1, op('xadd', 'Ev,Gv', M.opXaddEvGv)],
  [0xc7, grp(undefined, mod(op('cmpxchg8b/16b', 'Mq', M.opCmpxchg8bMq), undefined),
    undefined, undefined, undefined, undefined, undefined, undefined)],
  ...range(0xc8, 8, () => op('bswap', 'Zv', M.opBswapZv)),
];

/** The 0F map: integer entries here, SSE entries from table-sse.ts. */
export const TWO_BYTE: Entry[] = opMap([...TWO_BYTE_INT, ...TWO_BYTE_SYSTEM, ...SSE_0F]);
export const THREE_BYTE_38: Entry[] = opMap(SSE_0F38);
export const THREE_BYTE_3A: Entry[] = opMap(SSE_0F3A);

/**
 * The instructions LOCK may prefix (SDM vol. 2 "LOCK"), as opcode or
 * opcode/ModRM.reg; only with a memory destination. Any other use is #UD.
 */
const LOCKABLE = new Set<string>([
  ...[0x00, 0x01, 0x08, 0x09, 0x10, 0x11, 0x18, 0x19, 0x20, 0x21, 0x28, 0x29, 0x30, 0x31].map(String), // add..xor Eb/Ev,G (not cmp)
  ...[0x80, 0x81, 0x83].flatMap((o) => [0, 1, 2, 3, 4, 5, 6].map((r) => `${o}/${r}`)), // grp1 but cmp
  String(0x86), String(0x87), // xchg
  `${0xf6}/2`, `${0xf6}/3`, `${0xf7}/2`, `${0xf7}/3`, // not, neg
  `${0xfe}/0`, `${0xfe}/1`, `${0xff}/0`, `${0xff}/1`, // inc, dec
  String(0x1ab), String(0x1b3), String(0x1bb), `${0x1ba}/5`, `${0x1ba}/6`, `${0x1ba}/7`, // bts, btr, btc
  String(0x1b0), String(0x1b1), String(0x1c0), String(0x1c1), `${0x1c7}/1`, // cmpxchg, xadd, cmpxchg8b/16b
]);

/** True when LOCK may prefix opcode `opcode` (Insn.op numbering) with ModRM.reg `reg` and a memory destination. */
export function lockable(opcode: number, reg: number): boolean {
  return LOCKABLE.has(String(opcode)) || LOCKABLE.has(`${opcode}/${reg}`);
}
