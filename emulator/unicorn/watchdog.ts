/**
 * The time budget of `UnicornCpu.run`, without Unicorn's own timeout.
 *
 * `uc_emu_start(..., timeout)` starts a timer thread on every call and joins
 * it on return: measured here, about 200 us per call, 200 times the cost of
 * a whole syscall round trip. Instead one worker thread per process watches
 * the run in progress and calls `uc_emu_stop` when its deadline passes. The
 * main thread only stores a few words in shared memory per run, no syscall.
 *
 * Shared words (Int32Array over a SharedArrayBuffer):
 *   READY    worker sets 1 when it can stop engines, -1 if it cannot
 *   STATE    IDLE -> RUNNING (main, before uc_emu_start)
 *            RUNNING -> STOPPING -> STOPPED or back to RUNNING (worker)
 *            RUNNING or STOPPED -> IDLE (main, after uc_emu_start)
 *   SEQ      the run's number; FIRED: the number of the run the worker stopped
 *   SLEEP    1 while the worker sleeps long (idle for a while): arm() wakes it
 * plus the deadline (Date.now() ms, float64) and the uc_engine address.
 *
 * While runs come and go the worker polls every few ms (so a run is stopped
 * at most that late); after a while without runs it sleeps until woken, and
 * only then does arm() pay for a notify (a futex syscall).
 *
 * The worker calls uc_emu_stop only while it holds STOPPING, during which
 * the main thread waits: so the engine it stops is alive (not disposed) and
 * is the one of run SEQ. A stop that arrives as the run ends is harmless.
 */

import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

export const W_READY = 0;
export const W_STATE = 1;
export const W_SEQ = 2;
export const W_FIRED = 3;
export const W_SLEEP = 4;
const W_WORDS = 8; // int32 words 0..7, then:
export const W_DEADLINE_BYTE = 4 * W_WORDS; // float64
export const W_UC_BYTE = W_DEADLINE_BYTE + 8; // uint64
export const W_BYTES = W_UC_BYTE + 8;

export const IDLE = 0;
export const RUNNING = 1;
export const STOPPING = 2;
export const STOPPED = 3;

export class Watchdog {
  private readonly ctrl: Int32Array;
  private readonly deadline: Float64Array;
  private readonly ucAddr: BigUint64Array;
  private seq = 0;
  private worker: Worker | undefined;

  constructor(libPath: string) {
    const sab = new SharedArrayBuffer(W_BYTES);
    this.ctrl = new Int32Array(sab);
    this.deadline = new Float64Array(sab, W_DEADLINE_BYTE, 1);
    this.ucAddr = new BigUint64Array(sab, W_UC_BYTE, 1);
    try {
      const koffiPath = createRequire(import.meta.url).resolve('koffi');
      this.worker = new Worker(new URL('./watchdog-worker.js', import.meta.url), {
        workerData: { sab, libPath, koffiPath },
      });
      this.worker.unref(); // never keeps the process alive
      this.worker.on('error', () => Atomics.store(this.ctrl, W_READY, -1));
      this.worker.on('exit', () => Atomics.store(this.ctrl, W_READY, -1));
    } catch {
      Atomics.store(this.ctrl, W_READY, -1);
    }
  }

  /** True once the worker can stop runs; until then run() uses Unicorn's timeout. */
  get ready(): boolean {
    return Atomics.load(this.ctrl, W_READY) === 1;
  }

  /** Wait (at most `ms`) for the worker to come up; for tests and benchmarks. */
  waitReady(ms: number): boolean {
    const end = Date.now() + ms;
    while (Atomics.load(this.ctrl, W_READY) === 0 && Date.now() < end) {
      Atomics.wait(this.ctrl, W_READY, 0, 5);
    }
    return this.ready;
  }

  /** Before uc_emu_start: the run of engine `ucAddr` may last `timeoutMs`. */
  arm(ucAddr: bigint, timeoutMs: number): void {
    const ctrl = this.ctrl;
    this.seq = (this.seq + 1) | 0;
    this.ucAddr[0] = ucAddr;
    this.deadline[0] = Date.now() + timeoutMs;
    Atomics.store(ctrl, W_SEQ, this.seq);
    Atomics.store(ctrl, W_STATE, RUNNING);
    if (Atomics.load(ctrl, W_SLEEP) === 1) Atomics.notify(ctrl, W_STATE);
  }

  /** After uc_emu_start: true if the worker stopped this run. */
  disarm(): boolean {
    const ctrl = this.ctrl;
    for (;;) {
      const s = Atomics.compareExchange(ctrl, W_STATE, RUNNING, IDLE);
      if (s === RUNNING || s === IDLE) break;
      if (s === STOPPED) {
        Atomics.store(ctrl, W_STATE, IDLE);
        break;
      }
      Atomics.wait(ctrl, W_STATE, STOPPING, 1); // the worker is inside uc_emu_stop
    }
    return Atomics.load(ctrl, W_FIRED) === this.seq;
  }
}
