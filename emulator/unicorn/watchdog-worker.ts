/**
 * The watchdog thread (see watchdog.ts for the protocol): while a run is in
 * progress it wakes at least every TICK_MS and, once the run's deadline has
 * passed, calls uc_emu_stop on its engine. Unicorn's own timeout thread
 * makes the same call from another thread; uc_emu_stop is made for it.
 */

import { workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import {
  W_READY, W_STATE, W_SEQ, W_FIRED, W_SLEEP, W_DEADLINE_BYTE, W_UC_BYTE,
  IDLE, RUNNING, STOPPING, STOPPED,
} from './watchdog.js';

/** Poll period while runs come and go (ms): bounds how late a run is stopped. */
const TICK_MS = 4;
/** After this long without a run (ms), sleep until arm() wakes us. */
const DEEP_SLEEP_AFTER_MS = 200;

const { sab, libPath, koffiPath } = workerData as { sab: SharedArrayBuffer; libPath: string; koffiPath: string };
const ctrl = new Int32Array(sab);
const deadline = new Float64Array(sab, W_DEADLINE_BYTE, 1);
const ucAddr = new BigUint64Array(sab, W_UC_BYTE, 1);

let stop: (uc: bigint) => number;
try {
  const koffi = createRequire(import.meta.url)(koffiPath);
  stop = koffi.load(libPath).func('int uc_emu_stop(uintptr_t uc)');
  Atomics.store(ctrl, W_READY, 1);
} catch {
  Atomics.store(ctrl, W_READY, -1);
  process.exit(0);
}

let lastRun = Date.now();
for (;;) {
  const state = Atomics.load(ctrl, W_STATE);
  if (state !== RUNNING) {
    if (state === IDLE && Date.now() - lastRun > DEEP_SLEEP_AFTER_MS) {
      Atomics.store(ctrl, W_SLEEP, 1);
      Atomics.wait(ctrl, W_STATE, IDLE, 60_000); // returns at once if a run started meanwhile
      Atomics.store(ctrl, W_SLEEP, 0);
    } else {
      Atomics.wait(ctrl, W_STATE, state, TICK_MS);
    }
    continue;
  }
  lastRun = Date.now();
  const seq = Atomics.load(ctrl, W_SEQ);
  const remaining = deadline[0] - lastRun;
  if (remaining > 0) {
    Atomics.wait(ctrl, W_SEQ, seq, Math.min(remaining, TICK_MS)); // nobody notifies SEQ: a sleep
    continue;
  }
  if (Atomics.compareExchange(ctrl, W_STATE, RUNNING, STOPPING) !== RUNNING) continue;
  // The main thread cannot start another run or dispose while we hold STOPPING.
  const same = Atomics.load(ctrl, W_SEQ) === seq;
  if (same) {
    stop(ucAddr[0]);
    Atomics.store(ctrl, W_FIRED, seq);
  }
  Atomics.store(ctrl, W_STATE, same ? STOPPED : RUNNING);
  Atomics.notify(ctrl, W_STATE);
}
