/**
 * The interp decoder against iced-x86 (decoder-iced.ts says what is
 * compared): seeded random bytes covering every opcode map, and every
 * instruction of the fixture binaries' code and of /bin/busybox.
 * KEMU_ICED_CASES=<n> runs n random cases instead of RANDOM_CASES
 * (KEMU_ICED_SEED another seed).
 */

import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Mismatch, Tally } from './decoder-iced.js';
import { DIFFERENCES, IcedDecoder, codeMemory, compareAt, execSections, newTally, opcodeOf, randomCases } from './decoder-iced.js';

const SEED = Number(process.env['KEMU_ICED_SEED'] ?? 20261129);
const RANDOM_CASES = Number(process.env['KEMU_ICED_CASES'] ?? 400_000);
/** Random cases per buffer (one Decoder and one GuestMemory each). */
const CHUNK = 50_000;
const BASE = 0x7f1234560000;
const FIXTURES = new URL('../../../fixtures/', import.meta.url).pathname;

/** Mismatches grouped by opcode and kind, a few examples each, as one report. */
function report(ms: Mismatch[]): string {
  const groups = new Map<string, string[]>();
  for (const m of ms) {
    const g = groups.get(m.key) ?? [];
    g.push(m.line);
    groups.set(m.key, g);
  }
  return [...groups].sort((a, b) => b[1].length - a[1].length)
    .map(([k, lines]) => `${k} (${lines.length})\n    ${lines.slice(0, 3).join('\n    ')}`).join('\n');
}

function summary(t: Tally): string {
  const ex = [...t.explained].map(([k, n]) => `${k}: ${n}`).join(', ');
  return `${t.compared} compared, ${t.bothValid} valid in both, ${t.bothUd} #UD in both; deliberate differences: ${ex || 'none'}`;
}

/** Fixture binaries (fixtures/<name>/<name>, static ELF) and busybox where present. */
function binaries(): string[] {
  const out: string[] = [];
  for (const d of readdirSync(FIXTURES).sort()) {
    const p = `${FIXTURES}${d}/${d}`;
    if (existsSync(p) && readFileSync(p).subarray(0, 4).toString('latin1') === '\x7fELF') out.push(p);
  }
  if (existsSync('/bin/busybox')) out.push('/bin/busybox');
  return out;
}

describe('interp decoder agrees with iced-x86', function () {
  this.timeout(600_000);

  it(`${RANDOM_CASES} seeded random instructions (seed ${SEED}): validity for our CPUID, length, operands`, function () {
    const t = newTally();
    const ms: Mismatch[] = [];
    const seen = new Set<number>();
    for (let done = 0; done < RANDOM_CASES; done += CHUNK) {
      const n = Math.min(CHUNK, RANDOM_CASES - done);
      const bytes = randomCases(SEED + done, n);
      const ice = new IcedDecoder(bytes, BASE);
      const mem = codeMemory(bytes, BASE);
      try {
        for (let c = 0; c < n; c++) {
          const [map, opcode] = opcodeOf(bytes, c * 16);
          seen.add((map << 8) | opcode);
          const m = compareAt(ice, mem, bytes, BASE, c * 16, t);
          if (m) ms.push(m);
        }
      } finally {
        ice.free();
      }
    }
    console.log(`      ${summary(t)}; ${seen.size} opcodes seen`);
    if (ms.length) console.log(report(ms));
    // Every opcode of the four maps but the 28 one-byte values that are prefixes, REX or the 0F
    // escape, and 0F 38 / 0F 3A, which are the escapes to the three-byte maps.
    expect(seen.size, 'every opcode of the four maps').to.equal(1024 - 28 - 2);
    expect(ms.length, 'mismatches').to.equal(0);
  });

  it('every instruction of the fixture binaries and busybox (linear sweep, each distinct byte string once)', function () {
    const t = newTally();
    const ms: Mismatch[] = [];
    const done = new Set<string>();
    let total = 0;
    for (const path of binaries()) {
      for (const s of execSections(readFileSync(path))) {
        const ice = new IcedDecoder(s.bytes, s.addr);
        const mem = codeMemory(s.bytes, s.addr);
        try {
          for (let off = 0; off < s.bytes.length;) {
            const { view } = ice.at(off);
            const len = view.valid ? view.len : 1;
            total++;
            const key = Buffer.from(s.bytes.subarray(off, off + len)).toString('latin1');
            if (!done.has(key)) {
              done.add(key);
              const m = compareAt(ice, mem, s.bytes, s.addr, off, t);
              if (m) ms.push({ key: m.key, line: `${path.replace(FIXTURES, '')} ${(s.addr + off).toString(16)}: ${m.line}` });
            }
            off += len;
          }
        } finally {
          ice.free();
        }
      }
    }
    console.log(`      ${total} instructions, ${summary(t)}`);
    if (ms.length) console.log(report(ms));
    expect(t.bothValid).to.be.greaterThan(10_000);
    expect(ms.length, 'mismatches').to.equal(0);
  });

  it('lists each deliberate difference with its reason', function () {
    for (const d of DIFFERENCES) expect(d.why.length, d.name).to.be.greaterThan(40);
  });
});
