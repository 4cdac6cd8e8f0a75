/**
 * Shared by the umh tests: a kernel per engine and profile, the sample
 * helper's blob, one request/reply over a helper's pipes, and a teardown
 * that kills whatever is left (a live helper would keep Node running, as
 * a live process keeps a machine busy).
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SIGKILL } from '../../abi/signal.js';
import { bootKernel } from '../../cli/boot.js';
import type { Engine } from '../../emulator/engine.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { KernelProfile } from '../../kernel/profile.js';
import { decode_mbox_reply, encode_mbox_request, type MboxRequest } from '../../umh/bpfilter/msgfmt.js';
import { kernel_read, kernel_write, kill_pid, wait_for_exit } from '../../umh/kernel_io.js';
import type { UmhInfo } from '../../umh/umh.js';
import { REPO_ROOT } from '../helpers/paths.js';

export const HELPER_PATH = path.join(REPO_ROOT, 'fixtures/bpfilter-umh/bpfilter-umh');
export const KILL_PATH = path.join(REPO_ROOT, 'fixtures/bpfilter-umh/umh-kill');
export const BLOB = new Uint8Array(fs.readFileSync(HELPER_PATH));

/**
 * A kernel for the umh tests. Unicorn's wall-clock slice costs a host
 * thread per guest run (emulator/unicorn/cpu.ts); tests that do thousands
 * of round trips may turn it off with `sliceMs: Infinity` (the interpreter
 * keeps its instruction budget either way).
 */
export function bootUmh(engine: Engine, profile: KernelProfile, opts: { sliceMs?: number } = {}): Kernel {
  const k = bootKernel({ engine, profile });
  k.log = () => {};
  if (opts.sliceMs !== undefined) k.sched.sliceMs = opts.sliceMs;
  return k;
}

/** A request the sample helper knows how to answer. */
export function req(cmd: number, o: Partial<MboxRequest> = {}): MboxRequest {
  return { addr: 0n, len: 0, is_set: 0, cmd, pid: 0, ...o };
}

/** Write one request, read one reply: the status, or the short count / -errno as { short }. */
export async function transact(k: Kernel, info: UmhInfo, r: MboxRequest): Promise<number | { short: number }> {
  const w = await kernel_write(k, info.pipe_to_umh!, encode_mbox_request(r));
  if (w !== 24) return { short: w };
  const b = new Uint8Array(4);
  const n = await kernel_read(k, info.pipe_from_umh!, b);
  return n === 4 ? decode_mbox_reply(b) : { short: n };
}

/** Kill every task and wait until each has gone. */
export async function killAll(k: Kernel): Promise<void> {
  const tasks = [...k.tasks.values()].filter((t) => t.isLeader);
  for (const t of tasks) kill_pid(k, t.pid, SIGKILL);
  await Promise.all(tasks.map((t) => wait_for_exit(k, t)));
}
