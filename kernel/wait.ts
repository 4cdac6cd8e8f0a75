/**
 * Wait queues: Linux include/linux/wait.h and kernel/sched/wait.c.
 *
 * A wait queue is a list of entries, each with a function that `wake_up`
 * calls. A task that must wait (an empty pipe, wait4, a futex) puts an
 * entry on every queue it waits on, goes to sleep, and its syscall returns
 * one of the -ERESTART* codes: the dispatcher backs RIP up over the
 * `syscall` so that the same call runs again when the task is woken (or a
 * signal handler turns it into EINTR). Host code waits on the same queues
 * through promises (`wait_event_host`), so a kernel module's `await` lets
 * guests run in between.
 */

import type { Task } from './task.js';
import { ktime_get_ms } from './ktime.js';

export type WakeFn = () => void;

/** Linux struct wait_queue_entry: who to wake and how. */
export class WaitQueueEntry {
  head: WaitQueueHead | null = null;
  constructor(readonly func: WakeFn) {}
}

/** Linux struct wait_queue_head. */
export class WaitQueueHead {
  private readonly entries = new Set<WaitQueueEntry>();

  add(e: WaitQueueEntry): void {
    e.head = this;
    this.entries.add(e);
  }

  remove(e: WaitQueueEntry): void {
    if (e.head === this) e.head = null;
    this.entries.delete(e);
  }

  /** Linux waitqueue_active(). */
  get active(): boolean { return this.entries.size > 0; }

  /**
   * Linux __wake_up(): call every entry's function. Entries usually remove
   * themselves (a woken task leaves every queue it slept on).
   */
  wake_up(): void {
    if (this.entries.size === 0) return;
    for (const e of [...this.entries]) e.func();
  }
}

/**
 * Linux prepare_to_wait() + schedule(): put `t` on each of `queues` and
 * mark it asleep. With a `deadline` (ktime_get_ms() milliseconds) a host
 * timer wakes it then. `killable`: only a fatal signal wakes it early
 * (TASK_KILLABLE), else any unblocked signal does (TASK_INTERRUPTIBLE).
 * The caller returns an -ERESTART* code right after.
 */
export function sleep_on(t: Task, queues: readonly WaitQueueHead[], opts: { deadline?: number; killable?: boolean } = {}): void {
  for (const q of queues) {
    const e = new WaitQueueEntry(() => t.kernel.wake_up_process(t));
    q.add(e);
    t.sleep_entries.push(e);
  }
  t.killable_only = opts.killable ?? false;
  t.state = 'sleeping';
  if (opts.deadline !== undefined && Number.isFinite(opts.deadline)) {
    const ms = Math.max(0, opts.deadline - ktime_get_ms());
    t.sleep_timer = setTimeout(() => t.kernel.wake_up_process(t), Math.min(ms, 2 ** 31 - 1));
  }
}

/** Linux finish_wait(): leave every queue and cancel the timer (the task is being woken). */
export function finish_wait(t: Task): void {
  for (const e of t.sleep_entries.splice(0)) e.head?.remove(e);
  if (t.sleep_timer) {
    clearTimeout(t.sleep_timer);
    t.sleep_timer = null;
  }
  t.killable_only = false;
}

/**
 * Host code's wait: resolves on the next wake_up of any of `queues` (or at
 * `timeoutMs`), never blocking Node's event loop. Returns false on timeout.
 */
export function wait_event_host(queues: readonly WaitQueueHead[], timeoutMs?: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const entries: WaitQueueEntry[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    const done = (woken: boolean): void => {
      for (const e of entries) e.head?.remove(e);
      if (timer) clearTimeout(timer);
      resolve(woken);
    };
    for (const q of queues) {
      const e = new WaitQueueEntry(() => done(true));
      q.add(e);
      entries.push(e);
    }
    if (timeoutMs !== undefined) timer = setTimeout(() => done(false), timeoutMs);
  });
}
