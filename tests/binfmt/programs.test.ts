/**
 * Exec-path programs run natively (at test time) and under kemu's 6.18
 * profile, compared: output and status.
 */

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { PROFILE_6_18 } from '../../kernel/profile.js';
import { describeEachEngine } from '../helpers/engines.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { runGuest } from '../helpers/run.js';

const CASES: Array<[string, string, string[]]> = [
  ['a static-pie (ET_DYN without PT_INTERP) placed by mmap', 'fixtures/pie/static-pie', []],
];

describeEachEngine('exec-path programs match Linux', (engine) => {
  for (const [label, rel, args] of CASES) {
    it(label, async () => {
      const prog = path.join(REPO_ROOT, rel);
      const native = spawnSync(prog, args, { encoding: 'latin1', env: {} });
      const r = await runGuest({ engine, prog, argv: [prog, ...args], profile: PROFILE_6_18 });
      expect(r.stdout.toString('latin1')).to.equal(native.stdout);
      expect(r.status).to.equal(native.status);
    });
  }
});
