// A kernel module that runs part of its own data as a user process and
// talks to it over two pipes: the seed of kemu, from a library user's side.
//
//   npm run build && node docs/examples/umh-hello.mjs [interp|unicorn]
//
// tests/umh/docs.test.ts runs this file and checks what it prints.

import { readFileSync } from 'node:fs';
import { bootKernel } from '../../dist/cli/boot.js';
import { loadEngine } from '../../dist/emulator/select.js';
import { SIGKILL } from '../../dist/abi/signal.js';
import { fput } from '../../dist/kernel/fs/file.js';
import {
  decode_mbox_reply, encode_mbox_request, fork_usermode_blob, format_lsmod, insmod, kernel_counts, kernel_read,
  kernel_write, kill_pid, new_umh_info, rmmod,
} from '../../dist/umh/index.js';

// 1. Boot a kernel (the 4.18 profile by default: fork_usermode_blob's era).
const k = bootKernel({ engine: await loadEngine(process.argv[2] ?? 'interp') });

// 2. A module: init starts the blob it carries, exit kills it and puts the pipes.
const blob = new Uint8Array(readFileSync(new URL('../../fixtures/bpfilter-umh/bpfilter-umh', import.meta.url)));
const info = new_umh_info();
const hello = {
  name: 'hello_umh',
  blob,
  init: (k) => fork_usermode_blob(k, blob, blob.length, info), // 0 or -errno
  exit: (k) => {
    kill_pid(k, info.pid, SIGKILL); // like kfree after kmalloc
    fput(info.pipe_to_umh);
    fput(info.pipe_from_umh);
  },
};

const before = kernel_counts(k);
console.log(`insmod: ${await insmod(k, hello)}`);
console.log(`helper pid ${info.pid}`);
process.stdout.write(format_lsmod(k));

// 3. Talk to the helper: a 24-byte request down pipe_to_umh, a 4-byte reply up pipe_from_umh.
async function ask(cmd, len = 0) {
  const req = encode_mbox_request({ addr: 0n, len, is_set: 0, cmd, pid: 0 });
  if ((await kernel_write(k, info.pipe_to_umh, req)) !== req.length) return 'EPIPE: the helper is gone';
  const reply = new Uint8Array(4);
  const n = await kernel_read(k, info.pipe_from_umh, reply);
  return n === 4 ? decode_mbox_reply(reply) : 'EOF: the helper is gone';
}
console.log(`health check: ${await ask(0)}`);
console.log(`get 64, len 8: 0x${(await ask(64, 8)).toString(16)}`);
console.log(`unknown cmd 99: ${await ask(99)}`);

// 4. rmmod runs exit; once the helper has died, nothing is left behind.
console.log(`rmmod: ${await rmmod(k, 'hello_umh')}`);
await k.run();
const after = kernel_counts(k);
console.log(`tasks ${after.tasks - before.tasks}, files ${after.files - before.files}, pages ${after.pages - before.pages} left`);
