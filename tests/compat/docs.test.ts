/**
 * docs/compat.md lists every known difference from Linux with its cause
 * (tests/compat/known_failures.ts is the data; the page must keep up).
 */

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import { BUSYBOX_CASES } from './busybox_cases.js';
import { DYNAMIC_CASES } from './dynamic_cases.js';
import { BUSYBOX_KNOWN, DYNAMIC_KNOWN } from './known_failures.js';

describe('docs/compat.md', () => {
  const page = fs.readFileSync(path.join(REPO_ROOT, 'docs/compat.md'), 'utf8');

  it('names every known failure of both suites', () => {
    const missing = [...Object.keys(BUSYBOX_KNOWN), ...Object.keys(DYNAMIC_KNOWN)].filter((n) => !page.includes(`\`${n}\``));
    expect(missing, 'known failures the page does not name').to.deep.equal([]);
  });

  it('lists only cases that exist, and case names are unique', () => {
    for (const [cases, known] of [[BUSYBOX_CASES, BUSYBOX_KNOWN], [DYNAMIC_CASES, DYNAMIC_KNOWN]] as const) {
      const names = cases.map((c) => c.name);
      expect(new Set(names).size, 'unique names').to.equal(names.length);
      expect(Object.keys(known).filter((n) => !names.includes(n)), 'known failures without a case').to.deep.equal([]);
    }
  });
});
