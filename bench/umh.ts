/**
 * fork_usermode_blob under kemu against the same work done natively, in
 * the same run (bench/README.md, "umh"):
 *
 *   node dist/bench/umh.js [--engines interp,unicorn] [--slice-ms N|inf]
 *
 * The native side is bench/umh-native (memfd_create + fork + execveat +
 * two pipes, built with make); kemu's side runs each engine in a child
 * process of its own (so their memory figures do not mix) and does what
 * the native program does: start the sample helper
 * (fixtures/bpfilter-umh) and wait for its health check's reply, request/
 * reply round trips, 16 MiB through each pipe, and 1,000 live helpers
 * started from one blob.
 */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SIGKILL } from '../abi/signal.js';
import { bootKernel } from '../cli/boot.js';
import { loadEngine } from '../emulator/select.js';
import type { Kernel } from '../kernel/kernel.js';
import { PROFILE_4_18 } from '../kernel/profile.js';
import { decode_mbox_reply, encode_mbox_request, UMH_DEBUG } from '../umh/bpfilter/msgfmt.js';
import { kernel_read, kernel_write, kill_pid, wait_for_exit } from '../umh/kernel_io.js';
import { fork_usermode_blob, new_umh_info, type UmhInfo } from '../umh/umh.js';
import { fput } from '../kernel/fs/file.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BLOB_PATH = path.join(ROOT, 'fixtures/bpfilter-umh/bpfilter-umh');
const NATIVE_DIR = path.join(ROOT, 'bench/umh-native');

interface Figures {
  start_us: number;
  rtt_us: number;
  sink_mbps: number;
  source_mbps: number;
  mem_kb_1000: number;
}

// ---- kemu's side (one engine, in a child process) -----------------------

async function request(k: Kernel, info: UmhInfo, cmd: number, len = 0): Promise<number> {
  await kernel_write(k, info.pipe_to_umh!, encode_mbox_request({ addr: 0n, len, is_set: 0, cmd, pid: 0 }));
  const b = new Uint8Array(4);
  await kernel_read(k, info.pipe_from_umh!, b);
  return decode_mbox_reply(b);
}

function start(k: Kernel, blob: Uint8Array): UmhInfo {
  const info = new_umh_info();
  const r = fork_usermode_blob(k, blob, blob.length, info);
  if (r) throw new Error(`fork_usermode_blob: ${r}`);
  return info;
}

