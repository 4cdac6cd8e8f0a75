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
import type { Engine } from '../emulator/engine.js';

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

function runCase(engine: Engine, c: Case): ReturnType<typeof runGuest> {
  const prog = `fixtures/${c.prog}`;
  return runGuest({
    engine,
    prog,
    cwd: root,
    argv: [prog, ...(c.args ?? [])],
    env: Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v}`),
    stdin: Buffer.from(c.stdin ?? '', 'utf8'),
  });
}

/**
 * Cases where an engine is known to differ from the real CPU, with the
 * reason: there the test asserts that the output still differs (so it
 * fails, and this entry goes, once the engine is fixed). Each one has its
 * native probe in tests/emulator/lockstep-native.test.ts.
 */
const KNOWN_DEVIATIONS: Record<string, Record<string, string>> = {
  unicorn: {
    'cpu-fpround-ftz': 'Unicorn 2.0 ignores MXCSR.FTZ (a tiny result stays denormal) and sets none of MXCSR\'s sticky exception flags '
      + '(lockstep exceptions sse-ftz and sse-exception-flags)',
    'cpu-trap-icebp': 'Unicorn 2.0 raises #UD for int1/icebp (F1): SIGILL where Linux gives SIGTRAP with TRAP_BRKPT (lockstep exception unicorn-icebp-ud)',
  },
};

describeEachEngine('fixtures: kemu matches native Linux', (engine, engineName) => {
  for (const c of cases) {
    const deviation = KNOWN_DEVIATIONS[engineName]?.[c.name];
    if (deviation) {
      it(`${c.name}: differs from Linux as known (${deviation})`, async () => {
        const run = await runCase(engine, c);
        expect(run.stdout.toString('latin1'), 'stdout').to.not.equal(expected(c.name).stdout.toString('latin1'));
      });
      continue;
    }
    it(`${c.name}: same stdout and status as Linux`, async () => {
      const run = await runCase(engine, c);
      const want = expected(c.name);
      expect(run.execErrno, 'exec errno').to.equal(null);
      expect(run.stdout.toString('latin1'), 'stdout').to.equal(want.stdout.toString('latin1'));
      expect(run.status, 'status').to.equal(want.status);
      expect(run.kernelLog, 'kernel reports').to.deep.equal([]);
    });
  }
});
