/**
 * Wait queues, the siginfo layout, and signals sent by host code. The
 * guest-visible behaviour of signals against real Linux is the
 * proc-signal and proc-fork fixtures; this file pins the pieces host code
 * and the rest of the kernel build on.
 */

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLD_KILLED, SEGV_MAPERR, SIGCHLD, SIGKILL, SIGSEGV, SIGTERM } from '../../abi/signal.js';
import { kernel_execve } from '../../binfmt/exec.js';
import { bootKernel, installFile, toGuest } from '../../cli/boot.js';
import { ESRCH } from '../../abi/errno.js';
import { kill_all_tasks } from '../../kernel/exit.js';
import { HostStreamFile } from '../../kernel/fs/hoststream.js';
import { kill_pid } from '../../kernel/signal_deliver.js';
import { encode_siginfo } from '../../kernel/signal_frame.js';
import { PROFILE_6_18 } from '../../kernel/profile.js';
import { wait_event_host, WaitQueueHead } from '../../kernel/wait.js';
import { describeEachEngine } from '../helpers/engines.js';
import { REPO_ROOT } from '../helpers/paths.js';

describe('kernel/wait: wait queues', () => {
  it('wakes every waiter of a queue once, and they leave it', async () => {
    const q = new WaitQueueHead();
    const a = wait_event_host([q]);
    const b = wait_event_host([q]);
    expect(q.active).to.equal(true);
    q.wake_up();
    expect(await a).to.equal(true);
    expect(await b).to.equal(true);
    expect(q.active, 'waiters left').to.equal(false);
  });

  it('resolves false at the timeout and leaves every queue it waited on', async () => {
    const q1 = new WaitQueueHead();
    const q2 = new WaitQueueHead();
    expect(await wait_event_host([q1, q2], 10)).to.equal(false);
    expect(q1.active || q2.active).to.equal(false);
  });
});

describe('kernel/signal_frame: struct siginfo as the guest reads it', () => {
  it('puts si_signo, si_errno, si_code at 0, 4, 8 and a fault address at 16', () => {
    const b = encode_siginfo({ signo: SIGSEGV, errno: 0, code: SEGV_MAPERR, addr: 0x1234n });
    const v = new DataView(b.buffer);
    expect(b.length).to.equal(128);
    expect([v.getInt32(0, true), v.getInt32(4, true), v.getInt32(8, true)]).to.deep.equal([SIGSEGV, 0, SEGV_MAPERR]);
    expect(v.getBigUint64(16, true)).to.equal(0x1234n);
  });

  it('lays SIGCHLD out as si_pid 16, si_uid 20, si_status 24, si_utime 32, si_stime 40', () => {
    const b = encode_siginfo({ signo: SIGCHLD, errno: 0, code: CLD_KILLED, pid: 42, uid: 7, status: 9, utime: 3, stime: 4 });
    const v = new DataView(b.buffer);
    expect([v.getInt32(16, true), v.getUint32(20, true), v.getInt32(24, true)]).to.deep.equal([42, 7, 9]);
    expect([v.getBigInt64(32, true), v.getBigInt64(40, true)]).to.deep.equal([3n, 4n]);
  });
});

describeEachEngine('kernel/signal: host code kills a guest', (engine) => {
  function start(args: string[]): { k: ReturnType<typeof bootKernel>; pid: number; exited: Promise<{ code: number; signal: number }> } {
    const k = bootKernel({ engine, profile: PROFILE_6_18 });
    const host = path.join(REPO_ROOT, 'fixtures/proc-limits/proc-limits');
    installFile(k, toGuest(host), fs.readFileSync(host), 0o755);
    const t = k.createTask();
    for (let fd = 0; fd < 3; fd++) t.files.install(new HostStreamFile(k.rootSb, fd, { sink: () => {}, source: new Uint8Array(0) }));
    expect(kernel_execve(k, t, toGuest(host), [host, ...args].map((s) => Buffer.from(s)), [])).to.equal(0);
    k.wake_up_new_task(t);
    return { k, pid: t.pid, exited: k.waitForExit(t) };
  }

  it('kill_pid(SIGTERM) ends a sleeping guest as kill(1) would', async () => {
    const { k, pid, exited } = start(['sleep']);
    await new Promise((r) => setTimeout(r, 50));
    expect(kill_pid(k, pid, SIGTERM)).to.equal(0);
    expect(await exited).to.deep.include({ signal: SIGTERM });
    expect(k.tasks.size).to.equal(0);
  });

  it('kill_pid(SIGKILL) ends a process with children; the orphans go with kill_all_tasks', async () => {
    const { k, pid, exited } = start(['family', '5']);
    // Wait for the forks themselves, not for a fixed time: under load five
    // forks can take longer than any fixed delay.
    for (let waited = 0; k.tasks.size < 6; waited += 10) {
      expect(waited, 'the parent forks its 5 children').to.be.below(30_000);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(kill_pid(k, pid, SIGKILL)).to.equal(0);
    expect(await exited).to.deep.include({ signal: SIGKILL });
    expect(kill_pid(k, 99999, SIGKILL), 'no such pid').to.equal(-ESRCH);
    expect(k.tasks.size, 'the orphaned children live on').to.equal(5);
    await kill_all_tasks(k);
    expect(k.tasks.size).to.equal(0);
  });
});
