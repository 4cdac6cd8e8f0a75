/**
 * Exec-path programs run natively (at test time) and under kemu's 6.18
 * profile, compared: output and status.
 */

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROFILE_4_18, PROFILE_6_18 } from '../../kernel/profile.js';
import { describeEachEngine } from '../helpers/engines.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { runGuest } from '../helpers/run.js';

interface Case {
  label: string;
  rel: string;
  args: string[];
  /** Run natively with randomisation off (setarch -R: ADDR_NO_RANDOMIZE), as kemu always runs. */
  norandom?: boolean;
  /** The host's / as the guest's (`kemu run --root /`): the loader and libraries of a dynamic program. */
  hostRoot?: boolean;
}

const CASES: Case[] = [
  { label: 'a static-pie (ET_DYN without PT_INTERP) placed by mmap', rel: 'fixtures/pie/static-pie', args: [] },
  {
    label: 'a dynamic PIE (ET_DYN with PT_INTERP) at ELF_ET_DYN_BASE 0x555555554000: its addresses, AT_PHDR, AT_ENTRY and AT_BASE as under setarch -R',
    rel: 'fixtures/pie/pie-dyn', args: [], norandom: true, hostRoot: true,
  },
  {
    label: 'a dynamic PIE whose PT_LOADs ask for 2 MiB alignment: ELF_ET_DYN_BASE rounded down to it (5.10+ maximum_alignment)',
    rel: 'fixtures/pie/pie-dyn-2m', args: [], norandom: true, hostRoot: true,
  },
  {
    label: 'a static-pie whose PT_LOADs ask for 2 MiB alignment: mmap\'s choice rounded down to it',
    rel: 'fixtures/pie/static-pie-2m', args: [], norandom: true,
  },
];

describeEachEngine('exec-path programs match Linux', (engine) => {
  for (const c of CASES) {
    it(c.label, async function () {
      const prog = path.join(REPO_ROOT, c.rel);
      if (c.hostRoot && !fs.existsSync('/lib64/ld-linux-x86-64.so.2')) {
        console.log('      skipped: no /lib64/ld-linux-x86-64.so.2 on this host');
        this.skip();
      }
      const native = c.norandom
        ? spawnSync('setarch', ['-R', prog, ...c.args], { encoding: 'latin1', env: {} })
        : spawnSync(prog, c.args, { encoding: 'latin1', env: {} });
      expect(native.status, `native run: ${native.stderr}`).to.equal(0);
      const r = await runGuest({ engine, prog, argv: [prog, ...c.args], profile: PROFILE_6_18, ...(c.hostRoot ? { root: '/' } : {}) });
      expect(r.stdout.toString('latin1')).to.equal(native.stdout);
      expect(r.status).to.equal(native.status);
    });
  }
});

describeEachEngine('exec-path programs under the 4.18 profile', (engine) => {
  it('ignores p_align as 4.18 did: the 2 MiB-aligned PIE goes at 0x555555554000 like any other', async function () {
    if (!fs.existsSync('/lib64/ld-linux-x86-64.so.2')) {
      console.log('      skipped: no /lib64/ld-linux-x86-64.so.2 on this host');
      this.skip();
    }
    const prog = path.join(REPO_ROOT, 'fixtures/pie/pie-dyn-2m');
    const r = await runGuest({ engine, prog, argv: [prog], profile: PROFILE_4_18, root: '/' });
    expect(r.stdout.toString('latin1')).to.contain('load base (AT_PHDR - e_phoff): 0x555555554000\n');
    expect(r.status).to.equal(0);
  });
});
