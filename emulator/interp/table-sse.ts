/**
 * SSE and SSE2 entries of the 0F map (the 0F 38 and 0F 3A maps hold SSSE3
 * and SSE4 instructions, which CPUID does not advertise: empty, so #UD).
 *
 * Mandatory prefixes select the instruction (opcodes.ts `pfx`): np = none
 * (ps, single precision), 66 (pd, or the 128-bit integer forms), F3 (ss),
 * F2 (sd). MMX forms (no prefix on 0F 60-7F, D0-FF) are not implemented and
 * decode to #UD.
 */

import { grp, mod, op, pfx, range } from './opcodes.js';
import type { Entry } from './opcodes.js';
import * as F from './ops/sse-fp.js';
import * as I from './ops/sse-int.js';
import * as S from './ops/sse.js';
import { opNop } from './ops/system.js';

/** 66-only entry (the 128-bit integer SSE2 instructions). */
const p66 = (name: string, form: string, fn: Parameters<typeof op>[2]): Entry => pfx({ p66: op(name, form, fn) });

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
  [0x2a, pfx({ pF3: op('cvtsi2ss', 'V,Ey', F.opCvtsi2ss), pF2: op('cvtsi2sd', 'V,Ey', F.opCvtsi2sd) })],
  [0x2b, pfx({ np: mod(op('movntps', 'M,V', S.opMovapsWV), undefined), p66: mod(op('movntpd', 'M,V', S.opMovapsWV), undefined) })],
  [0x2c, pfx({ pF3: op('cvttss2si', 'Gy,W', F.opCvttss2si), pF2: op('cvttsd2si', 'Gy,W', F.opCvttsd2si) })],
  [0x2d, pfx({ pF3: op('cvtss2si', 'Gy,W', F.opCvtss2si), pF2: op('cvtsd2si', 'Gy,W', F.opCvtsd2si) })],
  [0x2e, pfx({ np: op('ucomiss', 'V,W', F.opUcomiss), p66: op('ucomisd', 'V,W', F.opUcomisd) })],
  [0x2f, pfx({ np: op('comiss', 'V,W', F.opComiss), p66: op('comisd', 'V,W', F.opComisd) })],
  [0x50, pfx({ np: mod(undefined, op('movmskps', 'Gd,U', S.opMovmskpsGdU)), p66: mod(undefined, op('movmskpd', 'Gd,U', S.opMovmskpdGdU)) })],
  [0x51, fp4('sqrt', F.opSqrtps, F.opSqrtpd, F.opSqrtss, F.opSqrtsd)],
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
  [0x60, p66('punpcklbw', 'V,W', I.opPunpcklbw)], [0x61, p66('punpcklwd', 'V,W', I.opPunpcklwd)],
  [0x62, p66('punpckldq', 'V,W', I.opPunpckldq)], [0x63, p66('packsswb', 'V,W', I.opPacksswb)],
  [0x64, p66('pcmpgtb', 'V,W', I.opPcmpgtb)], [0x65, p66('pcmpgtw', 'V,W', I.opPcmpgtw)],
  [0x66, p66('pcmpgtd', 'V,W', I.opPcmpgtd)], [0x67, p66('packuswb', 'V,W', I.opPackuswb)],
  [0x68, p66('punpckhbw', 'V,W', I.opPunpckhbw)], [0x69, p66('punpckhwd', 'V,W', I.opPunpckhwd)],
  [0x6a, p66('punpckhdq', 'V,W', I.opPunpckhdq)], [0x6b, p66('packssdw', 'V,W', I.opPackssdw)],
  [0x6c, p66('punpcklqdq', 'V,W', I.opPunpcklqdq)], [0x6d, p66('punpckhqdq', 'V,W', I.opPunpckhqdq)],
  [0x6e, p66('movd/movq', 'V,Ey', S.opMovdVEy)],
  [0x6f, pfx({ p66: op('movdqa', 'V,W', S.opMovapsVW), pF3: op('movdqu', 'V,W', S.opMovupsVW) })],
  [0x70, pfx({ p66: op('pshufd', 'V,W,Ib', I.opPshufd), pF3: op('pshufhw', 'V,W,Ib', I.opPshufhw), pF2: op('pshuflw', 'V,W,Ib', I.opPshuflw) })],
  [0x71, pfx({ p66: mod(undefined, grp(undefined, undefined, op('psrlw', 'U,Ib', I.opGrp12UIb), undefined, op('psraw', 'U,Ib', I.opGrp12UIb), undefined, op('psllw', 'U,Ib', I.opGrp12UIb), undefined)) })],
  [0x72, pfx({ p66: mod(undefined, grp(undefined, undefined, op('psrld', 'U,Ib', I.opGrp13UIb), undefined, op('psrad', 'U,Ib', I.opGrp13UIb), undefined, op('pslld', 'U,Ib', I.opGrp13UIb), undefined)) })],
  [0x73, pfx({ p66: mod(undefined, grp(undefined, undefined, op('psrlq', 'U,Ib', I.opGrp14UIb), op('psrldq', 'U,Ib', I.opGrp14UIb), undefined, undefined, op('psllq', 'U,Ib', I.opGrp14UIb), op('pslldq', 'U,Ib', I.opGrp14UIb))) })],
  [0x74, p66('pcmpeqb', 'V,W', I.opPcmpeqb)], [0x75, p66('pcmpeqw', 'V,W', I.opPcmpeqw)], [0x76, p66('pcmpeqd', 'V,W', I.opPcmpeqd)],
  [0x7e, pfx({ p66: op('movd/movq', 'Ey,V', S.opMovdEyV), pF3: op('movq', 'V,W', S.opMovqVW) })],
  [0x7f, pfx({ p66: op('movdqa', 'W,V', S.opMovapsWV), pF3: op('movdqu', 'W,V', S.opMovupsWV) })],
  [0xae, grp(
    mod(op('fxsave', 'M', S.opFxsaveM), undefined),
    mod(op('fxrstor', 'M', S.opFxrstorM), undefined),
    mod(op('ldmxcsr', 'Md', S.opLdmxcsrMd), undefined),
    mod(op('stmxcsr', 'Md', S.opStmxcsrMd), undefined),
    undefined,
    mod(undefined, op('lfence', '', opNop)),
    mod(undefined, op('mfence', '', opNop)),
    mod(op('clflush', 'Mb', opNop), op('sfence', '', opNop)))],
  [0xc2, fp4c()],
  [0xc3, mod(op('movnti', 'My,Gy', S.opMovntiMyGy), undefined)],
  [0xc4, p66('pinsrw', 'V,Ew,Ib', I.opPinsrw)],
  [0xc5, pfx({ p66: mod(undefined, op('pextrw', 'Gd,U,Ib', I.opPextrw)) })],
  [0xc6, pfx({ np: op('shufps', 'V,W,Ib', I.opShufps), p66: op('shufpd', 'V,W,Ib', I.opShufpd) })],
  [0xd1, p66('psrlw', 'V,W', I.opPsrlw)], [0xd2, p66('psrld', 'V,W', I.opPsrld)], [0xd3, p66('psrlq', 'V,W', I.opPsrlq)],
  [0xd4, p66('paddq', 'V,W', I.opPaddq)], [0xd5, p66('pmullw', 'V,W', I.opPmullw)],
  [0xd6, p66('movq', 'W,V', S.opMovqWV)],
  [0xd7, pfx({ p66: mod(undefined, op('pmovmskb', 'Gd,U', I.opPmovmskbGdU)) })],
  [0xd8, p66('psubusb', 'V,W', I.opPsubusb)], [0xd9, p66('psubusw', 'V,W', I.opPsubusw)],
  [0xda, p66('pminub', 'V,W', I.opPminub)], [0xdb, p66('pand', 'V,W', I.opPand)],
  [0xdc, p66('paddusb', 'V,W', I.opPaddusb)], [0xdd, p66('paddusw', 'V,W', I.opPaddusw)],
  [0xde, p66('pmaxub', 'V,W', I.opPmaxub)], [0xdf, p66('pandn', 'V,W', I.opPandn)],
  [0xe0, p66('pavgb', 'V,W', I.opPavgb)], [0xe1, p66('psraw', 'V,W', I.opPsraw)], [0xe2, p66('psrad', 'V,W', I.opPsrad)],
  [0xe3, p66('pavgw', 'V,W', I.opPavgw)], [0xe4, p66('pmulhuw', 'V,W', I.opPmulhuw)], [0xe5, p66('pmulhw', 'V,W', I.opPmulhw)],
  [0xe6, pfx({ p66: op('cvttpd2dq', 'V,W', F.opCvttpd2dq), pF3: op('cvtdq2pd', 'V,W', F.opCvtdq2pd), pF2: op('cvtpd2dq', 'V,W', F.opCvtpd2dq) })],
  [0xe7, pfx({ p66: mod(op('movntdq', 'M,V', S.opMovapsWV), undefined) })],
  [0xe8, p66('psubsb', 'V,W', I.opPsubsb)], [0xe9, p66('psubsw', 'V,W', I.opPsubsw)],
  [0xea, p66('pminsw', 'V,W', I.opPminsw)], [0xeb, p66('por', 'V,W', I.opPor)],
  [0xec, p66('paddsb', 'V,W', I.opPaddsb)], [0xed, p66('paddsw', 'V,W', I.opPaddsw)],
  [0xee, p66('pmaxsw', 'V,W', I.opPmaxsw)], [0xef, p66('pxor', 'V,W', I.opPxor)],
  [0xf1, p66('psllw', 'V,W', I.opPsllw)], [0xf2, p66('pslld', 'V,W', I.opPslld)], [0xf3, p66('psllq', 'V,W', I.opPsllq)],
  [0xf4, p66('pmuludq', 'V,W', I.opPmuludq)], [0xf5, p66('pmaddwd', 'V,W', I.opPmaddwd)], [0xf6, p66('psadbw', 'V,W', I.opPsadbw)],
  [0xf7, pfx({ p66: mod(undefined, op('maskmovdqu', 'V,U', I.opMaskmovdqu)) })],
  ...range(0xf8, 4, (k) => p66(['psubb', 'psubw', 'psubd', 'psubq'][k]!, 'V,W', [I.opPsubb, I.opPsubw, I.opPsubd, I.opPsubq][k]!)),
  ...range(0xfc, 3, (k) => p66(['paddb', 'paddw', 'paddd'][k]!, 'V,W', [I.opPaddb, I.opPaddw, I.opPaddd][k]!)),
];

function fp4c(): Entry {
  return pfx({ np: op('cmpps', 'V,W,Ib', F.opCmpps), p66: op('cmppd', 'V,W,Ib', F.opCmppd), pF3: op('cmpss', 'V,W,Ib', F.opCmpss), pF2: op('cmpsd', 'V,W,Ib', F.opCmpsd) });
}

export const SSE_0F38: [number, Entry][] = [];
export const SSE_0F3A: [number, Entry][] = [];
