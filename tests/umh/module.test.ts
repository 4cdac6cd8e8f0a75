/**
 * Kernel modules (kernel/module.c, kernel/kmod.c): insmod, rmmod and lsmod
 * with Linux's errors, and 1,000 load/unload cycles of a module with a
 * helper that leave the kernel's tasks, open files and pages where they
 * started (rmmod kills the helper and puts its pipes: kfree after kmalloc).
 */

import { expect } from 'chai';
import { EBUSY, EEXIST, ENOENT, ENOEXEC, EWOULDBLOCK } from '../../abi/errno.js';
import { loadEngine } from '../../emulator/select.js';
import { bootKernel } from '../../cli/boot.js';
import type { Kernel } from '../../kernel/kernel.js';
import { PROFILE_4_18, PROFILE_6_18 } from '../../kernel/profile.js';
import { bpfilter_module } from '../../umh/bpfilter/bpfilter_kern.js';
import { kernel_counts } from '../../umh/counts.js';
import { wait_for_exit } from '../../umh/kernel_io.js';
import {
  depmod, format_lsmod, insmod, lsmod, module_put, request_module, rmmod, try_module_get, type KernelModule,
} from '../../umh/module.js';
import { describeEachEngine } from '../helpers/engines.js';
import { BLOB, bootUmh } from './helpers.js';

const plain = (name: string, log: string[], initRet = 0): KernelModule => ({
  name,
  init: () => { log.push(`init ${name}`); return initRet; },
  exit: () => { log.push(`exit ${name}`); },
});

describe('kernel modules: insmod, rmmod, lsmod', () => {
  let k: Kernel;
  before(async () => {
    k = bootKernel({ engine: await loadEngine('interp') }); // no guest code runs here
  });

  it('loads, lists most recent first, and unloads, running init and exit', async () => {
    const log: string[] = [];
    expect(await insmod(k, plain('a', log))).to.equal(0);
    expect(await insmod(k, { ...plain('b', log), blob: new Uint8Array(100) })).to.equal(0);
    expect(lsmod(k).map((m) => [m.name, m.size, m.state])).to.deep.equal([['b', 100, 'Live'], ['a', 0, 'Live']]);
    expect(format_lsmod(k)).to.equal('Module                  Size  Used by\nb                        100  0\na                          0  0\n');
    expect(await rmmod(k, 'a')).to.equal(0);
    expect(await rmmod(k, 'b')).to.equal(0);
    expect(log).to.deep.equal(['init a', 'init b', 'exit a', 'exit b']);
    expect(lsmod(k)).to.deep.equal([]);
  });

  it('gives EEXIST for a second load, ENOENT to unload what is not loaded, and unloads a failed init', async () => {
    const log: string[] = [];
    await insmod(k, plain('a', log));
    expect(await insmod(k, plain('a', log)), 'same name').to.equal(-EEXIST);
    expect(await rmmod(k, 'nosuch'), 'not loaded').to.equal(-ENOENT);
    expect(await insmod(k, plain('bad', log, -ENOEXEC)), 'init fails').to.equal(-ENOEXEC);
    expect(lsmod(k).map((m) => m.name), 'the failed module is gone').to.deep.equal(['a']);
    await rmmod(k, 'a');
  });

  it('refuses to unload a module that has no exit (EBUSY), is in use (EWOULDBLOCK) or is still loading (EBUSY)', async () => {
    expect(await insmod(k, { name: 'noexit', init: () => 0 })).to.equal(0);
    expect(await rmmod(k, 'noexit')).to.equal(-EBUSY);
    const log: string[] = [];
    await insmod(k, plain('used', log));
    expect(try_module_get(k, 'used')).to.equal(true);
    expect(await rmmod(k, 'used')).to.equal(-EWOULDBLOCK);
    module_put(k, 'used');
    expect(await rmmod(k, 'used')).to.equal(0);
    let release!: () => void;
    const slow = insmod(k, { name: 'slow', init: () => new Promise<number>((r) => { release = () => r(0); }), exit: () => {} });
    expect(lsmod(k).find((m) => m.name === 'slow')?.state).to.equal('Loading');
    expect(await rmmod(k, 'slow'), 'still in init').to.equal(-EBUSY);
    expect(await insmod(k, plain('slow', log)), 'being loaded').to.equal(-EEXIST);
    release();
    expect(await slow).to.equal(0);
    expect(await rmmod(k, 'slow')).to.equal(0);
  });

  it('request_module: 0 when loaded, loads what depmod made available, ENOENT otherwise', async () => {
    const log: string[] = [];
    expect(await request_module(k, 'later')).to.equal(-ENOENT);
    depmod(k, plain('later', log));
    expect(await request_module(k, 'later')).to.equal(0);
    expect(await request_module(k, 'later')).to.equal(0);
    expect(log).to.deep.equal(['init later']);
    await rmmod(k, 'later');
  });
});

describeEachEngine('1,000 insmod/rmmod cycles of a module with a helper', (engine) => {
  for (const profile of [PROFILE_4_18, PROFILE_6_18]) {
    it(`${profile.name}: tasks, open files and pages are back where they started`, async function () {
      this.timeout(600_000);
      const k = bootUmh(engine, profile, { sliceMs: Infinity });
      const before = kernel_counts(k);
      let failed = 0;
      for (let i = 0; i < 1000; i++) {
        if (await insmod(k, bpfilter_module(BLOB)) !== 0) failed++;
        if (await rmmod(k, 'bpfilter') !== 0) failed++;
      }
      expect(failed, 'failed insmod or rmmod').to.equal(0);
      // 4.18's rmmod does not wait for the SIGKILLed helper: let the last ones die.
      await Promise.all([...k.tasks.values()].map((t) => wait_for_exit(k, t)));
      expect(kernel_counts(k)).to.deep.equal(before);
    });
  }
});
