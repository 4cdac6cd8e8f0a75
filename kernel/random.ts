/**
 * Random bytes for guests: Linux drivers/char/random.c get_random_bytes(),
 * behind AT_RANDOM, getrandom(2) and /dev/{u,}random. The host's own
 * CSPRNG gives them: its /dev/urandom, read through node:fs (which every
 * start loads anyway); Web Crypto where there is no such file. node:crypto
 * is not used: loading it costs a `kemu run` of a hello world about a tenth
 * of its start-up (docs/engine.md, "Start-up").
 */

import { openSync, readSync } from 'node:fs';

/** The host's /dev/urandom, opened on first use; -1: there is none (use Web Crypto). */
let urandom: number | null = null;

function hostUrandom(): number {
  if (urandom === null) {
    try { urandom = openSync('/dev/urandom', 'r'); } catch { urandom = -1; }
  }
  return urandom;
}

/** Fill `buf` with cryptographically strong random bytes. */
export function get_random_bytes(buf: Uint8Array): void {
  const fd = hostUrandom();
  if (fd >= 0) {
    for (let done = 0; done < buf.length;) done += readSync(fd, buf, done, buf.length - done, null);
    return;
  }
  // Web Crypto fills at most 65536 bytes per call.
  for (let off = 0; off < buf.length; off += 65536) globalThis.crypto.getRandomValues(buf.subarray(off, off + 65536));
}
