/**
 * A compatibility suite as mocha tests: every case under the default
 * engine, the `everyEngine` subset under the others (a full second run
 * under Unicorn would double the suite's time for little: the engines are
 * compared instruction by instruction elsewhere), then a summary that
 * prints the share identical to native and holds it to a floor.
 */

import { expect } from 'chai';
import { DEFAULT_ENGINE } from '../../emulator/select.js';
import { describeEachEngine } from '../helpers/engines.js';
import { compareCase, difference, RUNNING_AS_ROOT, type CompatCase } from './compat.js';
import { knownFailure, type KnownFailure } from './known_failures.js';

export interface SuiteSpec {
  title: string;
  cases: readonly CompatCase[];
  known: Readonly<Record<string, KnownFailure>>;
  /** Why the suite cannot run here (its programs are missing), or null. */
  missing: () => string | null;
  /** The host directory that is the guest's /, for dynamically linked programs. */
  root?: string;
  /** The least share (percent) of cases identical to native. */
  floor: number;
}

/** The cases an engine runs (those naming root only when the tests run as root). */
export function casesFor(spec: SuiteSpec, engine: string): readonly CompatCase[] {
  const cases = spec.cases.filter((c) => RUNNING_AS_ROOT || !c.asRoot);
  return engine === DEFAULT_ENGINE ? cases : cases.filter((c) => c.everyEngine);
}

export function describeCompatSuite(spec: SuiteSpec): void {
  describeEachEngine(spec.title, (engine, name) => {
    const missing = spec.missing();
    if (missing) {
      before(function () {
        console.log(`      skipped: ${missing}`);
        this.skip();
      });
      it('(programs missing)', () => {});
      return;
    }
    const cases = casesFor(spec, name);
    if (!RUNNING_AS_ROOT) {
      before(() => console.log(`      not root: the cases whose output names the user (the guest is root) are left out`));
    }
    const same: string[] = [];
    for (const c of cases) {
      const known = knownFailure(spec.known, c.name, name);
      const title = known ? `${c.name}: still differs from Linux (${known.cause})` : `${c.name}: same stdout and status as Linux`;
      it(title, async function () {
        this.timeout(120_000);
        const r = await compareCase(engine, c, spec.root);
        const diff = difference(r.native, r.kemu);
        if (!diff) same.push(c.name);
        if (known) expect(diff, 'a known failure now passes: remove it from known_failures.ts and docs/compat.md').to.not.equal(null);
        else expect(diff, c.argv.slice(1).join(' ')).to.equal(null);
      });
    }
    it(`at least ${spec.floor}% of the cases identical to native`, () => {
      const pct = (100 * same.length) / cases.length;
      console.log(`      ${spec.title} [${name}]: ${same.length}/${cases.length} identical to native (${pct.toFixed(1)}%)`);
      expect(pct).to.be.at.least(spec.floor);
    });
  });
}
