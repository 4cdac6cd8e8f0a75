/**
 * CPU benchmark: CPU-bound static musl programs (bench/programs: an integer
 * hash loop, a 10 MB byte sieve, libc string functions, a getpid syscall
 * loop) run natively, under qemu-user (Debian qemu-user) and under both kemu
 * engines, in one run. Prints wall time, the ratio to native, and guest
 * instructions per second (the instruction count is the interp engine's,
 * which counts exactly; perf counters are not available on every machine).
 *
 *   node dist/bench/cpu.js [--only NAME] [--runs N]
 *
 * The runners take turns, N rounds (3 by default) of one run each, and each
 * keeps its best time (a slow phase of the machine hits all of them).
 * Every runner's output is checked against native, so a wrong answer
 * cannot pass for a fast one. kemu runs as it is installed: the bundled
 * command dist/kemu.cjs (`npm run build`), start-up included. For the
 * getpid loop each runner also runs the program with a count of 0 and of
 * six times the default: the time of one syscall round trip is the
 * marginal cost of an iteration between the two loop lengths (start-up
 * and the JIT's warm-up of the loop cancel out), and the average over the
 * first iterations, warm-up included, is printed beside it.
 */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCounted } from './counted.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const progDir = path.join(root, 'bench/programs');
const kemu = path.join(root, 'dist/kemu.cjs');

interface Program {
  name: string;
  args: string[];
  what: string;
}

const PROGRAMS: Program[] = [
  { name: 'hash', args: ['50000000'], what: 'integer hash loop' },
  { name: 'sieve', args: ['5'], what: '10 MB byte sieve' },
  { name: 'strings', args: ['1000'], what: 'libc string functions' },
  { name: 'getpid', args: ['200000'], what: 'getpid syscall loop' },
];

interface Runner {
  name: string;
  cmd: (prog: string, args: string[]) => [string, string[]] | null;
}

const has = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

const RUNNERS: Runner[] = [
  { name: 'native', cmd: (p, a) => [p, a] },
  { name: 'qemu-user', cmd: (p, a) => (has('qemu-x86_64') ? ['qemu-x86_64', [p, ...a]] : null) },
  { name: 'kemu unicorn', cmd: (p, a) => [process.execPath, [kemu, 'run', '--engine', 'unicorn', p, ...a]] },
  { name: 'kemu interp', cmd: (p, a) => [process.execPath, [kemu, 'run', '--engine', 'interp', p, ...a]] },
];

function time(cmd: string, args: string[]): { seconds: number; stdout: string; status: number | null } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'latin1', maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, stdout: r.stdout, status: r.status };
}

/**
 * One syscall round trip, as the marginal cost of a loop iteration: (time
 * of 6n getpids - time of n) / 5n, best of at least three runs of each.
 * Start-up, and the JIT's one-time warm-up of the loop (which the first
 * iterations pay), cancel out; `warm` is what the first n cost on average,
 * warm-up included: (time of n - time of none) / n.
 */
function perSyscall(r: Runner, prog: string, n: number, best: number, runs: number): { round: number; warm: number } {
  const bestOf = (count: number): number => {
    const c = r.cmd(prog, [String(count)])!;
    let t = Infinity;
    for (let i = 0; i < Math.max(runs, 3); i++) t = Math.min(t, time(c[0], c[1]).seconds);
    return t;
  };
  const t0 = bestOf(0), tn = Math.min(best, bestOf(n)), t6n = bestOf(6 * n);
  return { round: ((t6n - tn) / (5 * n)) * 1e6, warm: ((tn - t0) / n) * 1e6 };
}

async function main(): Promise<void> {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
  // Three rounds unless told: on a shared machine one run of a 0.1 s native
  // program can be 2x off (bench/README.md), and the ratio with it.
  const runs = process.argv.includes('--runs') ? Number(process.argv[process.argv.indexOf('--runs') + 1]) : 3;
  console.log(`kemu CPU benchmark (${runs} run${runs > 1 ? 's' : ''} each, best wall time; ratios to native)`);
  for (const p of PROGRAMS) {
    if (only && p.name !== only) continue;
    const prog = path.join(progDir, p.name);
    if (!fs.existsSync(prog)) { console.log(`${p.name}: missing, run make -C bench/programs`); continue; }
    const insns = await runCounted(prog, p.args);
    console.log(`\n${p.name} (${p.what}; ${(insns / 1e6).toFixed(1)}M guest instructions)`);
    // Rounds, not runner after runner: each round runs every runner once,
    // so a phase when this (shared, virtual) machine's CPU is slower falls
    // on all of them alike, and each runner's best is from its best round.
    const cmds = RUNNERS.map((r) => ({ r, c: r.cmd(prog, p.args) }));
    const best = cmds.map(() => Infinity);
    const outs = cmds.map(() => ({ out: '', status: null as number | null }));
    const nativeTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
      cmds.forEach(({ r, c }, k) => {
        if (!c) return;
        const t = time(c[0], c[1]);
        if (r.name === 'native') nativeTimes.push(t.seconds);
        best[k] = Math.min(best[k]!, t.seconds);
        outs[k] = { out: t.stdout, status: t.status };
      });
    }
    const native = best[0]!, want = outs[0]!.out;
    cmds.forEach(({ r, c }, k) => {
      if (!c) { console.log(`  ${r.name.padEnd(14)} not installed`); return; }
      const { out, status } = outs[k]!;
      const ok = status === 0 && out === want ? '' : `  WRONG (status ${status}, output ${JSON.stringify(out.slice(0, 40))})`;
      const mips = insns / best[k]! / 1e6;
      let per = '';
      if (p.name === 'getpid') {
        const s = perSyscall(r, prog, Number(p.args[0]), best[k]!, runs);
        per = `  ${s.round.toFixed(3).padStart(6)} us/syscall (first ${p.args[0]}: ${s.warm.toFixed(3)})`;
      }
      console.log(`  ${r.name.padEnd(14)} ${best[k]!.toFixed(3).padStart(8)} s  ${(best[k]! / native).toFixed(1).padStart(7)}x  ${mips.toFixed(0).padStart(6)} M guest insn/s${per}${ok}`);
    });
    const spread = Math.max(...nativeTimes) / Math.min(...nativeTimes);
    if (nativeTimes.length > 1 && spread > 1.25) {
      console.log(`  (native varied ${spread.toFixed(2)}x between rounds: this machine's CPU speed changed during the run; more --runs give steadier best times)`);
    }
  }
}

await main();
