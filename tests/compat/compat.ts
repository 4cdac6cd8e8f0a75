/**
 * The compatibility suites' building block: one command run natively and
 * under kemu with the same argv, environment, stdin and (fresh, empty)
 * working directory, and the two outcomes compared on stdout and exit
 * status. The native side runs at test time, so the reference is the Linux
 * and the binaries of the machine the tests run on.
 */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Engine } from '../../emulator/engine.js';
import { runGuest } from '../helpers/run.js';

/** One command of a compatibility suite. */
export interface CompatCase {
  /** Unique: known failures and docs/compat.md name cases by it. */
  name: string;
  /** argv[0] first; argv[0] is also the program run. */
  argv: string[];
  stdin?: string;
  /** Also run under every other engine (the rest run under the default engine only). */
  everyEngine?: boolean;
  /**
   * Run under `--root /`, for a program that execs a host file the native
   * run finds (glibc's system() and popen() exec /bin/sh).
   */
  hostRoot?: boolean;
  /**
   * The output names the user: kemu's guest runs as root (uid 0), so the
   * native run matches only when the tests run as root (CI does).
   */
  asRoot?: boolean;
}

/** Whether this process runs as root, so that `asRoot` cases can be compared. */
export const RUNNING_AS_ROOT = process.getuid?.() === 0;

/** What a run left: stdout, the shell-style status (128 + signal when killed), stderr for the report. */
export interface Outcome {
  stdout: Buffer;
  status: number | null;
  stderr: string;
}

/**
 * The one environment both sides get: nothing from the host leaks in, and
 * the time zone and locale are fixed so dates and collation do not vary.
 */
export const COMPAT_ENV: readonly string[] = ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/', 'TZ=UTC', 'LC_ALL=C'];

/** A guest that runs longer than this is killed (status 137) and the case fails. */
const KEMU_TIMEOUT_MS = 60_000;

/** A fresh empty host directory for one case; the caller removes it. */
export function freshDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-compat-'));
}

/** Run the case natively in `cwd`. */
export function runNative(c: CompatCase, cwd: string): Outcome {
  const r = spawnSync(c.argv[0]!, c.argv.slice(1), {
    argv0: c.argv[0]!,
    cwd,
    env: Object.fromEntries(COMPAT_ENV.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
    input: c.stdin ?? '',
    timeout: 30_000,
    maxBuffer: 64 << 20,
  });
  const status = r.status ?? (r.signal ? 128 + (os.constants.signals[r.signal] ?? 0) : null);
  return { stdout: r.stdout ?? Buffer.alloc(0), status, stderr: String(r.stderr ?? r.error ?? '') };
}

/**
 * Run the case under kemu in `cwd` (the guest's cwd has the same path; on
 * the default in-memory root it is a new empty directory, under `root` it is
 * the host's empty directory seen through the copy-on-write layer).
 */
export async function runKemu(engine: Engine, c: CompatCase, cwd: string, root?: string): Promise<Outcome> {
  const r = await runGuest({
    engine,
    prog: c.argv[0]!,
    argv: c.argv,
    env: [...COMPAT_ENV],
    stdin: Buffer.from(c.stdin ?? '', 'utf8'),
    cwd,
    timeoutMs: KEMU_TIMEOUT_MS,
    ...(root ? { root } : {}),
  });
  const stderr = r.stderr.toString('utf8') + r.kernelLog.map((l) => `[kernel] ${l}\n`).join('');
  return { stdout: r.stdout, status: r.execErrno !== null ? -r.execErrno : r.status, stderr };
}

/** Run both sides, each in a fresh directory of the same name. */
export async function compareCase(engine: Engine, c: CompatCase, root?: string): Promise<{ native: Outcome; kemu: Outcome }> {
  const dir = freshDir();
  try {
    const native = runNative(c, dir);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    const kemu = await runKemu(engine, c, dir, c.hostRoot ? '/' : root);
    return { native, kemu };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Null when the outcomes are identical, else a one-line account of the first difference. */
export function difference(native: Outcome, kemu: Outcome): string | null {
  const parts: string[] = [];
  if (native.status !== kemu.status) parts.push(`status ${kemu.status}, native ${native.status}`);
  if (!native.stdout.equals(kemu.stdout)) parts.push(firstLineDiff(native.stdout, kemu.stdout));
  if (parts.length === 0) return null;
  const err = kemu.stderr.trim().split('\n').slice(0, 3).join(' | ');
  return parts.join('; ') + (err ? `; kemu stderr: ${err.slice(0, 300)}` : '');
}

function firstLineDiff(want: Buffer, got: Buffer): string {
  const w = want.toString('latin1').split('\n');
  const g = got.toString('latin1').split('\n');
  for (let i = 0; i < Math.max(w.length, g.length); i++) {
    if (w[i] !== g[i]) return `stdout line ${i + 1}: ${JSON.stringify((g[i] ?? '<none>').slice(0, 80))}, native ${JSON.stringify((w[i] ?? '<none>').slice(0, 80))}`;
  }
  return 'stdout differs';
}
