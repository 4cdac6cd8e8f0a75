/**
 * `kemu umh [--engine NAME] [--kernel 4.18|6.18] [--trace umh] BLOB`:
 * load a small module (umh/cat_module.ts) that starts BLOB as a user-mode
 * helper (fork_usermode_blob under 4.18, the usermode_driver path under
 * 6.18), copy kemu's stdin to the helper's fd 0 and its fd 1 to kemu's
 * stdout, then exit with the helper's status (128 + the signal that
 * killed it). A blob that cannot run is one line with the errno, 126
 * (127 when BLOB does not exist), as `kemu run` reports.
 */

import { readFileSync } from 'node:fs';
import { errnoName, strerror } from '../abi/errno.js';
import { DEFAULT_ENGINE, loadEngine } from '../emulator/select.js';
import { PROFILES } from '../kernel/profile.js';
import { shellStatus } from '../kernel/task.js';
import { Tracer } from '../kernel/trace.js';
import { cat_module } from '../umh/cat_module.js';
import { insmod, rmmod } from '../umh/module.js';
import { bootKernel } from './boot.js';
import { attachUmhTrace } from './trace_umh.js';

export const UMH_USAGE = `usage: kemu umh [options] BLOB

Run BLOB as a kernel module's user-mode helper: its stdin is kemu's stdin
(through pipe_to_umh), its stdout kemu's stdout (through pipe_from_umh);
it has no fd 2. kemu exits with the helper's status.

options:
  --engine NAME     CPU engine (default ${DEFAULT_ENGINE})
  --kernel VERSION  4.18 (default: fork_usermode_blob) or 6.18 (usermode_driver)
  --trace umh       print each step of the helper's life to stderr
  -h, --help        show this help`;

export class UmhUsageError extends Error {}

interface UmhOptions { engine: string; kernel: string; trace: boolean; blob: string }

function parseUmh(argv: string[]): UmhOptions | 'help' {
  const o: UmhOptions = { engine: DEFAULT_ENGINE, kernel: '4.18', trace: false, blob: '' };
  let i = 0;
  const value = (flag: string): string => {
    const v = argv[++i];
    if (v === undefined) throw new UmhUsageError(`${flag} needs a value`);
    return v;
  };
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { i++; break; }
    if (!a.startsWith('-')) break;
    if (a === '-h' || a === '--help') return 'help';
    if (a === '--engine') o.engine = value(a);
    else if (a.startsWith('--engine=')) o.engine = a.slice(9);
    else if (a === '--kernel') o.kernel = value(a);
    else if (a.startsWith('--kernel=')) o.kernel = a.slice(9);
    else if (a === '--trace' || a === '--trace=umh') {
      if (a === '--trace' && value(a) !== 'umh') throw new UmhUsageError('kemu umh: --trace knows only "umh"');
      o.trace = true;
    } else throw new UmhUsageError(`unknown option ${a}`);
  }
  if (i >= argv.length) throw new UmhUsageError('missing BLOB');
  o.blob = argv[i]!;
  if (i + 1 < argv.length) throw new UmhUsageError('a helper takes no arguments (fork_usermode_blob passes none)');
  if (!PROFILES[o.kernel]) throw new UmhUsageError(`unknown kernel profile "${o.kernel}" (choose 4.18 or 6.18)`);
  return o;
}

/** Write to stdout, waiting when its buffer is full. */
function writeOut(b: Uint8Array): void | Promise<void> {
  if (process.stdout.write(b)) return;
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}

export async function umhCommand(argv: string[]): Promise<number> {
  const o = parseUmh(argv);
  if (o === 'help') {
    process.stdout.write(UMH_USAGE + '\n');
    return 0;
  }
  const err = (line: string): void => { process.stderr.write(line + '\n'); };
  let blob: Uint8Array;
  try {
    blob = new Uint8Array(readFileSync(o.blob));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    err(`kemu: ${o.blob}: ${code === 'ENOENT' ? 'No such file or directory' : `cannot read: ${code}`}`);
    return code === 'ENOENT' ? 127 : 126;
  }
  const engine = await loadEngine(o.engine);
  const tracer = new Tracer();
  const k = bootKernel({ engine, profile: PROFILES[o.kernel]!, tracer });
  if (o.trace) attachUmhTrace(k, err);
  const mod = cat_module(blob, { input: process.stdin, output: writeOut });
  const r = await insmod(k, mod);
  if (r < 0) {
    err(`kemu: ${o.blob}: cannot execute: ${strerror(-r)} (${errnoName(-r)})`);
    process.stdin.destroy();
    return 126;
  }
  const status = await mod.done;
  await rmmod(k, mod.name);
  process.stdin.destroy();
  return status ? shellStatus(status) : 0;
}
