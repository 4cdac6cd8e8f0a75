/**
 * Debian's busybox-static under kemu against the same binary run natively
 * (tests/compat/busybox_cases.ts). CI installs busybox-static; elsewhere
 * the suite skips when /bin/busybox is absent.
 */

import * as fs from 'node:fs';
import { BUSYBOX, BUSYBOX_CASES } from './busybox_cases.js';
import { BUSYBOX_KNOWN } from './known_failures.js';
import { describeCompatSuite } from './suite.js';

describeCompatSuite({
  title: 'compat: busybox',
  cases: BUSYBOX_CASES,
  known: BUSYBOX_KNOWN,
  missing: () => (fs.existsSync(BUSYBOX) ? null : `${BUSYBOX} is absent (apt-get install busybox-static)`),
  floor: 95,
});
