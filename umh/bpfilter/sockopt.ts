/**
 * The socket side of bpfilter: Linux net/ipv4/bpfilter/sockopt.c
 * (bpfilter_mbox_request) and the routing in net/ipv4/ip_sockglue.c that
 * sends IPv4 setsockopt names [64, 66) and getsockopt names [64, 68) there.
 * kemu has no sockets yet, so host code calls these as a task's
 * setsockopt(IPPROTO_IP, ...) would, naming the task's pid.
 */

import { ECHILD, ENOPROTOOPT } from '../../abi/errno.js';
import type { Kernel } from '../../kernel/kernel.js';
import { request_module } from '../module.js';
import { bpfilter_ops } from './bpfilter_kern.js';
import { BPFILTER_IPT_GET_MAX, BPFILTER_IPT_SET_MAX, BPFILTER_IPT_SO_GET_INFO, BPFILTER_IPT_SO_SET_REPLACE, type MboxRequest } from './msgfmt.js';

/**
 * Linux bpfilter_mbox_request(sk, optname, optval, optlen, is_set).
 *
 * 4.18: no published function -> request_module("bpfilter"); its error is
 * returned, and a module that is loaded but has no live helper gives
 * -ECHILD. 5.x: under the ops lock; no module -> request_module, then
 * -ENOPROTOOPT if still none; a helper that has exited is cleaned up and
 * a new one started before the request.
 *
 * @returns the helper's status (a negative errno it chose, or a value),
 *   or -errno from the kernel side (-EFAULT when the helper died during
 *   the request)
 */
export async function bpfilter_mbox_request(
  k: Kernel, optname: number, optval: bigint, optlen: number, is_set: boolean, pid = 0,
): Promise<number> {
  const req: MboxRequest = { addr: optval, len: optlen, is_set: is_set ? 1 : 0, cmd: optname, pid };
  const ops = bpfilter_ops(k);
  if (k.profile.umhModel !== 'usermode_driver') {
    if (!ops.sockopt) {
      const err = await request_module(k, 'bpfilter');
      if (err) return err;
      if (!ops.sockopt) return -ECHILD;
    }
    return ops.sockopt(req);
  }
  await ops.lock.lock();
  let err: number;
  if (!ops.sockopt) {
    ops.lock.unlock();
    await request_module(k, 'bpfilter');
    await ops.lock.lock();
  }
  if (!ops.sockopt) {
    err = -ENOPROTOOPT;
  } else {
    const h = ops.helper!;
    // 5.9+: if (info.tgid && thread_group_exited(info.tgid)) bpfilter_umh_cleanup(&info);
    if (h.running && h.exited()) h.cleanup();
    err = h.running ? 0 : await ops.start!();
    if (!err) err = await ops.sockopt(req);
  }
  ops.lock.unlock();
  return err;
}

/** ip_setsockopt(): names in [BPFILTER_IPT_SO_SET_REPLACE, BPFILTER_IPT_SET_MAX) go to bpfilter. */
export function bpfilter_ip_set_sockopt(k: Kernel, optname: number, optval: bigint, optlen: number, pid = 0): Promise<number> {
  if (optname < BPFILTER_IPT_SO_SET_REPLACE || optname >= BPFILTER_IPT_SET_MAX) return Promise.resolve(-ENOPROTOOPT);
  return bpfilter_mbox_request(k, optname, optval, optlen, true, pid);
}

/** ip_getsockopt(): names in [BPFILTER_IPT_SO_GET_INFO, BPFILTER_IPT_GET_MAX) go to bpfilter. */
export function bpfilter_ip_get_sockopt(k: Kernel, optname: number, optval: bigint, optlen: number, pid = 0): Promise<number> {
  if (optname < BPFILTER_IPT_SO_GET_INFO || optname >= BPFILTER_IPT_GET_MAX) return Promise.resolve(-ENOPROTOOPT);
  return bpfilter_mbox_request(k, optname, optval, optlen, false, pid);
}
