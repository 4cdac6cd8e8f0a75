/**
 * What survives an exec (descriptors, signal dispositions, mask, pending
 * signals, comm, /proc/self/exe, AT_EXECFN), printed by fixtures/exec-state
 * before and after an execve and an execveat(fd, "", AT_EMPTY_PATH), natively
 * and under kemu's 6.18 profile; and the 4.18 profile's comm "5" for the
 * AT_EMPTY_PATH exec.
 */

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { PROFILE_4_18, PROFILE_6_18 } from '../../kernel/profile.js';
import { describeEachEngine } from '../helpers/engines.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { runGuest } from '../helpers/run.js';

const prog = path.join(REPO_ROOT, 'fixtures/exec-state/exec-state');

describeEachEngine('exec keeps and drops what Linux does', (engine) => {
  it('prints the same state as Linux 6.18 before and after each exec', async () => {
    const native = spawnSync(prog, [], { encoding: 'latin1', env: {} });
    const r = await runGuest({ engine, prog, argv: [prog], profile: PROFILE_6_18 });
    expect(r.stdout.toString('latin1').split('\n')).to.deep.equal(native.stdout.split('\n'));
    expect(r.status).to.equal(native.status);
  });

  it('names the task after the fd for execveat(fd, "", AT_EMPTY_PATH) under 4.18', async () => {
    const r = await runGuest({ engine, prog, argv: [prog], profile: PROFILE_4_18 });
    const after = r.stdout.toString('latin1').split('[after execveat')[1] ?? '';
    expect(after).to.contain('\ncomm: 5\n');
  });
});