async function stop(k: Kernel, info: UmhInfo): Promise<void> {
  const t = k.find_task_by_vpid(info.pid);
  kill_pid(k, info.pid, SIGKILL);
  if (t) await wait_for_exit(k, t);
  fput(info.pipe_to_umh!);
  fput(info.pipe_from_umh!);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

async function measureKemu(engineName: string, sliceMs: number | null): Promise<Figures> {
  const engine = await loadEngine(engineName);
  const k = bootKernel({ engine, profile: PROFILE_4_18 });
  if (sliceMs !== null) k.sched.sliceMs = sliceMs;
  const blob = new Uint8Array(fs.readFileSync(BLOB_PATH));
  // Time from fork_usermode_blob to the health check's reply (median of 21, after 5 to warm up).
  const starts: number[] = [];
  for (let i = 0; i < 26; i++) {
    const t0 = performance.now();
    const info = start(k, blob);
    await request(k, info, 0);
    if (i >= 5) starts.push((performance.now() - t0) * 1000);
    await stop(k, info);
  }
  const info = start(k, blob);
  for (let i = 0; i < 1000; i++) await request(k, info, 0);
  const N = 10_000;
  let t0 = performance.now();
  for (let i = 0; i < N; i++) await request(k, info, 0);
  const rtt_us = ((performance.now() - t0) * 1000) / N;
  // 16 MiB each way: SINK reads what follows its request, SOURCE writes before its reply.
  const bulk = 16 << 20;
  const chunk = new Uint8Array(1 << 20);
  t0 = performance.now();
  await kernel_write(k, info.pipe_to_umh!, encode_mbox_request({ addr: 0n, len: bulk, is_set: 0, cmd: UMH_DEBUG.SINK, pid: 0 }));
  for (let d = 0; d < bulk; d += chunk.length) await kernel_write(k, info.pipe_to_umh!, chunk);
  const got = new Uint8Array(4);
  await kernel_read(k, info.pipe_from_umh!, got);
  if (decode_mbox_reply(got) !== bulk) throw new Error(`SINK: the helper read ${decode_mbox_reply(got)} bytes`);
  const sink_mbps = bulk / ((performance.now() - t0) * 1000);
  t0 = performance.now();
  await kernel_write(k, info.pipe_to_umh!, encode_mbox_request({ addr: 0n, len: bulk, is_set: 0, cmd: UMH_DEBUG.SOURCE, pid: 0 }));
  for (let d = 0; d < bulk;) {
    const n = await kernel_read(k, info.pipe_from_umh!, chunk.subarray(0, Math.min(chunk.length, bulk - d)));
    if (n <= 0) throw new Error('SOURCE: short');
    d += n;
  }
  await kernel_read(k, info.pipe_from_umh!, new Uint8Array(4));
  const source_mbps = bulk / ((performance.now() - t0) * 1000);
  await stop(k, info);
  // Host memory for 1,000 live helpers started from one blob (each answered a health check).
  gc();
  const rss0 = process.memoryUsage().rss;
  const live: UmhInfo[] = [];
  for (let i = 0; i < 1000; i++) {
    live.push(start(k, blob));
    await request(k, live[i]!, 0);
  }
  gc();
  const mem_kb_1000 = Math.round((process.memoryUsage().rss - rss0) / 1024);
  for (const h of live) await stop(k, h);
  return { start_us: median(starts), rtt_us, sink_mbps, source_mbps, mem_kb_1000 };
}

// ---- the native side and the report -------------------------------------

function measureNative(): Figures | string {
  const bin = path.join(NATIVE_DIR, 'umh-native');
  if (!fs.existsSync(bin)) {
    const m = spawnSync('make', ['-C', NATIVE_DIR], { encoding: 'utf8' });
    if (m.status !== 0) return `cannot build bench/umh-native: ${m.stderr || m.error?.message}`;
  }
  const r = spawnSync(bin, [BLOB_PATH], { encoding: 'utf8' });
  if (r.status !== 0) return `umh-native failed: ${r.stderr}`;
  return JSON.parse(r.stdout) as Figures;
}

function measureChild(engine: string, slice: string | null): Figures | string {
  const args = ['--expose-gc', fileURLToPath(import.meta.url), '--child', engine, ...(slice ? ['--slice-ms', slice] : [])];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return `${engine}: ${r.stderr.trim().split('\n').pop()}`;
  return JSON.parse(r.stdout) as Figures;
}

const ROWS: Array<{ key: keyof Figures; label: string; unit: string; lowerIsBetter: boolean; scale: number }> = [
  { key: 'start_us', label: 'fork_usermode_blob to first reply', unit: 'ms', lowerIsBetter: true, scale: 1e-3 },
  { key: 'rtt_us', label: 'request/reply round trip', unit: 'us', lowerIsBetter: true, scale: 1 },
  { key: 'sink_mbps', label: 'pipe throughput, to the helper', unit: 'MB/s', lowerIsBetter: false, scale: 1 },
  { key: 'source_mbps', label: 'pipe throughput, from the helper', unit: 'MB/s', lowerIsBetter: false, scale: 1 },
  { key: 'mem_kb_1000', label: 'host memory, 1,000 live helpers', unit: 'MB', lowerIsBetter: true, scale: 1 / 1024 },
];

function fmt(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function report(native: Figures | string, kemu: Array<[string, Figures | string]>): void {
  const blob = fs.statSync(BLOB_PATH).size;
  console.log(`fork_usermode_blob: kemu against native Linux, same run (helper: fixtures/bpfilter-umh, ${blob} bytes)`);
  if (typeof native === 'string') console.log(`native: ${native}`);
  for (const [name, f] of kemu) if (typeof f === 'string') console.log(`${name}: ${f}`);
  const cols = kemu.filter((c): c is [string, Figures] => typeof c[1] !== 'string');
  const head = ['', 'native', ...cols.flatMap(([n]) => [n, 'ratio'])];
  const lines = [head];
  for (const row of ROWS) {
    const nv = typeof native === 'string' ? NaN : native[row.key];
    const cells = [`${row.label} (${row.unit})`, Number.isNaN(nv) ? 'n/a' : fmt(nv * row.scale)];
    for (const [, f] of cols) {
      const v = f[row.key];
      const ratio = Number.isNaN(nv) ? NaN : row.lowerIsBetter ? v / nv : nv / v;
      cells.push(fmt(v * row.scale), Number.isNaN(ratio) ? 'n/a' : `${fmt(ratio)}x`);
    }
    lines.push(cells);
  }
  const widths = head.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  for (const l of lines) console.log(l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  console.log('ratio: how many times slower (or bigger) kemu is than native');
}

async function main(argv: string[]): Promise<void> {
  const opt = (name: string): string | null => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] ?? null : null; };
  const slice = opt('--slice-ms');
  const sliceMs = slice === null ? null : slice === 'inf' ? Infinity : Number(slice);
  const child = opt('--child');
  if (child) {
    process.stdout.write(JSON.stringify(await measureKemu(child, sliceMs)) + '\n');
    process.exit(0); // the scheduler's idle timer would keep a child alive
  }
  const engines = (opt('--engines') ?? 'interp,unicorn').split(',');
  const native = measureNative();
  const kemu = engines.map((e): [string, Figures | string] => [e + (slice ? ` (slice ${slice} ms)` : ''), measureChild(e, slice)]);
  report(native, kemu);
}

await main(process.argv.slice(2));
