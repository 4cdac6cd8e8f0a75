/**
 * The decoder against GNU objdump on real binaries: every instruction of
 * the fixture programs' code that interp implements must decode to the
 * length objdump gives it, and the instructions it leaves undefined must be
 * ones CPUID does not advertise (AVX, SSSE3+, BMI, ...).
 */

import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { decode } from '../../emulator/interp/decode.js';
import { GuestMemory } from '../../emulator/interp/memory.js';
import { loadSegments } from './bare-elf.js';

const FIXTURES = new URL('../../../fixtures/', import.meta.url).pathname;

function hasObjdump(): boolean {
  try {
    execFileSync('objdump', ['--version']);
    return true;
  } catch {
    return false;
  }
}

function loadImage(path: string): GuestMemory {
  const mem = new GuestMemory();
  for (const r of loadSegments(readFileSync(path))) mem.map(r.start, r.host.length, 7, r.host);
  return mem;
}

/** Mnemonics of extensions we do not advertise: leaving them undefined is right. */
const NOT_ADVERTISED = /^(v|k)|^(palignr|pshufb|pcmp[ei]str[im]|ptest|pminu[dw]|pmaxu[dw]|pminsd|pmaxsd|pmovzx|pmovsx|pblend|pextr[bdq]|pinsr[bdq]|pmulld|pcmpeqq|pcmpgtq|packusdw|phadd|phsub|pabs|psign|pmaddubsw|pmulhrsw|blend|round|dpp|insertps|extractps|movbe|sarx|shlx|shrx|rorx|bzhi|blsmsk|blsr|blsi|andn|pdep|pext|mulx|adcx|adox|tzcnt|lzcnt|xtest|xbegin|xend|xabort|xgetbv|xsave|xrstor|rdrand|rdseed|rdtscp|rdpid|crc32|popcnt|lddqu|movddup|movs[lh]dup|addsub|hadd|hsub|fisttp|monitor|mwait|sha|aes|pclmul|endbr|wrss|rdssp|incssp|setssbsy|clflushopt|clwb|rdfsbase|wrfsbase|rdgsbase|wrgsbase|bnd|prefetchw|emms|movq2dq|cvtpi2p|cvtps2pi|cvttps2pi|cvtpd2pi|cvttpd2pi|maskmovq)/;

describe('interp decoder agrees with objdump on the fixture binaries', function () {
  this.timeout(120_000);
  for (const name of ['glibc-printf', 'musl-printf']) {
    const path = FIXTURES + `${name}/${name}`;
    it(`${name}: same instruction lengths, and #UD only for extensions CPUID does not report`, function () {
      if (!existsSync(path) || !hasObjdump()) this.skip();
      const text = execFileSync('objdump', ['-d', '-M', 'intel', '--no-show-raw-insn', path], { maxBuffer: 1 << 28 }).toString();
      const mem = loadImage(path);
      const rows = text.split('\n').map((l) => /^\s+([0-9a-f]+):\t(.*)$/.exec(l)).filter((m) => m !== null)
        .map((m) => [parseInt(m![1]!, 16), m![2]!] as const);
      const wrongLength: string[] = [];
      const unexpectedUd = new Set<string>();
      let checked = 0;
      for (let k = 0; k + 1 < rows.length; k++) {
        const [a, asm] = rows[k]!;
        const want = rows[k + 1]![0] - a;
        if (want <= 0 || want > 15 || asm.startsWith('(bad)')) continue;
        const i = decode(mem, a);
        const words = asm.split(/\s+/);
        const mnemonic = /^(rep[a-z]*|lock|data16|notrack|bnd|[cdefgs]s)$/.test(words[0]!) ? words[1] ?? '' : words[0]!;
        if (i.name === '(bad)') {
          if (!NOT_ADVERTISED.test(mnemonic)) unexpectedUd.add(mnemonic);
          continue;
        }
        checked++;
        if (i.len === want) continue;
        // objdump folds alignment padding after an instruction into its row.
        let padding = i.len < want;
        for (let p = a + i.len; padding && p < a + want; p++) padding = [0x00, 0x90, 0xcc].includes(mem.read8(p));
        if (!padding) wrongLength.push(`${a.toString(16)} ${asm}: ours ${i.len}, objdump ${want}`);
      }
      expect(checked).to.be.greaterThan(1000);
      expect(wrongLength.slice(0, 20)).to.deep.equal([]);
      expect([...unexpectedUd]).to.deep.equal([]);
    });
  }
});
