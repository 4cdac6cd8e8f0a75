/**
 * Seeded random instruction streams for lockstep checking (GNU as, Intel
 * syntax), covering every opcode group the interpreter implements: integer
 * ALU, shifts and rotates, multiply and divide, bit instructions, moves and
 * conversions, stack, branches, string instructions both ways, SSE/SSE2
 * integer and floating point, x87, MMX and the odd ones (cpuid, xlat,
 * lahf/sahf, fences).
 *
 * Conventions: r15 holds the data area's address and is never written; rsp
 * only moves in balanced pairs; memory operands are [r15 + d] inside the
 * area, 16-byte aligned where SSE requires it. Operands are chosen so that
 * nothing faults and no result is architecturally undefined (division
 * quotients fit, bsf/bsr sources are non-zero, 16-bit double shifts count
 * below 16); undefined flags are masked by the harness.
 */

export const DATA_SIZE = 64 * 1024;

/** xorshift64*, as the native differential tests use. */
export function rng(seed: bigint): () => bigint {
  let x = seed;
  return () => {
    x ^= x >> 12n; x ^= (x << 25n) & 0xffffffffffffffffn; x ^= x >> 27n;
    return (x * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
  };
}

const R64 = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14'];
const R32 = ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d'];
const R16 = ['ax', 'bx', 'cx', 'dx', 'si', 'di', 'bp', 'r8w', 'r9w', 'r10w', 'r11w', 'r12w', 'r13w', 'r14w'];
const R8 = ['al', 'bl', 'cl', 'dl', 'sil', 'dil', 'bpl', 'r8b', 'r9b', 'r10b', 'r11b', 'r12b', 'r13b', 'r14b'];
const REGS: Record<number, string[]> = { 1: R8, 2: R16, 4: R32, 8: R64 };
const PTR: Record<number, string> = { 1: 'byte', 2: 'word', 4: 'dword', 8: 'qword', 16: 'xmmword' };
const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

const ALU = ['add', 'adc', 'sub', 'sbb', 'and', 'or', 'xor', 'cmp', 'test'];
const SHIFTS = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sar'];
const SSE_INT = ['paddb', 'paddw', 'paddd', 'paddq', 'psubb', 'psubw', 'psubd', 'psubq', 'paddsb', 'paddsw', 'paddusb', 'paddusw',
  'psubsb', 'psubsw', 'psubusb', 'psubusw', 'pminub', 'pmaxub', 'pminsw', 'pmaxsw', 'pavgb', 'pavgw', 'pcmpeqb', 'pcmpeqw', 'pcmpeqd',
  'pcmpgtb', 'pcmpgtw', 'pcmpgtd', 'pmullw', 'pmulhw', 'pmulhuw', 'pmuludq', 'pmaddwd', 'psadbw', 'pand', 'pandn', 'por', 'pxor',
  'packsswb', 'packuswb', 'packssdw', 'punpcklbw', 'punpcklwd', 'punpckldq', 'punpckhbw', 'punpckhwd', 'punpckhdq',
  'psrlw', 'psrld', 'psrlq', 'psraw', 'psrad', 'psllw', 'pslld', 'psllq'];
const SSE_INT_ONLY = ['punpcklqdq', 'punpckhqdq', 'unpcklps', 'unpckhps', 'unpcklpd', 'unpckhpd', 'andps', 'andnps', 'orps', 'xorps', 'movdqa', 'movdqu', 'movaps', 'movups'];
const SSE_FP_OPS = ['add', 'sub', 'mul', 'div', 'min', 'max', 'sqrt'];

export interface Stream {
  /** Assembly text of the code, ending in ud2. */
  text: string;
  /** Instructions generated (each line is one). */
  count: number;
  /** Initial data area. */
  data: Uint8Array;
  /** Initial values of R64 (rsp and r15 are set by the runner). */
  regs: bigint[];
}

/** A stream of about `n` instructions from `seed`. */
export function randomStream(seed: bigint, n: number): Stream {
  const next = rng(seed);
  const int = (k: number): number => Number(next() % BigInt(k));
  const pick = <T>(a: readonly T[]): T => a[int(a.length)]!;
  const size = (): number => pick([1, 2, 4, 8, 8, 4]);
  const reg = (s: number): string => pick(REGS[s]!);
  const mem = (s: number, align = 8): string => `${PTR[s]} ptr [r15 + ${align * int(Math.floor((DATA_SIZE - 64) / align))}]`;
  const imm = (s: number): number => s === 1 ? int(256) - 128 : s === 2 ? int(65536) - 32768 : int(65536 * 4) - 131072;
  const xmm = (): string => `xmm${int(16)}`;
  const mm = (): string => `mm${int(8)}`;
  const lines: string[] = [];
  const emit = (...l: string[]): void => { for (const x of l) lines.push('  ' + x); };
  let label = 0;

  const groups: (() => void)[] = [
    () => { const s = size(); emit(`${pick(ALU)} ${reg(s)}, ${reg(s)}`); },
    () => { const s = size(); emit(`${pick(ALU)} ${reg(s)}, ${imm(s)}`); },
    () => { const s = size(); emit(`${pick(ALU.slice(0, 8))} ${reg(s)}, ${mem(s)}`); },
    () => { const s = size(); emit(`${pick(ALU)} ${mem(s)}, ${reg(s)}`); },
    () => { const s = size(); emit(`${pick(ALU)} ${mem(s)}, ${imm(s)}`); },
    () => { const s = size(); emit(`${pick(['inc', 'dec', 'neg', 'not'])} ${int(2) ? reg(s) : mem(s)}`); },
    () => { // shifts and rotates by 1, an immediate, CL; counts below the width (CF is undefined beyond it)
      const s = size(), w = s * 8, n = 1 + int(Math.min(w, 32) - 1), dst = int(3) ? reg(s) : mem(s);
      const form = int(3);
      if (form === 0) emit(`${pick(SHIFTS)} ${dst}, 1`);
      else if (form === 1) emit(`${pick(SHIFTS)} ${dst}, ${n}`);
      else emit(`mov cl, ${n}`, `${pick(SHIFTS)} ${dst.replace(/\bcl\b/, 'bl')}, cl`);
    },
    () => { // double shifts: count below the width
      const s = pick([2, 4, 8]), n = 1 + int(s * 8 - 1 > 31 ? 31 : s * 8 - 1);
      const a = reg(s), b = reg(s);
      if (int(2)) emit(`${pick(['shld', 'shrd'])} ${a}, ${b}, ${n}`);
      else if (!/^(cl|cx|ecx|rcx)$/.test(a) && !/^(cl|cx|ecx|rcx)$/.test(b)) emit(`mov cl, ${n}`, `${pick(['shld', 'shrd'])} ${a}, ${b}, cl`);
    },
    () => { const s = size(); emit(`${pick(['mul', 'imul'])} ${int(2) ? reg(s) : mem(s)}`); },
    () => { const s = pick([2, 4, 8]); emit(int(2) ? `imul ${reg(s)}, ${int(2) ? reg(s) : mem(s)}` : `imul ${reg(s)}, ${reg(s)}, ${imm(s) >> 4}`); },
    () => { // divide with a quotient that fits
      const s = size();
      if (s === 1) emit(...(int(2) ? ['movzx eax, al', 'or bl, 1', 'div bl'] : ['cbw', 'and bl, 0x7f', 'or bl, 1', 'idiv bl']));
      else if (int(2)) emit(`xor edx, edx`, `or ${REGS[s]![1]}, 1`, `div ${REGS[s]![1]}`);
      else emit(`and ${REGS[s]![1]}, 0x7fff`, `or ${REGS[s]![1]}, 1`, s === 2 ? 'cwd' : s === 4 ? 'cdq' : 'cqo', `idiv ${REGS[s]![1]}`);
    },
    () => { const s = pick([2, 4, 8]); emit(`${pick(['bt', 'bts', 'btr', 'btc'])} ${int(2) ? reg(s) : mem(s)}, ${int(s * 8)}`); },
    () => { const s = pick([2, 4, 8]); const b = reg(s); emit(`${pick(['bt', 'bts', 'btr', 'btc'])} ${reg(s)}, ${b}`); },
    () => { const s = pick([2, 4, 8]); const b = reg(s); emit(`or ${b}, ${1 + int(100)}`, `${pick(['bsf', 'bsr'])} ${reg(s)}, ${b}`); },
    () => { const s = pick([2, 4, 8]); emit(`popcnt ${reg(s)}, ${int(2) ? reg(s) : mem(s)}`); },
    () => emit(`bswap ${pick([...R32, ...R64])}`),
    () => { const s = pick([2, 4, 8]); emit(`cmov${pick(CC)} ${reg(s)}, ${int(2) ? reg(s) : mem(s)}`); },
    () => emit(`set${pick(CC)} ${int(2) ? reg(1) : mem(1)}`),
    () => { const s = size(); emit(`${pick(['xchg', 'xadd', 'cmpxchg'])} ${int(2) ? reg(s) : mem(s)}, ${reg(s)}`); },
    () => emit(int(2) ? `cmpxchg8b ${mem(8)}` : `cmpxchg16b ${mem(16, 16)}`),
    () => { const s = pick([2, 4, 8]); emit(`${pick(['movzx', 'movsx'])} ${reg(s)}, ${int(2) ? reg(1) : mem(1)}`); },
    () => emit(`movsxd ${reg(8)}, ${int(2) ? reg(4) : mem(4)}`, `movzx ${reg(4)}, ${int(2) ? reg(2) : mem(2)}`),
    () => { const s = size(); emit(int(2) ? `mov ${reg(s)}, ${mem(s)}` : `mov ${mem(s)}, ${reg(s)}`); },
    () => emit(`mov ${reg(8)}, ${next()}`, `mov ${reg(4)}, ${imm(4)}`),
    () => emit(`lea ${reg(pick([2, 4, 8]))}, [${reg(8)} + ${reg(8)}*${pick([1, 2, 4, 8])} + ${imm(4)}]`),
    () => emit(pick(['cbw', 'cwde', 'cdqe', 'cwd', 'cdq', 'cqo', 'lahf', 'sahf', 'clc', 'stc', 'cmc', 'nop', 'pause', 'lfence', 'mfence', 'sfence', 'endbr64'])),
    () => { const r = reg(8); emit(`push ${r}`, `pop ${reg(8)}`); },
    () => emit(`push ${imm(4)}`, `pop ${reg(8)}`, 'pushf', `pop ${reg(8)}`),
    () => { const l = label++; emit(`call .Lf${l}`, `jmp .Lg${l}`); lines.push(`.Lf${l}:`); emit(`mov ${reg(8)}, [rsp]`, 'ret'); lines.push(`.Lg${l}:`); },
    () => emit(`enter ${8 * int(8)}, 0`, `mov ${mem(8).replace(/\[r15 \+ \d+\]/, '[rbp - 8]')}, ${reg(8)}`, 'leave'),
    () => { const l = label++; emit(`j${pick(CC)} .Lj${l}`, `${pick(ALU.slice(0, 8))} ${reg(4)}, ${reg(4)}`); lines.push(`.Lj${l}:`); },
    () => { const l = label++; emit(`and ecx, 3`, `jrcxz .Lj${l}`, `loop .Lj${l}`, `inc ebx`); lines.push(`.Lj${l}:`); },
    () => { // string instructions, both directions
      const s = pick([1, 2, 4, 8]), suf = { 1: 'b', 2: 'w', 4: 'd', 8: 'q' }[s]!, down = int(2) === 1;
      const base = down ? 20000 + 8 * int(500) : 8 * int(2000);
      emit(`lea rsi, [r15 + ${base}]`, `lea rdi, [r15 + ${base + 8000 + 8 * int(1000)}]`, `mov ecx, ${int(40)}`, down ? 'std' : 'cld');
      emit(pick([`rep movs${suf}`, `rep stos${suf}`, `lods${suf}`, `repe cmps${suf}`, `repne scas${suf}`, `movs${suf}`, `stos${suf}`]), 'cld');
    },
    () => emit(`lea rbx, [r15 + ${8 * int(1000)}]`, 'xlat'),
    () => emit(`mov eax, ${pick([0, 1, 2, 4, 7, 0x80000000, 0x80000001, 0x80000004, 0x80000008])}`, 'xor ecx, ecx', 'cpuid'),
    // SSE/SSE2 integer
    () => emit(`${pick(SSE_INT)} ${xmm()}, ${int(2) ? xmm() : mem(16, 16)}`),
    () => emit(`${pick(SSE_INT_ONLY)} ${xmm()}, ${int(2) ? xmm() : mem(16, 16)}`),
    () => emit(`${pick(['psrlw', 'psraw', 'psllw', 'psrld', 'psrad', 'pslld', 'psrlq', 'psllq', 'psrldq', 'pslldq'])} ${xmm()}, ${int(70)}`),
    () => emit(`${pick(['pshufd', 'pshufhw', 'pshuflw', 'shufps', 'shufpd'])} ${xmm()}, ${int(2) ? xmm() : mem(16, 16)}, ${int(256)}`),
    () => emit(pick([`movd ${xmm()}, ${reg(4)}`, `movq ${xmm()}, ${reg(8)}`, `movd ${reg(4)}, ${xmm()}`, `movq ${reg(8)}, ${xmm()}`,
      `pmovmskb ${reg(4)}, ${xmm()}`, `pextrw ${reg(4)}, ${xmm()}, ${int(8)}`, `pinsrw ${xmm()}, ${reg(4)}, ${int(8)}`,
      `movmskps ${reg(4)}, ${xmm()}`, `movmskpd ${reg(4)}, ${xmm()}`, `movq ${xmm()}, ${mem(8)}`, `movq ${mem(8)}, ${xmm()}`,
      `movss ${xmm()}, ${mem(4)}`, `movsd ${mem(8)}, ${xmm()}`, `movlps ${xmm()}, ${mem(8)}`, `movhpd ${mem(8)}, ${xmm()}`,
      `movhlps ${xmm()}, ${xmm()}`, `movlhps ${xmm()}, ${xmm()}`, `movdqu ${mem(16, 8)}, ${xmm()}`, `movaps ${mem(16, 16)}, ${xmm()}`])),
    // SSE/SSE2 floating point
    () => { const t = pick(['ps', 'pd', 'ss', 'sd']); emit(`${pick(SSE_FP_OPS)}${t} ${xmm()}, ${int(2) ? xmm() : mem(t === 'ss' ? 4 : t === 'sd' ? 8 : 16, 16)}`); },
    () => emit(`${pick(['cmpps', 'cmppd', 'cmpss', 'cmpsd'])} ${xmm()}, ${xmm()}, ${int(8)}`),
    () => emit(`${pick(['comiss', 'ucomiss', 'comisd', 'ucomisd'])} ${xmm()}, ${xmm()}`),
    () => emit(pick([`cvtsi2sd ${xmm()}, ${reg(pick([4, 8]))}`, `cvtsi2ss ${xmm()}, ${reg(pick([4, 8]))}`, `cvttsd2si ${reg(pick([4, 8]))}, ${xmm()}`,
      `cvtsd2si ${reg(pick([4, 8]))}, ${xmm()}`, `cvttss2si ${reg(pick([4, 8]))}, ${xmm()}`, `cvtss2si ${reg(pick([4, 8]))}, ${xmm()}`,
      `cvtss2sd ${xmm()}, ${xmm()}`, `cvtsd2ss ${xmm()}, ${xmm()}`, `cvtps2pd ${xmm()}, ${xmm()}`, `cvtpd2ps ${xmm()}, ${xmm()}`,
      `cvtdq2ps ${xmm()}, ${xmm()}`, `cvtps2dq ${xmm()}, ${xmm()}`, `cvttps2dq ${xmm()}, ${xmm()}`, `cvtdq2pd ${xmm()}, ${xmm()}`,
      `cvtpd2dq ${xmm()}, ${xmm()}`, `cvttpd2dq ${xmm()}, ${xmm()}`])),
    // x87 (finite values from the data area)
    () => emit('fninit', `fld qword ptr [r15 + ${32768 + 8 * int(256)}]`, `fld qword ptr [r15 + ${32768 + 8 * int(256)}]`,
      pick(['faddp', 'fsubp', 'fmulp', 'fdivp', 'fsubrp', 'fdivrp', 'fxch', 'fchs', 'fabs', 'fcomi st(0), st(1)', 'fucomi st(0), st(1)', 'fcom st(1)', 'fxam', 'ftst']),
      `fstp qword ptr [r15 + ${8 * int(2000)}]`, 'fnstsw ax', 'fninit'),
    // MMX
    () => emit(`${pick(SSE_INT)} ${mm()}, ${int(2) ? mm() : mem(pick(['punpcklbw', 'punpcklwd', 'punpckldq']).length ? 8 : 8)}`.replace(/(punpckl\w+ mm\d), qword/, '$1, dword')),
    () => emit(pick([`movq ${mm()}, ${mm()}`, `movq ${mm()}, ${mem(8)}`, `movq ${mem(8)}, ${mm()}`, `movd ${mm()}, ${reg(4)}`, `movq ${reg(8)}, ${mm()}`,
      `pshufw ${mm()}, ${mm()}, ${int(256)}`, `psrlq ${mm()}, ${int(70)}`, `pslld ${mm()}, ${int(40)}`, `psraw ${mm()}, ${int(20)}`,
      `pmovmskb ${reg(4)}, ${mm()}`, `pextrw ${reg(4)}, ${mm()}, ${int(4)}`, `pinsrw ${mm()}, ${reg(4)}, ${int(4)}`,
      `movq2dq ${xmm()}, ${mm()}`, `movdq2q ${mm()}, ${xmm()}`, `cvtpi2pd ${xmm()}, ${mm()}`, `cvttpd2pi ${mm()}, ${xmm()}`, 'emms'])),
  ];
  // A jump after each group ends Unicorn's translation blocks early: stepping
  // one instruction at a time, it translates from each instruction to the
  // end of its block, which in long straight-line code is quadratic.
  while (lines.length < n) {
    pick(groups)();
    const l = label++;
    emit(`jmp .Lb${l}`);
    lines.push(`.Lb${l}:`);
  }
  const data = new Uint8Array(DATA_SIZE);
  for (let k = 0; k < 32768; k += 8) new DataView(data.buffer).setBigUint64(k, next(), true);
  // Doubles in a sane range at 32768.. (x87 operands), and mixed float patterns after them.
  for (let k = 32768; k < DATA_SIZE; k += 8) {
    const v = (Number(next() % 2000000n) - 1000000) / (1 + Number(next() % 1000n));
    new DataView(data.buffer).setFloat64(k, v, true);
  }
  return {
    text: ['.intel_syntax noprefix', '.globl _start', '.text', '_start:', ...lines, '  ud2'].join('\n') + '\n',
    count: lines.filter((l) => !l.endsWith(':')).length,
    data,
    regs: R64.map(() => next()),
  };
}

export const STREAM_REGS = R64;
