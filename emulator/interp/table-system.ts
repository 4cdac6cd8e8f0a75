/**
 * The system part of the 0F map: descriptor tables, control and debug
 * registers, segment loads, model-specific registers' neighbours. In user
 * mode each of these faults, so they share one handler (#GP, which Linux
 * delivers as SIGSEGV); they are decoded so that their lengths, operands and
 * #UD cases are right (tests/emulator/decoder-iced.test.ts checks them
 * against iced-x86). See README "Known gaps" for the few that a real CPU
 * runs at CPL 3 (sldt, str, smsw, lar, lsl, verr, verw, push/pop fs/gs,
 * far call/jmp through memory, mov to ds/es/ss).
 */

import { grp, mod, op, pfx, rm } from './opcodes.js';
import type { Entry } from './opcodes.js';
import { opMovCrDr, opPrivileged, opUd } from './ops/system.js';

const P = opPrivileged;

/** 0F 01 (SDM vol. 2 table A-6, group 7): memory forms by ModRM.reg; register forms are other instructions. */
const GROUP7: Entry = mod(
  grp(op('sgdt', 'M', P), op('sidt', 'M', P), op('lgdt', 'M', P), op('lidt', 'M', P),
    op('smsw', 'Mw', P), undefined, op('lmsw', 'Mw', P), op('invlpg', 'Mb', P)),
  // Register forms: monitor/mwait (MONITOR), xgetbv (XSAVE), SVM, rdpkru (PKU),
  // rdtscp (RDTSCP), clac/stac (SMAP)... are extensions CPUID does not report: #UD.
  grp(undefined, undefined, undefined, undefined, op('smsw', 'Rv', P), undefined, op('lmsw', 'Rv', P),
    rm(op('swapgs', '', P), undefined, undefined, undefined, undefined, undefined, undefined, undefined)));

/** Control registers 0, 2, 3, 4 (8 with REX.R) exist; mov to or from another is #UD. ModRM.mod is ignored. */
const crs = (name: string, form: string): Entry => {
  const e = op(name, form, opMovCrDr);
  return grp(e, undefined, e, e, e, undefined, undefined, undefined);
};

export const TWO_BYTE_SYSTEM: [number, Entry][] = [
  [0x00, grp(op('sldt', 'Rv/Mw', P), op('str', 'Rv/Mw', P), op('lldt', 'Rv/Mw', P), op('ltr', 'Rv/Mw', P),
    op('verr', 'Rv/Mw', P), op('verw', 'Rv/Mw', P), undefined, undefined)],
  [0x01, GROUP7],
  [0x02, op('lar', 'Gv,Rv/Mw', P)], [0x03, op('lsl', 'Gv,Rv/Mw', P)],
  [0x06, op('clts', '', P)], [0x07, op('sysret', '', P)], [0x08, op('invd', '', P)],
  [0x09, pfx({ np: op('wbinvd', '', P), p66: op('wbinvd', '', P), pF2: op('wbinvd', '', P) })], // F3 0F 09 is wbnoinvd (WBNOINVD)
  [0x20, crs('mov', 'Rq,Cq')], [0x21, op('mov', 'Rq,Dq', opMovCrDr)], [0x22, crs('mov', 'Cq,Rq')], [0x23, op('mov', 'Dq,Rq', opMovCrDr)],
  [0xa0, op('push', 'FS', P)], [0xa1, op('pop', 'FS', P)], [0xa8, op('push', 'GS', P)], [0xa9, op('pop', 'GS', P)],
  [0xb2, mod(op('lss', 'Gv,Mp', P), undefined)], [0xb4, mod(op('lfs', 'Gv,Mp', P), undefined)], [0xb5, mod(op('lgs', 'Gv,Mp', P), undefined)],
  // ud1 and ud0 (Intel: with a ModRM byte) raise #UD like ud2, but are as long as their operands.
  [0xb9, op('ud1', 'Gv,Ev', opUd)], [0xff, op('ud0', 'Gv,Ev', opUd)],
];
