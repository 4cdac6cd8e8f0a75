/**
 * One bench program under the interp engine inside this process, for
 * profiling the engine (`node --cpu-prof dist/bench/inprocess.js strings
 * 300`): prints the guest instructions retired and how many millions of
 * them ran per second of wall time, of CPU time (all threads: V8's
 * compiler and GC helpers included) and of the main thread's own CPU time
 * (Linux /proc; the figure that moves least when the machine is shared).
 *
 *   node dist/bench/inprocess.js NAME [ARGS...]     (NAME: hash, sieve, strings, getpid)
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCounted } from './counted.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** CPU seconds of the main thread (utime + stime of /proc/self/task/<pid>/stat); NaN off Linux. */
function mainThreadSeconds(): number {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  if (!name) { console.error('usage: node dist/bench/inprocess.js NAME [ARGS...]'); process.exit(2); }
  const prog = path.join(root, 'bench/programs', name);
  if (!fs.existsSync(prog)) { console.error(`${prog}: missing, run make -C bench/programs`); process.exit(2); }
  let out = '';
  const main0 = mainThreadSeconds(), cpu0 = process.cpuUsage(), wall0 = performance.now();
  const retired = await runCounted(prog, args, (b) => { out += Buffer.from(b).toString('latin1'); });
  if (Number.isNaN(retired)) { console.error(`${name}: exec failed`); process.exit(1); }
  const wall = (performance.now() - wall0) / 1000;
  const u = process.cpuUsage(cpu0), cpu = (u.user + u.system) / 1e6;
  const mainCpu = mainThreadSeconds() - main0;
  const rate = (s: number): string => `${(retired / s / 1e6).toFixed(0)} M/s`;
  console.log(`${name} ${args.join(' ')}: output ${JSON.stringify(out.trim())}, ${(retired / 1e6).toFixed(1)}M guest instructions`);
  console.log(`  wall ${wall.toFixed(2)} s (${rate(wall)}), CPU ${cpu.toFixed(2)} s (${rate(cpu)}), main thread ${mainCpu.toFixed(2)} s (${rate(mainCpu)})`);
}

void main();
