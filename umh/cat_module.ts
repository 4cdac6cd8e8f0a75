/**
 * A small module that puts its helper between two host streams, as
 * `kemu umh BLOB` uses it: it starts the blob (fork_usermode_blob in
 * 4.18, the usermode_driver path in 6.18), copies its input to
 * pipe_to_umh and pipe_from_umh to its output, and reports how the helper
 * ended. When the input ends it closes pipe_to_umh (the helper reads
 * EOF); when the helper is gone it stops on EPIPE or EOF, as any module
 * must. rmmod kills a helper still running and puts the pipes.
 *
 * Not a Linux module; the name says what it does (cat through a helper).
 */

import type { Kernel } from '../kernel/kernel.js';
import type { ExitStatus } from '../kernel/task.js';
import { UmhHelper } from './helper.js';
import { kernel_read, kernel_write } from './kernel_io.js';
import type { KernelModule } from './module.js';

export interface CatIo {
  /** What to send the helper (host stdin, a buffer...). */
  input: AsyncIterable<Uint8Array>;
  /** Where the helper's output goes; a returned promise is awaited (backpressure). */
  output: (bytes: Uint8Array) => void | Promise<void>;
}

export interface CatModule extends KernelModule {
  /** The helper once init has started it. */
  readonly helper: UmhHelper | null;
  /** Resolves once the helper has ended and all its output was copied: how it ended. */
  readonly done: Promise<ExitStatus | null>;
}

/** How much of the helper's output one read takes (a pipe holds 64 KiB). */
const CHUNK = 65536;

export function cat_module(blob: Uint8Array, io: CatIo, name = 'umh_cat'): CatModule {
  let helper: UmhHelper | null = null;
  let input: AsyncIterator<Uint8Array> | null = null;
  let finish!: (s: ExitStatus | null) => void;
  const done = new Promise<ExitStatus | null>((resolve) => { finish = resolve; });

  const copyIn = async (k: Kernel, h: UmhHelper, it: AsyncIterator<Uint8Array>): Promise<void> => {
    for (;;) {
      // A host stream that fails or is closed under us ends the input (host I/O, not the guest's).
      const next = await it.next().catch(() => ({ done: true as const, value: undefined }));
      const to = h.info.pipe_to_umh;
      if (next.done || !to) break;
      const chunk = next.value instanceof Uint8Array ? next.value : new Uint8Array(next.value as ArrayBuffer);
      if (await kernel_write(k, to, chunk) !== chunk.length) break; // EPIPE: the helper is gone
    }
    h.close_pipe_to_umh();
  };

  const copyOut = async (k: Kernel, h: UmhHelper): Promise<void> => {
    const buf = new Uint8Array(CHUNK);
    for (;;) {
      const from = h.info.pipe_from_umh;
      if (!from) return;
      const n = await kernel_read(k, from, buf);
      if (n <= 0) return; // EOF: the helper closed its fd 1 or is gone
      await io.output(buf.slice(0, n));
    }
  };

  return {
    name,
    blob,
    get helper() { return helper; },
    done,
    init(k: Kernel): number {
      const h = new UmhHelper(k, name, blob);
      let err = h.load();
      if (err) return err;
      err = h.start();
      if (err) {
        h.unload();
        return err;
      }
      helper = h;
      input = io.input[Symbol.asyncIterator]();
      void copyIn(k, h, input);
      void Promise.all([h.wait(), copyOut(k, h)]).then(([status]) => finish(status));
      return 0;
    },
    async exit(): Promise<void> {
      input?.return?.().catch(() => {}); // stop reading the host's input
      await helper?.stop();
      helper?.unload();
      helper = null;
    },
  };
}
