/**
 * The seed: "Since umh can crash, can be oom-ed by the kernel, killed by
 * the admin, the kernel module that uses them (like bpfilter) needs to
 * manage life time of umh on its own via two unix pipes and the pid of
 * umh." Each way a helper can die, noticed by its module through EOF or
 * EPIPE, with the kernel alive after; and rmmod with a request in flight.
 */

import { expect } from 'chai';
import { ECHILD, EFAULT, ENOENT, ENOPROTOOPT, EPIPE, ESRCH } from '../../abi/errno.js';
import { SIGKILL } from '../../abi/signal.js';
import { spawnHostProgram } from '../../cli/boot.js';
import type { Kernel } from '../../kernel/kernel.js';
import { PROFILE_4_18, PROFILE_6_18 } from '../../kernel/profile.js';
import { bpfilter_module, bpfilter_ops } from '../../umh/bpfilter/bpfilter_kern.js';
import { UMH_DEBUG } from '../../umh/bpfilter/msgfmt.js';
import { bpfilter_mbox_request } from '../../umh/bpfilter/sockopt.js';
import { kernel_write, kill_pid, wait_for_exit } from '../../umh/kernel_io.js';
import { insmod, rmmod } from '../../umh/module.js';
import { fork_usermode_blob, new_umh_info } from '../../umh/umh.js';
import { describeEachEngine } from '../helpers/engines.js';
import { BLOB, bootUmh, KILL_PATH, killAll, req, transact } from './helpers.js';

/** Run the admin's kill(1) as a guest task; resolves with its shell status and output. */
async function guestKill(k: Kernel, pid: number): Promise<{ status: number; out: string }> {
  const out: Buffer[] = [];
  const r = spawnHostProgram(k, {
    prog: KILL_PATH, argv: [KILL_PATH, String(pid), String(SIGKILL)], env: [],
    stdio: { stdin: { source: new Uint8Array(0) }, stdout: { sink: (b) => out.push(Buffer.from(b)) }, stderr: { sink: () => {} } },
  });
  if ('errno' in r) throw new Error(`umh-kill did not start: errno ${r.errno}`);
  k.wake_up_new_task(r.task); // the scheduler may be idle, waiting on the helper: wake it for the new task
  const st = await k.waitForExit(r.task);
  return { status: st.signal ? 128 + st.signal : st.code, out: Buffer.concat(out).toString() };
}

describeEachEngine('a helper\'s death, as its module sees it', (engine) => {
  it('killed by the admin from another guest task: the module gets EPIPE writing its next request', async () => {
    const k = bootUmh(engine, PROFILE_4_18);
    const info = new_umh_info();
    fork_usermode_blob(k, BLOB, BLOB.length, info);
    const t = k.find_task_by_vpid(info.pid)!;
    expect(await transact(k, info, req(0))).to.equal(0);
    expect(await guestKill(k, info.pid), 'kill(pid, SIGKILL) from the guest').to.deep.equal({ status: 0, out: '' });
    expect((await wait_for_exit(k, t))?.signal, 'the helper died of').to.equal(SIGKILL);
    expect(await kernel_write(k, info.pipe_to_umh!, new Uint8Array(24)), 'next request').to.equal(-EPIPE);
    expect(k.tasks.size, 'nothing left running').to.equal(0);
  });

  it('killed from host code (kill_pid): the module waiting for a reply gets EOF', async () => {
    const k = bootUmh(engine, PROFILE_4_18);
    const info = new_umh_info();
    fork_usermode_blob(k, BLOB, BLOB.length, info);
    const pending = transact(k, info, req(UMH_DEBUG.SPIN, { len: 1000 })); // a long request
    expect(kill_pid(k, info.pid, SIGKILL), 'kill_pid').to.equal(0);
    expect(await pending, 'the reply that never comes').to.deep.equal({ short: 0 });
    expect(kill_pid(k, info.pid, SIGKILL), 'the pid is gone (autoreaped)').to.equal(-ESRCH);
  });

  for (const profile of [PROFILE_4_18, PROFILE_6_18]) {
    it(`${profile.name}: the bpfilter module after an admin kill (${profile.name === '4.18' ? 'ECHILD' : 'restart'})`, async () => {
      const k = bootUmh(engine, profile);
      await insmod(k, bpfilter_module(BLOB));
      const pid = bpfilter_ops(k).helper!.info.pid;
      const helper = k.find_task_by_vpid(pid)!;
      await guestKill(k, pid);
      // SIGKILL ends the helper when it next runs (as on Linux); the request below comes after that.
      await wait_for_exit(k, helper);
      if (profile.name === '4.18') {
        expect(await bpfilter_mbox_request(k, 64, 0n, 0, false), 'the request that finds it gone').to.equal(-EFAULT);
        expect(await bpfilter_mbox_request(k, 64, 0n, 0, false), 'later requests').to.equal(-ECHILD);
      } else {
        // 5.9+: thread_group_exited() is seen first; the request goes to a new helper.
        expect(await bpfilter_mbox_request(k, 0x7f03, 0n, 0, false), 'served by the new helper').to.equal(1);
        expect(bpfilter_ops(k).helper!.info.pid).to.not.equal(pid);
      }
      await rmmod(k, 'bpfilter');
      await killAll(k);
    });

    it(`${profile.name}: rmmod with a request in flight waits for its reply, then kills the helper`, async () => {
      const k = bootUmh(engine, profile);
      await insmod(k, bpfilter_module(BLOB));
      const t = bpfilter_ops(k).helper!.task!;
      const order: string[] = [];
      const request = bpfilter_mbox_request(k, UMH_DEBUG.SPIN, 0n, 2, false).then((r) => { order.push('reply'); return r; });
      const removal = rmmod(k, 'bpfilter').then((r) => { order.push('rmmod'); return r; });
      expect(await request, 'the request in flight').to.equal(0);
      expect(await removal, 'rmmod').to.equal(0);
      expect(order).to.deep.equal(['reply', 'rmmod']);
      expect((await wait_for_exit(k, t))?.signal, 'then killed').to.equal(SIGKILL);
      // With the module gone: 4.18 returns request_module's error (no modprobe here), 5.x -ENOPROTOOPT.
      expect(await bpfilter_mbox_request(k, 64, 0n, 0, false)).to.equal(profile.name === '4.18' ? -ENOENT : -ENOPROTOOPT);
      expect(k.tasks.size).to.equal(0);
    });
  }

  it('OOM-killed (kernel/oom_kill.ts past the guest memory limit): the module gets EOF', async function () {
    const k = bootUmh(engine, PROFILE_4_18);
    k.memoryLimitPages = 4096; // 16 MiB for all guests
    const info = new_umh_info();
    fork_usermode_blob(k, BLOB, BLOB.length, info);
    const t = k.find_task_by_vpid(info.pid)!;
    const r = await transact(k, info, req(UMH_DEBUG.ALLOC, { len: 64 })); // 64 MiB, every page touched
    if (typeof r === 'number') {
      // A kernel without the OOM killer let the helper have 64 MiB past a 16 MiB limit.
      await killAll(k);
      this.skip();
    }
    expect(r, 'EOF instead of a reply').to.deep.equal({ short: 0 });
    expect((await wait_for_exit(k, t))?.signal, 'the OOM killer\'s signal').to.equal(SIGKILL);
    expect(k.tasks.size, 'the kernel survives').to.equal(0);
  });
});
