/**
 * The bpfilter module: Linux net/bpfilter/bpfilter_kern.c, in the two
 * shapes the profiles have.
 *
 * 4.18: load_umh forks the helper with fork_usermode_blob, health-checks
 * it (a get with cmd 0 must answer 0, else -EFAULT) and publishes
 * bpfilter_process_sockopt. A request that finds the helper gone (a short
 * write: EPIPE; a short read: EOF) stops it (__stop_umh: unpublish,
 * SIGKILL by pid, put the pipes) and fails with -EFAULT; from then on
 * bpfilter_mbox_request finds no function and gives -ECHILD: the helper
 * stays dead until the module is reloaded.
 *
 * 5.9+ (the 6.18 profile): the blob is loaded once (umd_load_blob) and
 * the helper started by fork_usermode_driver; a request that finds it
 * exited cleans up and starts a new one first (the restart Taehee Yoo
 * added in 5.0), and shutdown_umh waits for the helper to die.
 *
 * Both serialize requests on a mutex ("since ip_getsockopt() can run in
 * parallel, serialize access to umh"), so rmmod waits for a request in
 * flight to get its reply before it kills the helper.
 */

import { EFAULT } from '../../abi/errno.js';
import type { Kernel } from '../../kernel/kernel.js';
import { UmhHelper } from '../helper.js';
import { kernel_read, kernel_write } from '../kernel_io.js';
import type { KernelModule } from '../module.js';
import { Mutex } from '../mutex.js';
import { umh_trace } from '../trace.js';
import { decode_mbox_reply, encode_mbox_request, MBOX_REPLY_SIZE, MBOX_REQUEST_SIZE, type MboxRequest } from './msgfmt.js';

/**
 * What net/ipv4/bpfilter/sockopt.c shares with the module: 4.18's
 * bpfilter_process_sockopt pointer (with the module's bpfilter_lock and
 * info), 5.x's struct bpfilter_umh_ops (lock, info, sockopt, start).
 */
export interface BpfilterOps {
  readonly lock: Mutex;
  helper: UmhHelper | null;
  /** Published by a successful load; null when no module (or, in 4.18, no live helper). */
  sockopt: ((req: MboxRequest) => Promise<number>) | null;
  /** 5.x: how a request restarts a helper that died. */
  start: (() => Promise<number>) | null;
}

const opsOf = new WeakMap<Kernel, BpfilterOps>();

export function bpfilter_ops(k: Kernel): BpfilterOps {
  let ops = opsOf.get(k);
  if (!ops) opsOf.set(k, (ops = { lock: new Mutex(), helper: null, sockopt: null, start: null }));
  return ops;
}

/** pr_info / pr_err: the module's log lines go to the umh tracepoint. */
const printk = (k: Kernel, msg: string): void => umh_trace(k, 'printk', { msg: `bpfilter: ${msg}` });

/** The health check both versions send: a get with cmd 0 (optval NULL, len 0). */
const HEALTH_CHECK = (): MboxRequest => ({ addr: 0n, len: 0, is_set: 0, cmd: 0, pid: 0 });

/**
 * One request and its reply over the helper's pipes. A short write or a
 * short read (the helper is gone: EPIPE, EOF) gives null.
 */
async function mbox_transact(k: Kernel, h: UmhHelper, req: MboxRequest): Promise<number | null> {
  let n = await kernel_write(k, h.info.pipe_to_umh!, encode_mbox_request(req));
  if (n !== MBOX_REQUEST_SIZE) {
    printk(k, `write fail ${n}`);
    return null;
  }
  const reply = new Uint8Array(MBOX_REPLY_SIZE);
  n = await kernel_read(k, h.info.pipe_from_umh!, reply);
  if (n !== MBOX_REPLY_SIZE) {
    printk(k, `read fail ${n}`);
    return null;
  }
  return decode_mbox_reply(reply);
}

// ---- Linux 4.18 ----------------------------------------------------------

/** 4.18 __stop_umh(): unpublish, then shutdown_umh (SIGKILL by pid, fput both pipes, pid 0). */
async function __stop_umh_4_18(k: Kernel): Promise<void> {
  const ops = bpfilter_ops(k);
  ops.sockopt = null;
  await ops.helper?.stop();
}

/** 4.18 stop_umh(): the same under bpfilter_lock. */
async function stop_umh_4_18(k: Kernel): Promise<void> {
  const ops = bpfilter_ops(k);
  await ops.lock.lock();
  await __stop_umh_4_18(k);
  ops.lock.unlock();
}

