/**
 * Waiting on several files: Linux fs/select.c (poll, ppoll, select,
 * pselect6: do_sys_poll, do_poll, core_sys_select, do_select,
 * poll_select_finish, set_user_sigmask).
 *
 * One pass asks every file for its ready events (vfs_poll) and collects
 * the wait queues of those that are not ready; with nothing ready and time
 * left the task sleeps on all of them (and on its deadline), and the call
 * runs again when any of them wakes it. A signal ends it with EINTR.
 */

import { EBADF, EFAULT, EINVAL, ERESTART_RESTARTBLOCK, ERESTARTNOHAND } from '../../abi/errno.js';
import {
  POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDBAND, POLLRDNORM, POLLWRBAND, POLLWRNORM,
} from '../../abi/misc.js';
import type { Kernel } from '../kernel.js';
import { copy_from_user, copy_to_user } from '../mm/uaccess.js';
import { QueueCollector, vfs_poll } from '../poll.js';
import { signal_pending, UNBLOCKABLE } from '../signal.js';
import type { Task } from '../task.js';
import { sleep_on } from '../wait.js';
import { ptr, type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';
import { __NR_poll, __NR_ppoll, __NR_pselect6, __NR_select } from '../../abi/syscalls.js';
import { ktime_get_ms } from '../ktime.js';

const POLLIN_SET = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR;
const POLLOUT_SET = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR;
const POLLEX_SET = POLLPRI;

/**
 * The absolute deadline (ktime_get_ms() ms) of this call: computed on
 * its first run, kept in the restart block across reruns. null: no
 * timeout; 0-length timeouts give `now`.
 */
function deadline(t: Task, ms: number | null): number | null {
  const rb = t.restart_block!;
  if (rb.deadline === undefined) rb.deadline = ms === null ? Infinity : ktime_get_ms() + ms;
  return rb.deadline === Infinity ? null : rb.deadline;
}

function timedOut(end: number | null): boolean {
  return end !== null && ktime_get_ms() >= end;
}

/** Linux set_user_sigmask(): ppoll and pselect6 wait with a temporary mask. */
function set_user_sigmask(t: Task, addr: number, size: bigint): number {
  if (!addr) return 0;
  if (size !== 8n) return -EINVAL;
  const raw = copy_from_user(t.mm!, addr, 8);
  if (!raw) return -EFAULT;
  if (!t.restore_sigmask) t.saved_sigmask = t.blocked;
  t.restore_sigmask = true;
  t.blocked = new DataView(raw.buffer).getBigUint64(0, true) & ~UNBLOCKABLE;
  return 0;
}

/** Linux restore_saved_sigmask_unless(interrupted): a handler frame will put the mask back instead. */
function restore_saved_sigmask_unless(t: Task, interrupted: boolean): void {
  if (interrupted || !t.restore_sigmask) return;
  t.restore_sigmask = false;
  t.blocked = t.saved_sigmask;
}

/** Read a timespec (or timeval with `usec`) as milliseconds, or -EFAULT / -EINVAL for an invalid time. */
function getTimespecMs(t: Task, addr: number, usec: boolean): number {
  const raw = copy_from_user(t.mm!, addr, 16);
  if (!raw) return -EFAULT;
  const v = new DataView(raw.buffer);
  let sec = v.getBigInt64(0, true);
  let frac = v.getBigInt64(8, true);
  if (usec) { sec += frac / 1_000_000n; frac = (frac % 1_000_000n) * 1000n; }
  if (sec < 0n || frac < 0n || frac >= 1_000_000_000n) return -EINVAL;
  return Number(sec) * 1000 + Number(frac) / 1e6;
}

/** Linux poll_select_finish(): write the time left back (select's timeval, the timespec of ppoll/pselect6). */
function writeRemaining(t: Task, addr: number, end: number | null, usec: boolean): void {
  if (!addr || end === null) return;
  const left = Math.max(0, end - ktime_get_ms());
  const out = new Uint8Array(16);
  const v = new DataView(out.buffer);
  const sec = Math.floor(left / 1000);
  v.setBigInt64(0, BigInt(sec), true);
  const nsec = Math.floor((left - sec * 1000) * 1e6);
  v.setBigInt64(8, BigInt(usec ? Math.floor(nsec / 1000) : nsec), true);
  copy_to_user(t.mm!, addr, out);
}

/** Linux do_sys_poll() + do_poll(): the count of ready pollfds, or a restart code after sleeping. */
function do_sys_poll(t: Task, ufds: number, nfds: number, end: number | null, code: number): number {
  if (nfds > t.files.nofile || nfds < 0) return -EINVAL;
  const raw = nfds ? copy_from_user(t.mm!, ufds, nfds * 8) : new Uint8Array(0);
  if (!raw) return -EFAULT;
  const v = new DataView(raw.buffer);
  const pt = new QueueCollector();
  let count = 0;
  for (let i = 0; i < nfds; i++) {
    const fd = v.getInt32(i * 8, true);
    const events = v.getInt16(i * 8 + 4, true) & 0xffff;
    let mask = 0;
    if (fd >= 0) {
      const f = t.files.get(fd);
      mask = f ? vfs_poll(f, count ? null : pt) & (events | POLLERR | POLLHUP) : POLLNVAL;
    }
    v.setInt16(i * 8 + 6, mask, true);
    if (mask) count++;
  }
  if (!count && !timedOut(end)) {
    if (!signal_pending(t)) sleep_on(t, pt.queues, end === null ? {} : { deadline: end });
    return -code;
  }
  return copy_to_user(t.mm!, ufds, raw) ? count : -EFAULT;
}

export function sys_poll(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  const ms = a.int(2);
  const end = deadline(t, ms >= 0 ? ms : null);
  return do_sys_poll(t, a.ptr(0), a.int(1), end, end === null ? ERESTARTNOHAND : ERESTART_RESTARTBLOCK);
}

export function sys_ppoll(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  let ms: number | null = null;
  if (!a.zero(2)) {
    const r = getTimespecMs(t, a.ptr(2), false);
    if (r < 0) return r;
    ms = r;
  }
  const err = set_user_sigmask(t, a.ptr(3), a[4]);
  if (err) return err;
  const end = deadline(t, ms);
  const r = do_sys_poll(t, a.ptr(0), a.int(1), end, ERESTARTNOHAND);
  restore_saved_sigmask_unless(t, r === -ERESTARTNOHAND);
  if (r !== -ERESTARTNOHAND) writeRemaining(t, a.ptr(2), end, false);
  return r;
}

/** Linux core_sys_select() + do_select(): EBADF for a closed fd in any set. */
function core_sys_select(t: Task, n: number, addrs: [number, number, number], end: number | null): number {
  if (n < 0) return -EINVAL;
  n = Math.min(n, t.files.nofile);
  const bytes = Math.ceil(n / 64) * 8;
  const sets: Array<Uint8Array | null> = [];
  for (const addr of addrs) {
    if (!addr || !bytes) { sets.push(null); continue; }
    const raw = copy_from_user(t.mm!, addr, bytes);
    if (!raw) return -EFAULT;
    sets.push(raw);
  }
  const bit = (s: Uint8Array | null, fd: number): boolean => !!s && (s[fd >> 3]! & (1 << (fd & 7))) !== 0;
  const res = sets.map(() => new Uint8Array(bytes));
  const pt = new QueueCollector();
  let count = 0;
  for (let fd = 0; fd < n; fd++) {
    const want = [bit(sets[0]!, fd), bit(sets[1]!, fd), bit(sets[2]!, fd)];
    if (!want[0] && !want[1] && !want[2]) continue;
    const f = t.files.get(fd);
    if (!f) return -EBADF;
    const mask = vfs_poll(f, count ? null : pt);
    [POLLIN_SET, POLLOUT_SET, POLLEX_SET].forEach((set, i) => {
      if (want[i] && (mask & set)) { res[i]![fd >> 3]! |= 1 << (fd & 7); count++; }
    });
  }
  if (!count && !timedOut(end)) {
    if (!signal_pending(t)) sleep_on(t, pt.queues, end === null ? {} : { deadline: end });
    return -ERESTARTNOHAND;
  }
  for (let i = 0; i < 3; i++) if (addrs[i] && bytes && !copy_to_user(t.mm!, addrs[i]!, res[i]!)) return -EFAULT;
  return count;
}

export function sys_select(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  let ms: number | null = null;
  if (!a.zero(4)) {
    const r = getTimespecMs(t, a.ptr(4), true);
    if (r < 0) return r;
    ms = r;
  }
  const end = deadline(t, ms);
  const r = core_sys_select(t, a.int(0), [a.ptr(1), a.ptr(2), a.ptr(3)], end);
  if (r !== -ERESTARTNOHAND) writeRemaining(t, a.ptr(4), end, true);
  return r;
}

/** pselect6's sixth argument: { const sigset_t *p; size_t size; }. */
export function sys_pselect6(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  let ms: number | null = null;
  if (!a.zero(4)) {
    const r = getTimespecMs(t, a.ptr(4), false);
    if (r < 0) return r;
    ms = r;
  }
  if (!a.zero(5)) {
    const pack = copy_from_user(t.mm!, a.ptr(5), 16);
    if (!pack) return -EFAULT;
    const v = new DataView(pack.buffer);
    const err = set_user_sigmask(t, ptr(v.getBigUint64(0, true)), v.getBigUint64(8, true));
    if (err) return err;
  }
  const end = deadline(t, ms);
  const r = core_sys_select(t, a.int(0), [a.ptr(1), a.ptr(2), a.ptr(3)], end);
  restore_saved_sigmask_unless(t, r === -ERESTARTNOHAND);
  if (r !== -ERESTARTNOHAND) writeRemaining(t, a.ptr(4), end, false);
  return r;
}

/** This family's rows of the syscall table (see table.ts). */
export const POLL_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_poll, handler: sys_poll, support: 'full', args: ['ptr', 'uint', 'int'] },
  { nr: __NR_select, handler: sys_select, support: 'full', args: ['int', 'ptr', 'ptr', 'ptr', 'ptr'] },
  { nr: __NR_pselect6, handler: sys_pselect6, support: 'full', args: ['int', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr'] },
  { nr: __NR_ppoll, handler: sys_ppoll, support: 'full', args: ['ptr', 'uint', 'ptr', 'ptr', 'uint'] },
];
