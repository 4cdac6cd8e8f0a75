/**
 * BSD file locks, flock(2): Linux fs/locks.c (flock_lock_inode,
 * locks_remove_file). A lock belongs to an open file description, so
 * dup'd and inherited descriptors share it; it goes when that file's
 * last reference does. A shared lock conflicts with an exclusive one, an
 * exclusive one with any other; converting drops the old lock first (not
 * atomic, as Linux documents). A conflicting request sleeps unless
 * LOCK_NB (EWOULDBLOCK).
 */

import { EINVAL, ERESTARTSYS, EWOULDBLOCK } from '../../abi/errno.js';
import { LOCK_EX, LOCK_NB, LOCK_SH, LOCK_UN } from '../../abi/fcntl.js';
import { signal_pending } from '../signal.js';
import type { Task } from '../task.js';
import { sleep_on, WaitQueueHead } from '../wait.js';
import type { File } from './file.js';
import type { Inode } from './inode.js';

/** Linux struct file_lock_context, the flock part: holders and the queue of waiters. */
interface FlockContext {
  holders: Map<File, 'shared' | 'exclusive'>;
  wait: WaitQueueHead;
}

const contexts = new WeakMap<Inode, FlockContext>();

function ctx(inode: Inode): FlockContext {
  let c = contexts.get(inode);
  if (!c) { c = { holders: new Map(), wait: new WaitQueueHead() }; contexts.set(inode, c); }
  return c;
}

/** Linux flock_lock_inode(): take, convert or drop `f`'s lock; -ERESTARTSYS after putting `t` to sleep. */
export function flock_lock_file(t: Task, f: File, cmd: number): number {
  const op = cmd & ~LOCK_NB;
  if (op !== LOCK_SH && op !== LOCK_EX && op !== LOCK_UN) return -EINVAL;
  const c = ctx(f.f_inode);
  const want = op === LOCK_EX ? 'exclusive' : 'shared';
  const mine = c.holders.get(f);
  if (op !== LOCK_UN && mine === want) return 0;
  if (mine) {
    c.holders.delete(f);
    c.wait.wake_up();
  }
  if (op === LOCK_UN) return 0;
  const conflict = [...c.holders.values()].some((m) => want === 'exclusive' || m === 'exclusive');
  if (!conflict) {
    c.holders.set(f, want);
    return 0;
  }
  if (cmd & LOCK_NB) return -EWOULDBLOCK;
  if (!signal_pending(t)) sleep_on(t, [c.wait]);
  return -ERESTARTSYS;
}

/** Linux locks_remove_file(): the last reference to `f` releases its lock. */
export function locks_remove_file(f: File): void {
  const c = contexts.get(f.f_inode);
  if (c?.holders.delete(f)) c.wait.wake_up();
}
