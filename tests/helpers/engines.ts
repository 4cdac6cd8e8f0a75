/**
 * The engines the kernel and exec tests run under: every engine present on
 * this machine. CI installs libunicorn2, so nothing is skipped there; where
 * an engine is missing its suites skip with the reason.
 */

import { EngineUnavailableError, type Engine } from '../../emulator/engine.js';
import { ENGINE_NAMES, loadEngine } from '../../emulator/select.js';

export interface EngineSlot {
  name: string;
  engine: Engine | null;
  /** Why it is not available, when it is not. */
  missing: string | null;
}

const slots: EngineSlot[] = [];
for (const name of ENGINE_NAMES) {
  try {
    slots.push({ name, engine: await loadEngine(name), missing: null });
  } catch (e) {
    if (!(e instanceof EngineUnavailableError)) throw e;
    slots.push({ name, engine: null, missing: e.message });
  }
}

/** One slot per known engine; `engine` is null where it cannot load here. */
export const ENGINES: readonly EngineSlot[] = slots;

/**
 * Declare `describe(title)` once per engine; the body gets the engine. An
 * engine that is missing here skips its suite with the loader's message.
 */
export function describeEachEngine(title: string, body: (engine: Engine, name: string) => void): void {
  for (const slot of ENGINES) {
    describe(`${title} [${slot.name}]`, function () {
      if (!slot.engine) {
        before(function () {
          console.log(`      skipped: engine ${slot.name} unavailable: ${slot.missing}`);
          this.skip();
        });
        it('(engine unavailable)', () => {});
        return;
      }
      body(slot.engine, slot.name);
    });
  }
}
