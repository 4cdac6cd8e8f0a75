/**
 * The compatibility figures: the share of the busybox and dynamic Debian
 * cases (tests/compat/) whose stdout and exit status under kemu are those
 * of the same command run natively, per engine, each difference listed.
 *
 *   node dist/bench/compat.js [--engines interp,unicorn] [--suite busybox|dynamic] [--all]
 *
 * By default the default engine runs every case and the others the
 * subset the tests run under every engine; --all runs every case under
 * every engine named.
 */

import * as fs from 'node:fs';
import { DEFAULT_ENGINE, loadEngine } from '../emulator/select.js';
import { BUSYBOX, BUSYBOX_CASES } from '../tests/compat/busybox_cases.js';
import { compareCase, difference, RUNNING_AS_ROOT, type CompatCase } from '../tests/compat/compat.js';
import { DYNAMIC_CASES, DYNAMIC_REQUIRED } from '../tests/compat/dynamic_cases.js';

interface Suite {
  name: string;
  cases: readonly CompatCase[];
  root?: string;
  missing: string | null;
}

const SUITES: Suite[] = [
  { name: 'busybox', cases: BUSYBOX_CASES, missing: fs.existsSync(BUSYBOX) ? null : `${BUSYBOX} absent (apt-get install busybox-static)` },
  {
    name: 'dynamic', cases: DYNAMIC_CASES, root: '/',
    missing: DYNAMIC_REQUIRED.some((p) => !fs.existsSync(p)) ? 'not a Debian-like host' : null,
  },
];

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const engines = (option('--engines') ?? DEFAULT_ENGINE).split(',');
  const only = option('--suite');
  const all = process.argv.includes('--all');
  for (const suite of SUITES.filter((s) => !only || s.name === only)) {
    if (suite.missing) { console.log(`${suite.name}: skipped: ${suite.missing}`); continue; }
    for (const name of engines) {
      const engine = await loadEngine(name);
      // The guest is root: cases whose output names the user compare only when we are root too.
      const mine = suite.cases.filter((c) => RUNNING_AS_ROOT || !c.asRoot);
      const cases = all || name === DEFAULT_ENGINE ? mine : mine.filter((c) => c.everyEngine);
      const failed: string[] = [];
      const t0 = Date.now();
      for (const c of cases) {
        const r = await compareCase(engine, c, suite.root);
        const d = difference(r.native, r.kemu);
        if (d) failed.push(`  ${c.name}: ${d}`);
      }
      const same = cases.length - failed.length;
      const pct = (100 * same) / cases.length;
      console.log(`${suite.name} [${name}]: ${same}/${cases.length} identical to native (${pct.toFixed(1)}%), ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      for (const f of failed) console.log(f);
    }
  }
}

await main();