/** 4.18 __bpfilter_process_sockopt(): the request under the lock; -EFAULT without a helper or when it is gone. */
async function __bpfilter_process_sockopt_4_18(k: Kernel, req: MboxRequest): Promise<number> {
  const ops = bpfilter_ops(k);
  let ret = -EFAULT;
  await ops.lock.lock();
  const h = ops.helper;
  if (h?.running) {
    const status = await mbox_transact(k, h, req);
    if (status === null) await __stop_umh_4_18(k);
    else ret = status;
  }
  ops.lock.unlock();
  return ret;
}

/** 4.18 load_umh() (module_init). */
async function load_umh_4_18(k: Kernel, blob: Uint8Array): Promise<number> {
  const ops = bpfilter_ops(k);
  const h = new UmhHelper(k, 'bpfilter_umh', blob);
  ops.helper = h;
  const err = h.start();
  if (err) {
    ops.helper = null;
    return err;
  }
  printk(k, `Loaded bpfilter_umh pid ${h.info.pid}`);
  if (await __bpfilter_process_sockopt_4_18(k, HEALTH_CHECK()) !== 0) {
    await stop_umh_4_18(k);
    ops.helper = null;
    return -EFAULT;
  }
  ops.sockopt = (req) => __bpfilter_process_sockopt_4_18(k, req);
  return 0;
}

/** 4.18 fini_umh() (module_exit). */
async function fini_umh_4_18(k: Kernel): Promise<void> {
  await stop_umh_4_18(k);
  bpfilter_ops(k).helper = null;
}

// ---- Linux 5.9+ (usermode_driver) ---------------------------------------

/** 5.9+ shutdown_umh(): kill_pid(tgid, SIGKILL), wait until it has exited, umd_cleanup_helper. */
async function shutdown_umh(k: Kernel): Promise<void> {
  await bpfilter_ops(k).helper?.stop();
}

/** 5.9+ bpfilter_send_req(): -EFAULT without a helper; a helper gone on the pipes is shut down (-EFAULT). */
async function bpfilter_send_req(k: Kernel, req: MboxRequest): Promise<number> {
  const h = bpfilter_ops(k).helper;
  if (!h?.running) return -EFAULT;
  const status = await mbox_transact(k, h, req);
  if (status !== null) return status;
  await shutdown_umh(k); // __stop_umh
  return -EFAULT;
}

/** 5.9+ start_umh(): fork_usermode_driver and the health check (called with the lock held). */
async function start_umh(k: Kernel): Promise<number> {
  const h = bpfilter_ops(k).helper!;
  const err = h.start();
  if (err) return err;
  printk(k, `Loaded bpfilter_umh pid ${h.info.pid}`);
  if (await bpfilter_send_req(k, HEALTH_CHECK()) !== 0) {
    await shutdown_umh(k);
    return -EFAULT;
  }
  return 0;
}

/** 5.9+ load_umh() (module_init): umd_load_blob, then start_umh under the lock. */
async function load_umh_5_9(k: Kernel, blob: Uint8Array): Promise<number> {
  const ops = bpfilter_ops(k);
  const h = new UmhHelper(k, 'bpfilter_umh', blob);
  let err = h.load();
  if (err) return err;
  ops.helper = h;
  await ops.lock.lock();
  err = await start_umh(k);
  if (!err) {
    ops.sockopt = (req) => bpfilter_send_req(k, req); // bpfilter_process_sockopt
    ops.start = () => start_umh(k);
  }
  ops.lock.unlock();
  if (err) {
    h.unload();
    ops.helper = null;
  }
  return err;
}

/** 5.9+ fini_umh() (module_exit): shutdown under the lock, unpublish, umd_unload_blob. */
async function fini_umh_5_9(k: Kernel): Promise<void> {
  const ops = bpfilter_ops(k);
  await ops.lock.lock();
  await shutdown_umh(k);
  ops.start = null;
  ops.sockopt = null;
  ops.lock.unlock();
  ops.helper?.unload();
  ops.helper = null;
}

/**
 * The bpfilter module, carrying `blob` (the helper's ELF, as bpfilter.ko
 * carries bpfilter_umh). insmod it, then send requests through
 * bpfilter_mbox_request (sockopt.ts).
 */
export function bpfilter_module(blob: Uint8Array): KernelModule {
  const driver = (k: Kernel): boolean => k.profile.umhModel === 'usermode_driver';
  return {
    name: 'bpfilter',
    blob,
    init: (k) => (driver(k) ? load_umh_5_9(k, blob) : load_umh_4_18(k, blob)),
    exit: (k) => (driver(k) ? fini_umh_5_9(k) : fini_umh_4_18(k)),
  };
}
