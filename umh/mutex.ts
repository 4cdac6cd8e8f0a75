/**
 * A sleeping lock for module code: Linux struct mutex (kernel/locking/
 * mutex.c) as host code needs it. Module code awaits guest I/O, so two
 * requests (or a request and rmmod) interleave at every await; bpfilter's
 * "since ip_getsockopt() can run in parallel, serialize access to umh"
 * mutex is what keeps one request/reply pair together. Waiters get the
 * lock in the order they asked (FIFO, as Linux's wait_list).
 */

export class Mutex {
  private held = false;
  private readonly waiters: Array<() => void> = [];

  /** Linux mutex_lock(): resolves once the caller holds the lock. */
  lock(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Linux mutex_unlock(): hand the lock to the first waiter, if any. */
  unlock(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.held = false;
  }

  /** Linux mutex_is_locked(). */
  get locked(): boolean { return this.held; }
}
