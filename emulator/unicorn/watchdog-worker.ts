/**
 * The watchdog thread (see watchdog.ts for the protocol): sleeps until the
 * deadline of the run in progress and, if that run is still going, calls
 * uc_emu_stop on its engine. Unicorn's own timeout thread does the same
 * call from another thread; uc_emu_stop is made for it.
 */

import { workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import {
  W_READY, W_STATE, W_SEQ, W_FIRED, W_DEADLINE_BYTE, W_UC_BYTE,
  IDLE, RUNNING, STOPPING, STOPPED,
} from './watchdog.js';

/** How often an idle watchdog looks for a new run (ms): bounds the overshoot. */
const IDLE_TICK_MS = 2;

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

for (;;) {
  const state = Atomics.load(ctrl, W_STATE);
  if (state !== RUNNING) {
    Atomics.wait(ctrl, W_STATE, state, state === IDLE ? IDLE_TICK_MS : 1);
    continue;
  }
  const seq = Atomics.load(ctrl, W_SEQ);
  const remaining = deadline[0] - Date.now();
  if (remaining > 0) {
    // Nobody notifies SEQ: this sleeps until the deadline seen.
    Atomics.wait(ctrl, W_SEQ, seq, Math.min(remaining, 1000));
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
