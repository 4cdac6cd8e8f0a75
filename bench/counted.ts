/**
 * A program under the interp engine inside this process, every guest
 * instruction its tasks retire counted (the interp engine counts exactly):
 * what bench/cpu.ts prints as guest instructions, and bench/inprocess.ts
 * runs for profiling.
 */

import { bootKernel, spawnHostProgram } from '../cli/boot.js';
import { createInterpEngine, InterpCpu } from '../emulator/interp/index.js';

/** Run `prog args` to its exit; resolves to the instructions retired, or NaN if the exec failed. */
export async function runCounted(prog: string, args: string[], sink: (b: Uint8Array) => void = () => {}): Promise<number> {
  let retired = 0;
  const engine = createInterpEngine();
  const counting = {
    ...engine,
    createCpu: () => {
      const cpu = engine.createCpu() as InterpCpu;
      const dispose = cpu.dispose.bind(cpu);
      cpu.dispose = () => { retired += cpu.icount; dispose(); };
      return cpu;
    },
  };
  const k = bootKernel({ engine: counting });
  k.log = () => {};
  const r = spawnHostProgram(k, { prog, argv: [prog, ...args], env: [], stdio: { stdout: { sink } } });
  if ('errno' in r) return NaN;
  await k.waitForExit(r.task);
  return retired;
}
