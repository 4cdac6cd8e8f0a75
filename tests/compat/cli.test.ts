/**
 * The two commands as a user types them, through the kemu
 * command itself: busybox's pipeline on the in-memory root, and Debian's
 * dynamically linked echo and sort under `--root /` (on Debian, /bin is a
 * symlink to usr/bin: the guest must follow it inside the root), each
 * compared with the same command run natively.
 */

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGINES } from '../helpers/engines.js';
import { BUSYBOX } from './busybox_cases.js';
import { COMPAT_ENV } from './compat.js';

const kemu = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../cli/kemu.js');
const env = Object.fromEntries(COMPAT_ENV.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

function both(engine: string, kemuArgs: string[], argv: string[], input = ''): void {
  const native = spawnSync(argv[0]!, argv.slice(1), { env, input, encoding: 'utf8' });
  const r = spawnSync(process.execPath, [kemu, 'run', '--engine', engine, ...kemuArgs, ...argv], { env, input, encoding: 'utf8' });
  expect(r.stderr, 'kemu stderr').to.equal('');
  expect(r.stdout, 'stdout').to.equal(native.stdout);
  expect(r.status, 'status').to.equal(native.status);
}

for (const slot of ENGINES) {
  describe(`kemu run with real programs [${slot.name}]`, function () {
    before(function () {
      if (!slot.engine) { console.log(`      skipped: engine ${slot.name} unavailable: ${slot.missing}`); this.skip(); }
    });

    it('kemu run /bin/busybox sh -c "seq 1 100 | sort -r | head -n 3" prints what Linux prints', function () {
      if (!fs.existsSync(BUSYBOX)) { console.log(`      skipped: ${BUSYBOX} is absent (apt-get install busybox-static)`); this.skip(); }
      both(slot.name, [], [BUSYBOX, 'sh', '-c', 'seq 1 100 | sort -r | head -n 3']);
    });

    it('kemu run --root / /usr/bin/echo and /bin/echo: the host loader and libc, /bin through its symlink', () => {
      both(slot.name, ['--root', '/'], ['/usr/bin/echo', 'hi']);
      both(slot.name, ['--root', '/'], ['/bin/echo', 'hi', 'again']);
    });

    it('kemu run --root / /usr/bin/sort sorts stdin as Linux does', () => {
      both(slot.name, ['--root', '/'], ['/usr/bin/sort', '-n'], '10\n9\n100\n-1\n');
    });
  });
}
