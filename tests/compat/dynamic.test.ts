/**
 * Debian's dynamically linked programs under `kemu run --root /` (the
 * host's loader and libraries, read-only, writes in memory) against the
 * same programs run natively (tests/compat/dynamic_cases.ts).
 */

import * as fs from 'node:fs';
import { DYNAMIC_CASES, DYNAMIC_REQUIRED } from './dynamic_cases.js';
import { DYNAMIC_KNOWN } from './known_failures.js';
import { describeCompatSuite } from './suite.js';

describeCompatSuite({
  title: 'compat: dynamic Debian programs',
  cases: DYNAMIC_CASES,
  known: DYNAMIC_KNOWN,
  missing: () => {
    const absent = DYNAMIC_REQUIRED.filter((p) => !fs.existsSync(p));
    return absent.length ? `${absent.join(', ')} absent: not a Debian-like x86-64 host` : null;
  },
  root: '/',
  floor: 90,
});
