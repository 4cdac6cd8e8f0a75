/**
 * Polling a file: Linux include/linux/poll.h (poll_table, poll_wait,
 * vfs_poll, DEFAULT_POLLMASK). A file kind that can make a caller wait
 * (a pipe) implements `poll(pt)`: it names the wait queues a poller should
 * sleep on and returns the events ready now. Files without it are always
 * ready (regular files, tmpfs, procfs), as in Linux.
 */

import { POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM } from '../abi/misc.js';
import type { File } from './fs/file.js';
import type { WaitQueueHead } from './wait.js';

/** Linux DEFAULT_POLLMASK: what a file with no ->poll reports. */
export const DEFAULT_POLLMASK = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;

/** Linux poll_table: collects the wait queues of the files polled. */
export interface PollTable {
  wait(q: WaitQueueHead): void;
}

interface Pollable {
  poll(pt: PollTable | null): number;
}

function isPollable(f: File): f is File & Pollable {
  return typeof (f as Partial<Pollable>).poll === 'function';
}

/** Linux vfs_poll(): the file's ready events, registering `pt`'s queues when given. */
export function vfs_poll(f: File, pt: PollTable | null): number {
  return isPollable(f) ? f.poll(pt) : DEFAULT_POLLMASK;
}

/** A poll table that gathers queues (once each) for the caller to sleep on. */
export class QueueCollector implements PollTable {
  readonly queues: WaitQueueHead[] = [];
  wait(q: WaitQueueHead): void {
    if (!this.queues.includes(q)) this.queues.push(q);
  }
}
