/**
 * Choosing an engine by name. The unicorn engine (and koffi behind it) is
 * loaded only when asked for, so starting kemu with `interp` costs nothing
 * native.
 */

import { type Engine, EngineUnavailableError } from './engine.js';

export const ENGINE_NAMES = ['interp', 'unicorn'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** The engine `kemu run` uses when none is named. */
export const DEFAULT_ENGINE: EngineName = 'interp';

/** How to build an engine: `compile: false` makes interp interpret every instruction (no compiled regions). */
export interface EngineOptions {
  compile?: boolean;
}

export async function loadEngine(name: string, options: EngineOptions = {}): Promise<Engine> {
  if (name === 'interp') return (await import('./interp/index.js')).createInterpEngine({ blocks: options.compile ?? true });
  if (name === 'unicorn') return (await import('./unicorn/index.js')).loadUnicornEngine();
  throw new EngineUnavailableError(`unknown engine "${name}" (choose one of: ${ENGINE_NAMES.join(', ')})`);
}

/** The engines that can run on this machine. */
export async function availableEngines(): Promise<EngineName[]> {
  const out: EngineName[] = [];
  for (const name of ENGINE_NAMES) {
    try {
      await loadEngine(name);
      out.push(name);
    } catch (e) {
      if (!(e instanceof EngineUnavailableError)) throw e;
    }
  }
  return out;
}
