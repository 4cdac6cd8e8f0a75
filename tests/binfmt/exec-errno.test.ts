/**
 * The execve/execveat errors a guest can provoke (reference 1.8), from a
 * guest program (fixtures/exec-conf) run natively and under kemu over the
 * same files, compared line for line; its last exec succeeds.
 */

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROFILE_4_18, PROFILE_6_18 } from '../../kernel/profile.js';
import { describeEachEngine } from '../helpers/engines.js';
import { mirrorDir } from '../helpers/mirror.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { runGuest } from '../helpers/run.js';

const prog = path.join(REPO_ROOT, 'fixtures/exec-conf/exec-conf');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-execconf-'));
const hello = fs.readFileSync(path.join(REPO_ROOT, 'fixtures/asm-hello/asm-hello'));
fs.writeFileSync(path.join(dir, 'garbage'), 'garbage bytes\n', { mode: 0o755 });
fs.writeFileSync(path.join(dir, 'not-executable'), hello, { mode: 0o644 });
fs.mkdirSync(path.join(dir, 'a-dir'));
fs.writeFileSync(path.join(dir, 'empty'), '', { mode: 0o755 });
fs.symlinkSync('loop-b', path.join(dir, 'loop-a'));
fs.symlinkSync('loop-a', path.join(dir, 'loop-b'));
fs.symlinkSync('no-such-target', path.join(dir, 'dangling'));
fs.symlinkSync('garbage', path.join(dir, 'link-to-garbage'));
fs.writeFileSync(path.join(dir, 'busy'), hello, { mode: 0o755 });
fs.writeFileSync(path.join(dir, 'script-missing-interp'), '#!/no/such/interp\n', { mode: 0o755 });
fs.writeFileSync(path.join(dir, 'script-empty'), '#!\n', { mode: 0o755 });
fs.writeFileSync(path.join(dir, 'ok'), hello, { mode: 0o755 });

const native = spawnSync(prog, [dir], { encoding: 'latin1', env: {} });

describeEachEngine('execve errors a guest can provoke match Linux', (engine) => {
  it('every case prints the same errno, and the last exec runs', async () => {
    expect(native.status, 'native run').to.equal(0);
    const r = await runGuest({ engine, prog, argv: [prog, dir], profile: PROFILE_6_18, setup: (k) => mirrorDir(k, dir) });
    const got = r.stdout.toString('latin1').split('\n');
    const want = native.stdout.split('\n');
    expect(got).to.deep.equal(want);
    expect(r.status).to.equal(native.status);
  });

  it('under 4.18, AT_EXECVE_CHECK (6.14) is an unknown flag: EINVAL, every other case as Linux', async () => {
    const r = await runGuest({ engine, prog, argv: [prog, dir], profile: PROFILE_4_18, setup: (k) => mirrorDir(k, dir) });
    const want = native.stdout.split('\n').map((l) => l.startsWith('AT_EXECVE_CHECK') ? `${l.slice(0, l.lastIndexOf(':'))}: EINVAL` : l);
    expect(want.filter((l) => l.startsWith('AT_EXECVE_CHECK')).length).to.equal(4);
    expect(r.stdout.toString('latin1').split('\n')).to.deep.equal(want);
  });
});
