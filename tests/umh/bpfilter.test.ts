/**
 * The bpfilter-style module (net/bpfilter/bpfilter_kern.c,
 * net/ipv4/bpfilter/sockopt.c) with the sample helper: loading with the
 * health check, the sockopt routing, 10,000 round trips, and what each
 * profile does once the helper is gone (4.18: -EFAULT, then -ECHILD for
 * good; 6.18: -EFAULT, then a new helper).
 */

import { expect } from 'chai';
import { ECHILD, EFAULT, ENOPROTOOPT } from '../../abi/errno.js';
import { PROFILE_4_18, PROFILE_6_18 } from '../../kernel/profile.js';
import { bpfilter_module, bpfilter_ops } from '../../umh/bpfilter/bpfilter_kern.js';
import { sample_known_reply, UMH_DEBUG } from '../../umh/bpfilter/msgfmt.js';
import { bpfilter_ip_get_sockopt, bpfilter_ip_set_sockopt, bpfilter_mbox_request } from '../../umh/bpfilter/sockopt.js';
import { wait_for_exit } from '../../umh/kernel_io.js';
import { insmod, lsmod, rmmod } from '../../umh/module.js';
import { describeEachEngine } from '../helpers/engines.js';
import { BLOB, bootUmh, killAll } from './helpers.js';

const debug = (k: Parameters<typeof bpfilter_mbox_request>[0], cmd: number, len = 0): Promise<number> =>
  bpfilter_mbox_request(k, cmd, 0n, len, false);

describeEachEngine('the bpfilter module', (engine) => {
  for (const profile of [PROFILE_4_18, PROFILE_6_18]) {
    describe(`under ${profile.name}`, () => {
      it('loads: the helper starts and passes the health check; lsmod lists it; rmmod kills it', async () => {
        const k = bootUmh(engine, profile);
        expect(await insmod(k, bpfilter_module(BLOB)), 'insmod').to.equal(0);
        expect(lsmod(k)).to.deep.equal([{ name: 'bpfilter', size: BLOB.length, refcnt: 0, state: 'Live' }]);
        const h = bpfilter_ops(k).helper!;
        expect(h.info.pid, 'helper pid').to.be.greaterThan(0);
        expect(k.find_task_by_vpid(h.info.pid)?.comm, 'comm').to.equal(profile.name === '4.18' ? 'none' : 'bpfilter_umh');
        const t = h.task!;
        expect(await rmmod(k, 'bpfilter'), 'rmmod').to.equal(0);
        expect((await wait_for_exit(k, t))?.signal, 'killed by').to.equal(9);
        expect(lsmod(k)).to.deep.equal([]);
      });

      it('routes IPv4 sockopts [64, 66) and [64, 68) to the helper and answers as it does', async () => {
        const k = bootUmh(engine, profile);
        await insmod(k, bpfilter_module(BLOB));
        const addr = 0x7ffd_1234_5678n;
        for (const cmd of [64, 65]) {
          expect(await bpfilter_ip_set_sockopt(k, cmd, addr, 100, 42), `set ${cmd}`)
            .to.equal(sample_known_reply({ addr, len: 100, is_set: 1, cmd, pid: 42 }));
        }
        for (const cmd of [64, 65, 66, 67]) {
          expect(await bpfilter_ip_get_sockopt(k, cmd, addr, 8, 42), `get ${cmd}`)
            .to.equal(sample_known_reply({ addr, len: 8, is_set: 0, cmd, pid: 42 }));
        }
        expect(await bpfilter_ip_set_sockopt(k, 66, addr, 1), 'set 66: not bpfilter\'s').to.equal(-ENOPROTOOPT);
        expect(await bpfilter_mbox_request(k, 66, addr, 1, true), 'set 66 given to the helper').to.equal(-ENOPROTOOPT);
        expect(await bpfilter_mbox_request(k, 99, 0n, 0, false), 'an unknown get').to.equal(-ENOPROTOOPT);
        await rmmod(k, 'bpfilter');
        await killAll(k);
      });

      it('answers 10,000 request/reply round trips in order', async function () {
        this.timeout(300_000);
        const k = bootUmh(engine, profile, { sliceMs: Infinity });
        await insmod(k, bpfilter_module(BLOB));
        const pid = bpfilter_ops(k).helper!.info.pid;
        let bad = 0;
        for (let i = 0; i < 10_000; i++) {
          const r = { addr: BigInt(i) * 0x1_0001n, len: i & 0xffff, is_set: i & 1, cmd: 64 + (i & 1), pid: i };
          const got = await bpfilter_mbox_request(k, r.cmd, r.addr, r.len, r.is_set === 1, r.pid);
          if (got !== sample_known_reply(r)) bad++;
        }
        expect(bad, 'wrong replies').to.equal(0);
        expect(await debug(k, UMH_DEBUG.COUNT), 'requests the helper answered (health check included)').to.equal(10_001);
        expect(bpfilter_ops(k).helper!.info.pid, 'the same helper throughout').to.equal(pid);
        await rmmod(k, 'bpfilter');
        await killAll(k);
      });

      it(profile.name === '4.18'
        ? 'after the helper crashes: -EFAULT for the request in flight, then -ECHILD until reloaded'
        : 'after the helper crashes: -EFAULT for the request in flight, then a new helper answers', async () => {
        const k = bootUmh(engine, profile);
        await insmod(k, bpfilter_module(BLOB));
        const first = bpfilter_ops(k).helper!.task!;
        expect(await debug(k, UMH_DEBUG.COUNT), 'served so far').to.equal(1);
        expect(await debug(k, UMH_DEBUG.SEGV), 'the request in flight').to.equal(-EFAULT);
        expect((await wait_for_exit(k, first))?.signal, 'the helper died of').to.equal(11);
        if (profile.name === '4.18') {
          expect(await bpfilter_ip_get_sockopt(k, 64, 0n, 0), 'next request').to.equal(-ECHILD);
          expect(await bpfilter_ip_get_sockopt(k, 64, 0n, 0), 'and the next').to.equal(-ECHILD);
          expect(bpfilter_ops(k).helper!.running, 'no helper').to.equal(false);
        } else {
          expect(await debug(k, UMH_DEBUG.COUNT), 'a new helper: health check only').to.equal(1);
          expect(bpfilter_ops(k).helper!.info.pid, 'new pid').to.not.equal(first.pid);
        }
        expect(await rmmod(k, 'bpfilter'), 'rmmod still works').to.equal(0);
        await killAll(k);
        expect(k.tasks.size).to.equal(0);
      });
    });
  }
});
