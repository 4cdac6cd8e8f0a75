/**
 * SSE and SSE2 entries of the 0F map (the 0F 38 and 0F 3A maps hold SSSE3
 * and SSE4 instructions, which CPUID does not advertise: empty, so #UD).
 *
 * Mandatory prefixes select the instruction (opcodes.ts `pfx`): np = none
 * (ps, single precision), 66 (pd, or the 128-bit integer forms), F3 (ss),
 * F2 (sd). The MMX forms (no prefix on 0F 60-7F, D0-FF: P,Q on mm0-7) run
 * the same 128-bit handlers on scratch slots (ops/mmx.ts `mmx`): `pq` makes
 * both forms of one opcode.
 */

import { grp, mod, op, pfx, range } from './opcodes.js';
import type { Entry } from './opcodes.js';
import * as F from './ops/sse-fp.js';
import * as Ap from './ops/sse-approx.js';
import * as MM from './ops/mmx.js';
import * as I from './ops/sse-int.js';
import * as S from './ops/sse.js';
import { opClflushMb, opNop } from './ops/system.js';

/** 66-only entry (the 128-bit integer SSE2 instructions). */
const p66 = (name: string, form: string, fn: Parameters<typeof op>[2]): Entry => pfx({ p66: op(name, form, fn) });

/** MMX P,Q (no prefix) and SSE2 V,W (66) forms of one integer opcode. */
const pq = (name: string, fn: Parameters<typeof op>[2], layout: MM.Layout = 'lo'): Entry =>
  pfx({ np: op(name, 'P,Q', MM.mmx(fn, layout)), p66: op(name, 'V,W', fn) });

/** The four arithmetic forms of one 0F 5x opcode. */
const fp4 = (name: string, ps: Parameters<typeof op>[2], pd: Parameters<typeof op>[2], ss: Parameters<typeof op>[2], sd: Parameters<typeof op>[2]): Entry =>
  pfx({ np: op(`${name}ps`, 'V,W', ps), p66: op(`${name}pd`, 'V,W', pd), pF3: op(`${name}ss`, 'V,W', ss), pF2: op(`${name}sd`, 'V,W', sd) });

