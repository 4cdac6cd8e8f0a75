/**
 * kemu's own x86-64 CPU in TypeScript (the `interp` engine). See README.md
 * in this folder for how it works.
 */

import type { Engine } from '../engine.js';
import { InterpCpu } from './cpu.js';
import type { InterpOptions } from './cpu.js';
import { CPUID_EDX1 } from '../cpuid.js';

export { InterpCpu } from './cpu.js';
export type { InterpOptions } from './cpu.js';

/** The interp engine; `options.blocks: false` turns block compilation off (for comparison). */
export function createInterpEngine(options: InterpOptions = {}): Engine {
  return {
    name: 'interp',
    hwcap: CPUID_EDX1,
    createCpu: () => new InterpCpu(options),
  };
}
