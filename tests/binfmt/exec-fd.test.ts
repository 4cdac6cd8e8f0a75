/**
 * exec through descriptors (a memfd, an unlinked file, a script through
 * /dev/fd/N and through a close-on-exec fd) and the argument-size rule,
 * from fixtures/exec-fd run natively and under kemu over the same files.
 */

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROFILE_6_18 } from '../../kernel/profile.js';
import { describeEachEngine } from '../helpers/engines.js';
import { mirrorDir } from '../helpers/mirror.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { runGuest } from '../helpers/run.js';

const prog = path.join(REPO_ROOT, 'fixtures/exec-fd/exec-fd');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-execfd-'));
fs.copyFileSync(path.join(REPO_ROOT, 'fixtures/asm-hello/asm-hello'), path.join(dir, 'ok'));
fs.copyFileSync(path.join(REPO_ROOT, 'fixtures/asm-argv/asm-argv'), path.join(dir, 'argv'));
fs.writeFileSync(path.join(dir, 'script'), `#!${dir}/argv\n`, { mode: 0o755 });
for (const f of ['ok', 'argv']) fs.chmodSync(path.join(dir, f), 0o755);

describeEachEngine('exec through descriptors matches Linux', (engine) => {
  it('memfd, unlinked file, /dev/fd/N scripts, close-on-exec ENOENT, and E2BIG past 2 MiB of arguments', async function () {
    this.timeout(120_000);
    const native = spawnSync(prog, [dir], { encoding: 'latin1', env: {} });
    expect(native.status, 'native run').to.equal(0);
    const r = await runGuest({ engine, prog, argv: [prog, dir], profile: PROFILE_6_18, setup: (k) => mirrorDir(k, dir) });
    expect(r.stdout.toString('latin1').split('\n')).to.deep.equal(native.stdout.split('\n'));
    expect(r.status).to.equal(native.status);
  });
});
