/**
 * binfmt_script (`#!`) under kemu's 6.18 profile, compared with what this
 * machine's Linux does with the same files: the argv the interpreter gets,
 * or the errno execve returns. The interpreter is fixtures/asm-argv, which
 * prints its argv one string per line.
 */

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { errnoName } from '../../abi/errno.js';
import { installFile } from '../../cli/boot.js';
import { PROFILE_6_18 } from '../../kernel/profile.js';
import { describeEachEngine } from '../helpers/engines.js';
import { nativeExecFull } from '../helpers/native.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { runGuest } from '../helpers/run.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-script-'));
const interp = path.join(dir, 'argv');
fs.copyFileSync(path.join(REPO_ROOT, 'fixtures/asm-argv/asm-argv'), interp);
fs.chmodSync(interp, 0o755);
fs.mkdirSync(path.join(dir, 'a-dir'));
const long = path.join(dir, 'x'.repeat(300));

/** [name, file contents]; every file is mode 0755 in `dir`. */
const SCRIPTS: Array<[string, string]> = [
  ['plain', `#!${interp}\n`],
  ['one-argument', `#!${interp} -x\n`],
  ['argument-with-spaces', `#!  ${interp}   one  two  \n`],
  ['tabs-separate', `#!\t${interp}\targ\tmore\t\n`],
  ['no-newline', `#!${interp} end-of-file`],
  ['nul-ends-the-line', `#!${interp} ab\0cd\n`],
  ['crlf', `#!${interp}\r\n`],
  ['empty-interpreter', '#!\n'],
  ['blank-interpreter', '#!   \t \n'],
  ['missing-interpreter', `#!${dir}/no-such\n`],
  ['directory-interpreter', `#!${dir}/a-dir\n`],
  ['cut-interpreter-path', `#!${long}\n`],
  ['not-a-script', '#? nothing\n'],
  ['nested-1', `#!${interp} n1\n`],
  ['nested-2', `#!${dir}/nested-1 n2\n`],
  ['nested-3', `#!${dir}/nested-2\n`],
  ['nested-4', `#!${dir}/nested-3\n`],
  ['nested-5', `#!${dir}/nested-4\n`],
  ['nested-6', `#!${dir}/nested-5\n`],
  ['self', `#!${dir}/self\n`],
];
for (const [name, text] of SCRIPTS) fs.writeFileSync(path.join(dir, name), Buffer.from(text, 'latin1'), { mode: 0o755 });

function mirror(k: Parameters<typeof installFile>[0]): void {
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    if (fs.statSync(p).isFile()) installFile(k, p, fs.readFileSync(p), fs.statSync(p).mode & 0o7777);
  }
  // a directory where a-dir is
  installFile(k, path.join(dir, 'a-dir', '.keep'), new Uint8Array(0), 0o644);
}

describeEachEngine('binfmt_script (6.18 profile) does what Linux does', (engine) => {
  for (const [name] of SCRIPTS) {
    it(`${name}`, async function () {
      const script = path.join(dir, name);
      const argv = [script, 'first', 'second'];
      const want = nativeExecFull(script, argv);
      if (!want) { console.log('      skipped: python3 is needed for the native side'); this.skip(); }
      const r = await runGuest({ engine, prog: script, argv, profile: PROFILE_6_18, setup: mirror });
      const outcome = r.execErrno !== null ? `errno ${r.execErrno}` : r.status! > 128 ? `signal ${r.status! - 128}` : `exit ${r.status}`;
      const label = (s: string): string => (s.startsWith('errno') ? `${s} (${errnoName(Number(s.slice(6)))})` : s);
      expect(label(outcome), 'outcome').to.equal(label(want!.outcome));
      expect(r.stdout.toString('latin1'), 'the argv the interpreter got').to.equal(want!.stdout);
    });
  }
});
