/**
 * Host code starting and ending guests while the scheduler is idle (every
 * task asleep): a task spawned then must run (Linux wake_up_new_task), and
 * kill_all_tasks must end sleepers and return.
 */

import { expect } from 'chai';
import { bootKernel, spawnHostProgram } from '../../cli/boot.js';
import { kill_all_tasks } from '../../kernel/exit.js';
import type { Kernel } from '../../kernel/kernel.js';
import { PROFILE_6_18 } from '../../kernel/profile.js';
import type { Task } from '../../kernel/task.js';
import { describeEachEngine } from '../helpers/engines.js';
import { REPO_ROOT } from '../helpers/paths.js';

const SLEEPER = 'fixtures/proc-limits/proc-limits'; // "sleep": pause() for ever
const EXIT = 'fixtures/musl-exit/musl-exit';

/** Resolves with `p`, or rejects after `ms` (a hang is a failure, not a stuck suite). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describeEachEngine('the scheduler when every task sleeps', (engine) => {
  function spawn(k: Kernel, prog: string, args: string[]): Task {
    const r = spawnHostProgram(k, { prog, argv: [prog, ...args], env: [], cwd: REPO_ROOT, stdio: { stdout: { sink: () => {} } } });
    if ('errno' in r) throw new Error(`exec ${prog}: errno ${r.errno}`);
    return r.task;
  }

  async function idleKernel(): Promise<{ k: Kernel; sleeper: Task }> {
    const k = bootKernel({ engine, profile: PROFILE_6_18 });
    const sleeper = spawn(k, SLEEPER, ['sleep']);
    void k.run();
    for (let i = 0; i < 200 && sleeper.state !== 'sleeping'; i++) await pause(10);
    expect(sleeper.state, 'the first task went to sleep').to.equal('sleeping');
    return { k, sleeper };
  }

  it('runs a task host code spawns while the scheduler idles (wake_up_new_task)', async function () {
    this.timeout(20000);
    const { k, sleeper } = await idleKernel();
    const t = spawn(k, EXIT, ['7']);
    const status = await within(k.waitForExit(t), 10000, 'waitForExit');
    expect(status.code).to.equal(7);
    expect(sleeper.state).to.equal('sleeping');
    await within(kill_all_tasks(k), 10000, 'kill_all_tasks');
  });

  it('kill_all_tasks ends a sleeping task and returns', async function () {
    this.timeout(20000);
    const { k, sleeper } = await idleKernel();
    await within(kill_all_tasks(k), 10000, 'kill_all_tasks');
    expect(sleeper.exitStatus).to.deep.equal({ code: 0, signal: 9, core: false });
    expect(k.tasks.size, 'tasks left').to.equal(0);
  });
});
