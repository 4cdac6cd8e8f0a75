/**
 * Limits on the guest (DESIGN.md decision 7): the task count (fork and
 * pthread_create get EAGAIN), guest memory (the OOM killer sends SIGKILL
 * to the biggest process), wall time (`kemu run --timeout`), and what a
 * dead process leaves behind (nothing). The same programs run natively
 * without limits in the fixture suite (proc-limits-*).
 */

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { Kernel } from '../../kernel/kernel.js';
import { guest_pages } from '../../kernel/oom_kill.js';
import { describeEachEngine } from '../helpers/engines.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { runGuest } from '../helpers/run.js';

const PROG = 'fixtures/proc-limits/proc-limits';
const MiB = 256; // pages

describeEachEngine('kernel limits', (engine) => {
  async function run(args: string[], setup: (k: Kernel) => void): Promise<{ out: string; status: number | null; log: string[]; k: Kernel }> {
    let kernel: Kernel | null = null;
    const r = await runGuest({ engine, prog: PROG, cwd: REPO_ROOT, argv: [PROG, ...args], setup: (k) => { kernel = k; setup(k); } });
    return { out: r.stdout.toString(), status: r.status, log: r.kernelLog, k: kernel! };
  }

  it('fork gives EAGAIN once the task limit is reached (kernel/fork.c: nr_threads >= max_threads)', async () => {
    const r = await run(['fork', '20'], (k) => { k.maxTasks = 8; });
    expect(r.out).to.equal('forked 7 of 20, then: Resource temporarily unavailable\nreaped 7\n');
    expect(r.status).to.equal(0);
  });

  it('pthread_create gets EAGAIN at the same limit (threads count as tasks)', async () => {
    const r = await run(['threads', '20'], (k) => { k.maxTasks = 5; });
    expect(r.out).to.equal('created 4 of 20 threads, then: Resource temporarily unavailable\n');
  });

  it('the OOM killer sends SIGKILL to a process that grows past the memory limit', async () => {
    const r = await run(['grow', '512'], (k) => { k.memoryLimitPages = 64 * MiB; });
    expect(r.status, 'status').to.equal(128 + 9);
    expect(r.out).to.equal('');
    expect(r.log.some((l) => l.startsWith('Out of memory: Killed process')), r.log.join('\n')).to.equal(true);
    expect(r.k.tasks.size, 'tasks left').to.equal(0);
    expect(guest_pages(r.k), 'pages left').to.equal(0);
  });

  it('the OOM killer picks the biggest process: the child that grows dies, its parent lives on', async () => {
    const r = await run(['hog-child', '512'], (k) => { k.memoryLimitPages = 64 * MiB; });
    expect(r.out).to.equal('the child was killed by signal 9\nthe parent lives on\n');
    expect(r.status).to.equal(0);
  });

  it('under the limit nothing is killed', async () => {
    const r = await run(['grow', '16'], (k) => { k.memoryLimitPages = 64 * MiB; });
    expect(r.out).to.equal('allocated 16 MiB\n');
    expect(r.log).to.deep.equal([]);
  });

  it('a program whose children crash, are killed and exit leaves no task and no page behind', async () => {
    let kernel: Kernel | null = null;
    const prog = 'fixtures/proc-fork/proc-fork';
    const r = await runGuest({ engine, prog, cwd: REPO_ROOT, argv: [prog], setup: (k) => { kernel = k; } });
    expect(r.status).to.equal(0);
    const k = kernel! as Kernel;
    expect(k.tasks.size, 'tasks').to.equal(0);
    expect(guest_pages(k), 'pages').to.equal(0);
  });
});

describe('kemu run --timeout', () => {
  it('kills the guest with SIGKILL after the time given: status 137, as timeout -s KILL', function () {
    this.timeout(30000);
    const kemu = path.join(REPO_ROOT, 'dist/cli/kemu.js');
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [kemu, 'run', '--engine', 'interp', '--timeout', '0.5', PROG, 'sleep'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(137);
    expect(Date.now() - t0, 'elapsed ms').to.be.below(15000);
  });

  it('refuses a timeout that is not a positive number', () => {
    const kemu = path.join(REPO_ROOT, 'dist/cli/kemu.js');
    const r = spawnSync(process.execPath, [kemu, 'run', '--timeout', 'soon', PROG, 'sleep'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(r.status).to.equal(2);
    expect(r.stderr).to.contain('--timeout needs a positive number');
  });
});

describe('kemu run with stdin on a host pipe', () => {
  it('reads what arrives late without blocking (the task sleeps until the bytes come)', function () {
    this.timeout(30000);
    const kemu = path.join(REPO_ROOT, 'dist/cli/kemu.js');
    const r = spawnSync('sh', ['-c', `(sleep 0.3; printf 'late bytes') | "${process.execPath}" "${kemu}" run --engine interp fixtures/musl-stdin/musl-stdin`],
      { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.equal('stdin: 10 bytes\nLATE BYTES-- end\n');
  });
});