export const SSE_0F: [number, Entry][] = [
  [0x10, pfx({ np: op('movups', 'V,W', S.opMovupsVW), p66: op('movupd', 'V,W', S.opMovupsVW), pF3: op('movss', 'V,W', S.opMovssVW), pF2: op('movsd', 'V,W', S.opMovsdVW) })],
  [0x11, pfx({ np: op('movups', 'W,V', S.opMovupsWV), p66: op('movupd', 'W,V', S.opMovupsWV), pF3: op('movss', 'W,V', S.opMovssWV), pF2: op('movsd', 'W,V', S.opMovsdWV) })],
  [0x12, pfx({ np: mod(op('movlps', 'V,M', S.opMovlpsVM), op('movhlps', 'V,U', S.opMovhlpsVU)), p66: mod(op('movlpd', 'V,M', S.opMovlpsVM), undefined) })],
  [0x13, pfx({ np: mod(op('movlps', 'M,V', S.opMovlpsMV), undefined), p66: mod(op('movlpd', 'M,V', S.opMovlpsMV), undefined) })],
  [0x14, pfx({ np: op('unpcklps', 'V,W', I.opPunpckldq), p66: op('unpcklpd', 'V,W', I.opPunpcklqdq) })],
  [0x15, pfx({ np: op('unpckhps', 'V,W', I.opPunpckhdq), p66: op('unpckhpd', 'V,W', I.opPunpckhqdq) })],
  [0x16, pfx({ np: mod(op('movhps', 'V,M', S.opMovhpsVM), op('movlhps', 'V,U', S.opMovlhpsVU)), p66: mod(op('movhpd', 'V,M', S.opMovhpsVM), undefined) })],
  [0x17, pfx({ np: mod(op('movhps', 'M,V', S.opMovhpsMV), undefined), p66: mod(op('movhpd', 'M,V', S.opMovhpsMV), undefined) })],
  [0x28, pfx({ np: op('movaps', 'V,W', S.opMovapsVW), p66: op('movapd', 'V,W', S.opMovapsVW) })],
  [0x29, pfx({ np: op('movaps', 'W,V', S.opMovapsWV), p66: op('movapd', 'W,V', S.opMovapsWV) })],
  [0x2a, pfx({ np: op('cvtpi2ps', 'V,Q', MM.cvtFromMm(F.opCvtdq2ps, true)), p66: op('cvtpi2pd', 'V,Q', MM.cvtFromMm(F.opCvtdq2pd, false)),
    pF3: op('cvtsi2ss', 'V,Ey', F.opCvtsi2ss), pF2: op('cvtsi2sd', 'V,Ey', F.opCvtsi2sd) })],
  [0x2b, pfx({ np: mod(op('movntps', 'M,V', S.opMovapsWV), undefined), p66: mod(op('movntpd', 'M,V', S.opMovapsWV), undefined) })],
  [0x2c, pfx({ np: op('cvttps2pi', 'P,W', MM.cvtToMm(F.opCvttps2dq, 8)), p66: op('cvttpd2pi', 'P,W', MM.cvtToMm(F.opCvttpd2dq, 16)),
    pF3: op('cvttss2si', 'Gy,W', F.opCvttss2si), pF2: op('cvttsd2si', 'Gy,W', F.opCvttsd2si) })],
  [0x2d, pfx({ np: op('cvtps2pi', 'P,W', MM.cvtToMm(F.opCvtps2dq, 8)), p66: op('cvtpd2pi', 'P,W', MM.cvtToMm(F.opCvtpd2dq, 16)),
    pF3: op('cvtss2si', 'Gy,W', F.opCvtss2si), pF2: op('cvtsd2si', 'Gy,W', F.opCvtsd2si) })],
  [0x2e, pfx({ np: op('ucomiss', 'V,W', F.opUcomiss), p66: op('ucomisd', 'V,W', F.opUcomisd) })],
  [0x2f, pfx({ np: op('comiss', 'V,W', F.opComiss), p66: op('comisd', 'V,W', F.opComisd) })],
  [0x50, pfx({ np: mod(undefined, op('movmskps', 'Gy,U', S.opMovmskpsGdU)), p66: mod(undefined, op('movmskpd', 'Gy,U', S.opMovmskpdGdU)) })],
  [0x51, fp4('sqrt', F.opSqrtps, F.opSqrtpd, F.opSqrtss, F.opSqrtsd)],
  [0x52, pfx({ np: op('rsqrtps', 'V,W', Ap.opRsqrtps), pF3: op('rsqrtss', 'V,W', Ap.opRsqrtss) })],
  [0x53, pfx({ np: op('rcpps', 'V,W', Ap.opRcpps), pF3: op('rcpss', 'V,W', Ap.opRcpss) })],
  [0x54, pfx({ np: op('andps', 'V,W', I.opPand), p66: op('andpd', 'V,W', I.opPand) })],
  [0x55, pfx({ np: op('andnps', 'V,W', I.opPandn), p66: op('andnpd', 'V,W', I.opPandn) })],
  [0x56, pfx({ np: op('orps', 'V,W', I.opPor), p66: op('orpd', 'V,W', I.opPor) })],
  [0x57, pfx({ np: op('xorps', 'V,W', I.opPxor), p66: op('xorpd', 'V,W', I.opPxor) })],
  [0x58, fp4('add', F.opAddps, F.opAddpd, F.opAddss, F.opAddsd)],
  [0x59, fp4('mul', F.opMulps, F.opMulpd, F.opMulss, F.opMulsd)],
  [0x5a, pfx({ np: op('cvtps2pd', 'V,W', F.opCvtps2pd), p66: op('cvtpd2ps', 'V,W', F.opCvtpd2ps), pF3: op('cvtss2sd', 'V,W', F.opCvtss2sd), pF2: op('cvtsd2ss', 'V,W', F.opCvtsd2ss) })],
  [0x5b, pfx({ np: op('cvtdq2ps', 'V,W', F.opCvtdq2ps), p66: op('cvtps2dq', 'V,W', F.opCvtps2dq), pF3: op('cvttps2dq', 'V,W', F.opCvttps2dq) })],
  [0x5c, fp4('sub', F.opSubps, F.opSubpd, F.opSubss, F.opSubsd)],
  [0x5d, fp4('min', F.opMinps, F.opMinpd, F.opMinss, F.opMinsd)],
  [0x5e, fp4('div', F.opDivps, F.opDivpd, F.opDivss, F.opDivsd)],
  [0x5f, fp4('max', F.opMaxps, F.opMaxpd, F.opMaxss, F.opMaxsd)],
  [0x60, pq('punpcklbw', I.opPunpcklbw, 'lo32')], [0x61, pq('punpcklwd', I.opPunpcklwd, 'lo32')],
  [0x62, pq('punpckldq', I.opPunpckldq, 'lo32')], [0x63, pq('packsswb', I.opPacksswb, 'pack')],
  [0x64, pq('pcmpgtb', I.opPcmpgtb)], [0x65, pq('pcmpgtw', I.opPcmpgtw)],
  [0x66, pq('pcmpgtd', I.opPcmpgtd)], [0x67, pq('packuswb', I.opPackuswb, 'pack')],
  [0x68, pq('punpckhbw', I.opPunpckhbw, 'hi')], [0x69, pq('punpckhwd', I.opPunpckhwd, 'hi')],
  [0x6a, pq('punpckhdq', I.opPunpckhdq, 'hi')], [0x6b, pq('packssdw', I.opPackssdw, 'pack')],
  [0x6c, p66('punpcklqdq', 'V,W', I.opPunpcklqdq)], [0x6d, p66('punpckhqdq', 'V,W', I.opPunpckhqdq)],
  [0x6e, pfx({ np: op('movd/movq', 'P,Ey', MM.opMovdPEy), p66: op('movd/movq', 'V,Ey', S.opMovdVEy) })],
  [0x6f, pfx({ np: op('movq', 'P,Q', MM.opMovqPQ), p66: op('movdqa', 'V,W', S.opMovapsVW), pF3: op('movdqu', 'V,W', S.opMovupsVW) })],
  [0x70, pfx({ np: op('pshufw', 'P,Q,Ib', MM.opPshufwPQIb), p66: op('pshufd', 'V,W,Ib', I.opPshufd), pF3: op('pshufhw', 'V,W,Ib', I.opPshufhw), pF2: op('pshuflw', 'V,W,Ib', I.opPshuflw) })],
  [0x71, shiftGrp(['psrlw', 'psraw', 'psllw'], I.opGrp12UIb)],
  [0x72, shiftGrp(['psrld', 'psrad', 'pslld'], I.opGrp13UIb)],
  [0x73, pfx({
    np: mod(undefined, grp(undefined, undefined, op('psrlq', 'N,Ib', MM.mmxShiftImm(I.opGrp14UIb)), undefined, undefined, undefined, op('psllq', 'N,Ib', MM.mmxShiftImm(I.opGrp14UIb)), undefined)),
    p66: mod(undefined, grp(undefined, undefined, op('psrlq', 'U,Ib', I.opGrp14UIb), op('psrldq', 'U,Ib', I.opGrp14UIb), undefined, undefined, op('psllq', 'U,Ib', I.opGrp14UIb), op('pslldq', 'U,Ib', I.opGrp14UIb))) })],
  [0x74, pq('pcmpeqb', I.opPcmpeqb)], [0x75, pq('pcmpeqw', I.opPcmpeqw)], [0x76, pq('pcmpeqd', I.opPcmpeqd)],
  [0x77, pfx({ np: op('emms', '', MM.opEmms) })],
  [0x7e, pfx({ np: op('movd/movq', 'Ey,P', MM.opMovdEyP), p66: op('movd/movq', 'Ey,V', S.opMovdEyV), pF3: op('movq', 'V,W', S.opMovqVW) })],
  [0x7f, pfx({ np: op('movq', 'Q,P', MM.opMovqQP), p66: op('movdqa', 'W,V', S.opMovapsWV), pF3: op('movdqu', 'W,V', S.opMovupsWV) })],
  // With 66/F2/F3 0F AE is clflushopt, clwb, rdfsbase, ptwrite, umonitor...: none advertised.
  [0xae, pfx({ np: grp(
    mod(op('fxsave', 'M', S.opFxsaveM), undefined),
    mod(op('fxrstor', 'M', S.opFxrstorM), undefined),
    mod(op('ldmxcsr', 'Md', S.opLdmxcsrMd), undefined),
    mod(op('stmxcsr', 'Md', S.opStmxcsrMd), undefined),
    undefined,
    mod(undefined, op('lfence', '', opNop)),
    mod(undefined, op('mfence', '', opNop)),
    mod(op('clflush', 'Mb', opClflushMb), op('sfence', '', opNop))) })],
  [0xc2, fp4c()],
  [0xc3, pfx({ np: mod(op('movnti', 'My,Gy', S.opMovntiMyGy), undefined) })],
  [0xc4, pfx({ np: op('pinsrw', 'P,Ry/Mw,Ib', MM.opPinsrwPEwIb), p66: op('pinsrw', 'V,Ry/Mw,Ib', I.opPinsrw) })],
  [0xc5, pfx({ np: mod(undefined, op('pextrw', 'Gy,N,Ib', MM.opPextrwGdNIb)), p66: mod(undefined, op('pextrw', 'Gy,U,Ib', I.opPextrw)) })],
  [0xc6, pfx({ np: op('shufps', 'V,W,Ib', I.opShufps), p66: op('shufpd', 'V,W,Ib', I.opShufpd) })],
  [0xd1, pq('psrlw', I.opPsrlw)], [0xd2, pq('psrld', I.opPsrld)], [0xd3, pq('psrlq', I.opPsrlq)],
  [0xd4, pq('paddq', I.opPaddq)], [0xd5, pq('pmullw', I.opPmullw)],
  [0xd6, pfx({ p66: op('movq', 'W,V', S.opMovqWV), pF3: mod(undefined, op('movq2dq', 'V,N', MM.opMovq2dqVN)), pF2: mod(undefined, op('movdq2q', 'P,U', MM.opMovdq2qPU)) })],
  [0xd7, pfx({ np: mod(undefined, op('pmovmskb', 'Gy,N', MM.opPmovmskbGdN)), p66: mod(undefined, op('pmovmskb', 'Gy,U', I.opPmovmskbGdU)) })],
  [0xd8, pq('psubusb', I.opPsubusb)], [0xd9, pq('psubusw', I.opPsubusw)],
  [0xda, pq('pminub', I.opPminub)], [0xdb, pq('pand', I.opPand)],
  [0xdc, pq('paddusb', I.opPaddusb)], [0xdd, pq('paddusw', I.opPaddusw)],
  [0xde, pq('pmaxub', I.opPmaxub)], [0xdf, pq('pandn', I.opPandn)],
  [0xe0, pq('pavgb', I.opPavgb)], [0xe1, pq('psraw', I.opPsraw)], [0xe2, pq('psrad', I.opPsrad)],
  [0xe3, pq('pavgw', I.opPavgw)], [0xe4, pq('pmulhuw', I.opPmulhuw)], [0xe5, pq('pmulhw', I.opPmulhw)],
  [0xe6, pfx({ p66: op('cvttpd2dq', 'V,W', F.opCvttpd2dq), pF3: op('cvtdq2pd', 'V,W', F.opCvtdq2pd), pF2: op('cvtpd2dq', 'V,W', F.opCvtpd2dq) })],
  [0xe7, pfx({ np: mod(op('movntq', 'M,P', MM.opMovqQP), undefined), p66: mod(op('movntdq', 'M,V', S.opMovapsWV), undefined) })],
  [0xe8, pq('psubsb', I.opPsubsb)], [0xe9, pq('psubsw', I.opPsubsw)],
  [0xea, pq('pminsw', I.opPminsw)], [0xeb, pq('por', I.opPor)],
  [0xec, pq('paddsb', I.opPaddsb)], [0xed, pq('paddsw', I.opPaddsw)],
  [0xee, pq('pmaxsw', I.opPmaxsw)], [0xef, pq('pxor', I.opPxor)],
  [0xf1, pq('psllw', I.opPsllw)], [0xf2, pq('pslld', I.opPslld)], [0xf3, pq('psllq', I.opPsllq)],
  [0xf4, pq('pmuludq', I.opPmuludq)], [0xf5, pq('pmaddwd', I.opPmaddwd)], [0xf6, pq('psadbw', I.opPsadbw)],
  [0xf7, pfx({ np: mod(undefined, op('maskmovq', 'Yq,P,N', MM.opMaskmovqPN)), p66: mod(undefined, op('maskmovdqu', 'Ydq,V,U', I.opMaskmovdqu)) })],
  ...range(0xf8, 4, (k) => pq(['psubb', 'psubw', 'psubd', 'psubq'][k]!, [I.opPsubb, I.opPsubw, I.opPsubd, I.opPsubq][k]!)),
  ...range(0xfc, 3, (k) => pq(['paddb', 'paddw', 'paddd'][k]!, [I.opPaddb, I.opPaddw, I.opPaddd][k]!)),
];

/** 0F 71 / 72: shift groups (/2 logical right, /4 arithmetic right, /6 left) by Ib, MMX N and SSE2 U forms. */
function shiftGrp(names: [string, string, string], fn: Parameters<typeof op>[2]): Entry {
  const g = (form: string, h: Parameters<typeof op>[2]): Entry => mod(undefined, grp(undefined, undefined, op(names[0], form, h), undefined,
    op(names[1], form, h), undefined, op(names[2], form, h), undefined));
  return pfx({ np: g('N,Ib', MM.mmxShiftImm(fn)), p66: g('U,Ib', fn) });
}

function fp4c(): Entry {
  return pfx({ np: op('cmpps', 'V,W,Ib', F.opCmpps), p66: op('cmppd', 'V,W,Ib', F.opCmppd), pF3: op('cmpss', 'V,W,Ib', F.opCmpss), pF2: op('cmpsd', 'V,W,Ib', F.opCmpsd) });
}

export const SSE_0F38: [number, Entry][] = [];
export const SSE_0F3A: [number, Entry][] = [];
