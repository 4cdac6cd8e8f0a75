/**
 * docs/examples/umh-hello.mjs, the example docs/umh.md walks through, runs
 * and prints what the document says it prints (so the document stays true).
 */

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ENGINES } from '../helpers/engines.js';
import { REPO_ROOT } from '../helpers/paths.js';

const EXAMPLE = path.join(REPO_ROOT, 'docs/examples/umh-hello.mjs');

const EXPECTED = `insmod: 0
helper pid 1
Module                  Size  Used by
hello_umh              22016  0
health check: 0
get 64, len 8: 0x4000008
unknown cmd 99: -92
rmmod: 0
tasks 0, files 0, pages 0 left
`;

describe('docs/examples/umh-hello.mjs', () => {
  for (const slot of ENGINES) {
    it(`prints what docs/umh.md shows [${slot.name}]`, function () {
      if (!slot.engine) this.skip();
      const r = spawnSync(process.execPath, [EXAMPLE, slot.name], { encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr).to.equal('');
      expect(r.stdout).to.equal(EXPECTED);
      expect(r.status).to.equal(0);
    });
  }
});
