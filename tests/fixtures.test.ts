/**
 * Every fixture case under every engine, compared with what real Linux
 * printed and returned for the same argv, env and stdin (captured natively
 * by fixtures/capture.sh into fixtures/expected/).
 */

import { expect } from 'chai';
import { REPO_ROOT } from './helpers/paths.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeEachEngine } from './helpers/engines.js';
import { runGuest } from './helpers/run.js';

interface Case {
  name: string;
  prog: string;
  args?: string[];
  env?: Record<string, string>;
  stdin?: string;
}

const root = REPO_ROOT;
const fixtures = path.join(root, 'fixtures');
const cases = JSON.parse(fs.readFileSync(path.join(fixtures, 'manifest.json'), 'utf8')) as Case[];

function expected(name: string): { stdout: Buffer; status: number } {
  return {
    stdout: fs.readFileSync(path.join(fixtures, 'expected', `${name}.stdout`)),
    status: Number(fs.readFileSync(path.join(fixtures, 'expected', `${name}.status`), 'utf8').trim()),
  };
}

describeEachEngine('fixtures: kemu matches native Linux', (engine) => {
  for (const c of cases) {
    it(`${c.name}: same stdout and status as Linux`, async () => {
      const prog = `fixtures/${c.prog}`;
      const run = await runGuest({
        engine,
        prog,
        cwd: root,
        argv: [prog, ...(c.args ?? [])],
        env: Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v}`),
        stdin: Buffer.from(c.stdin ?? '', 'utf8'),
      });
      const want = expected(c.name);
      expect(run.execErrno, 'exec errno').to.equal(null);
      expect(run.stdout.toString('latin1'), 'stdout').to.equal(want.stdout.toString('latin1'));
      expect(run.status, 'status').to.equal(want.status);
      expect(run.kernelLog, 'kernel reports').to.deep.equal([]);
    });
  }
});
