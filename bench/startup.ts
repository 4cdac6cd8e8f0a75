/**
 * Start-up benchmark: `kemu run` of a static hello world against `node -e 0`
 * (issue 6: no more than 1.5x). Start-up is part of speed: most guest
 * programs run for milliseconds, so the time to load kemu itself and exec
 * the program is what a user waits for.
 *
 *   node dist/bench/startup.js [--runs N] [--prog PATH]
 *
 * Runs are interleaved (node, bundle, unbundled, node, ...) so that a burst
 * of load from other work hits all of them alike; the best wall time of
 * each is the figure (the least disturbed run), the median is printed
 * beside it. The bundle is what `npm run build` (and so `npm ci`, through
 * `prepare`) writes to dist/kemu.cjs, the `kemu` command of package.json;
 * dist/cli/kemu.js is the unbundled tsc output, for comparison.
 */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name: string): string | undefined => {
  const k = process.argv.indexOf(name);
  return k >= 0 ? process.argv[k + 1] : undefined;
};
const runs = Number(arg('--runs') ?? 15);
const prog = path.resolve(arg('--prog') ?? path.join(root, 'fixtures/musl-hello/musl-hello'));

interface Subject {
  name: string;
  args: string[];
  times: number[];
}

function timeOnce(s: Subject, want: string | null): void {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, s.args, { encoding: 'latin1' });
  s.times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  if (r.status !== 0 || (want !== null && r.stdout !== want)) {
    throw new Error(`${s.name}: status ${r.status}, stdout ${JSON.stringify(r.stdout.slice(0, 60))}, stderr ${r.stderr.slice(0, 200)}`);
  }
}

function main(): void {
  const bundle = path.join(root, 'dist/kemu.cjs');
  if (!fs.existsSync(bundle)) throw new Error('dist/kemu.cjs is missing: run npm run build');
  // The program's output natively is the answer every kemu run must give.
  const want = spawnSync(prog, [], { encoding: 'latin1' }).stdout;
  const subjects: Subject[] = [
    { name: 'node -e 0', args: ['-e', '0'], times: [] },
    { name: 'kemu run (bundle, dist/kemu.cjs)', args: [bundle, 'run', prog], times: [] },
    { name: 'kemu run (tsc output, dist/cli/kemu.js)', args: [path.join(root, 'dist/cli/kemu.js'), 'run', prog], times: [] },
  ];
  for (const s of subjects) timeOnce(s, s.name === 'node -e 0' ? null : want); // warm the file cache
  for (const s of subjects) s.times.length = 0;
  for (let k = 0; k < runs; k++) for (const s of subjects) timeOnce(s, s.name === 'node -e 0' ? null : want);
  const best = (s: Subject): number => Math.min(...s.times);
  const median = (s: Subject): number => [...s.times].sort((a, b) => a - b)[Math.floor(s.times.length / 2)]!;
  const base = best(subjects[0]!);
  console.log(`start-up: ${path.relative(root, prog)}, ${runs} interleaved runs each (best and median wall time)`);
  for (const s of subjects) {
    console.log(`  ${s.name.padEnd(40)} best ${(best(s) * 1000).toFixed(0).padStart(5)} ms  median ${(median(s) * 1000).toFixed(0).padStart(5)} ms  ${(best(s) / base).toFixed(2).padStart(5)}x node -e 0`);
  }
}

main();
