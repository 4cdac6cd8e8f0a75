/**
 * The `unicorn` engine: guest code runs in the system's Unicorn 2
 * (libunicorn.so.2, or `$UNICORN_LIB`) through the koffi FFI. Optional at
 * run time: `unicornAvailable()` says whether it can be loaded, and
 * `loadUnicornEngine()` throws EngineUnavailableError when it cannot.
 * See README.md beside this file.
 */

import { CPUID_EDX1 } from '../cpuid.js';
import { type Cpu, type Engine, EngineUnavailableError } from '../engine.js';
import { UnicornCpu } from './cpu.js';
import { loadUnicornLib, type UnicornLib } from './ffi.js';

export class UnicornEngine implements Engine {
  readonly name = 'unicorn';
  /** CPUID.1:EDX of the model the CPUID hook reports (AT_HWCAP). */
  readonly hwcap = CPUID_EDX1;

  constructor(private readonly lib: UnicornLib) {}

  /** The Unicorn version loaded, e.g. "2.0.1". */
  get version(): string {
    return this.lib.version;
  }

  createCpu(): Cpu {
    return new UnicornCpu(this.lib);
  }

}

/** The unicorn engine; throws EngineUnavailableError if koffi or libunicorn.so.2 is missing. */
export function loadUnicornEngine(): Engine {
  return new UnicornEngine(loadUnicornLib());
}

/** Whether `loadUnicornEngine()` would succeed. */
export function unicornAvailable(): boolean {
  try {
    loadUnicornLib();
    return true;
  } catch (e) {
    if (e instanceof EngineUnavailableError) return false;
    throw e;
  }
}
