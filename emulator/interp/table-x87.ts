/**
 * The x87 escape opcodes D8-DF (SDM vol. 2 tables ): one handler
 * (ops/x87.ts) runs them all; these entries only say which encodings exist,
 * so that the rest decode as #UD with their length known.
 *
 * Memory forms by escape and ModRM.reg; register forms by escape and the
 * low six bits of ModRM. Left out besides the reserved slots: fisttp (DB/DD/DF
 * /1, SSE3, which CPUID does not report), fbld and fbstp (DF /4, /6: not
 * implemented), and the undocumented register aliases (fstp1, fxch4, fcomp5,
 * ffreep, fxch7, fstp8/9, the 8087/287 fneni/fndisi/fnsetpm, which a 387
 * and later run as nops): ops/x87.ts raises #UD for them, and the decoder
 * says so up front.
 */

import { grp, mod, op, rm } from './opcodes.js';
import type { Entry } from './opcodes.js';
import { opX87 } from './ops/x87.js';

const X = op('x87', 'Ex', opX87);

/** Memory forms: a character per ModRM.reg 0-7, 'v' for an instruction. */
const MEM = ['vvvvvvvv', 'v-vvvvvv', 'vvvvvvvv', 'v-vv-v-v', 'vvvvvvvv', 'v-vvv-vv', 'vvvvvvvv', 'v-vv-v-v'];

/** Register forms: ModRM C0-FF as 64 bits (C0 first), each row 8 ModRM.rm values for one ModRM.reg. */
const REG = [
  ['vvvvvvvv', 'vvvvvvvv', 'vvvvvvvv', 'vvvvvvvv', 'vvvvvvvv', 'vvvvvvvv', 'vvvvvvvv', 'vvvvvvvv'], // D8 fadd..fdivr
  ['vvvvvvvv', 'vvvvvvvv', 'v-------', '--------', 'vv--vv--', 'vvvvvvv-', 'vvvvvvvv', 'vvvvvvvv'], // D9 fld fxch fnop fchs.. consts, f2xm1..fcos
  ['vvvvvvvv', 'vvvvvvvv', 'vvvvvvvv', 'vvvvvvvv', '--------', '-v------', '--------', '--------'], // DA fcmov*, fucompp
  ['vvvvvvvv', 'vvvvvvvv', 'vvvvvvvv', 'vvvvvvvv', '--vv----', 'vvvvvvvv', 'vvvvvvvv', '--------'], // DB fcmovn*, fnclex, fninit, fucomi, fcomi
  ['vvvvvvvv', 'vvvvvvvv', 'vvvvvvvv', 'vvvvvvvv', 'vvvvvvvv', 'vvvvvvvv', 'vvvvvvvv', 'vvvvvvvv'], // DC
  ['vvvvvvvv', '--------', 'vvvvvvvv', 'vvvvvvvv', 'vvvvvvvv', 'vvvvvvvv', '--------', '--------'], // DD ffree fst fstp fucom fucomp
  ['vvvvvvvv', 'vvvvvvvv', '--------', '-v------', 'vvvvvvvv', 'vvvvvvvv', 'vvvvvvvv', 'vvvvvvvv'], // DE faddp.. fcompp
  ['--------', '--------', '--------', '--------', 'v-------', 'vvvvvvvv', 'vvvvvvvv', '--------'], // DF fnstsw ax, fucomip, fcomip
];

const pick = (c: string): Entry => (c === 'v' ? X : undefined);

/** [opcode, entry] pairs for D8-DF. */
export const X87: [number, Entry][] = MEM.map((m, esc) => [0xd8 + esc, mod(
  grp(...[...m].map(pick)),
  grp(...REG[esc]!.map((row) => rm(...[...row].map(pick)))),
)] as [number, Entry]);
