/**
 * The 4.18 profile has only 4.18's system calls: those merged later are
 * ENOSYS there, as sys_ni_syscall was, even where kemu implements them for
 * 6.18. fixtures/sys-new calls each once; its 6.18 run is compared with
 * this machine's Linux by the fixture suite, and here its 4.18 run with
 * the same native output, every newer call turned into ENOSYS.
 */

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROFILE_4_18 } from '../../kernel/profile.js';
import { describeEachEngine } from '../helpers/engines.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { runGuest } from '../helpers/run.js';

const PROG = 'fixtures/sys-new/sys-new';
/** What each line names, and the Linux release that merged it (from Linux's git history). */
const SINCE: Record<string, [number, number]> = {
  'execveat (3.19)': [3, 19], 'statx (4.11)': [4, 11], 'rseq (4.18)': [4, 18],
  'clone3 (5.3)': [5, 3], 'openat2 (5.6)': [5, 6], 'faccessat2 (5.8)': [5, 8], 'close_range (5.9)': [5, 9], 'fchmodat2 (6.6)': [6, 6],
};
const newerThan418 = ([a, b]: [number, number]): boolean => a > 4 || (a === 4 && b > 18);

describeEachEngine('the 4.18 profile: system calls newer than 4.18 are ENOSYS', (engine) => {
  it('answers ENOSYS for clone3, openat2, faccessat2, close_range, fchmodat2 and as Linux for the older ones', async () => {
    const native = fs.readFileSync(path.join(REPO_ROOT, 'fixtures/expected/sys-new.stdout'), 'latin1');
    const want = native.split('\n').map((line) => {
      const name = line.slice(0, line.lastIndexOf(':'));
      if (!line) return line;
      expect(SINCE[name], `a version for ${name}`).to.not.equal(undefined);
      return newerThan418(SINCE[name]!) ? `${name}: ENOSYS` : line;
    }).join('\n');
    const r = await runGuest({ engine, prog: PROG, cwd: REPO_ROOT, argv: [PROG], profile: PROFILE_4_18 });
    expect(r.stdout.toString('latin1')).to.equal(want);
    expect(r.status).to.equal(0);
    expect(r.kernelLog, 'nothing reported: an absent call is not an unimplemented one').to.deep.equal([]);
  });
});
