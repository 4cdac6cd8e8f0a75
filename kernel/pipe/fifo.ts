/**
 * FIFOs: Linux fs/pipe.c fifo_open() for a node made by mknod(S_IFIFO) or
 * mkfifo. The node holds one pipe (inode->i_pipe) while any file is open
 * on it; every open is a PipeFile on that pipe, named after the node.
 *
 * Opening waits for the other side, as POSIX asks: a reader until some
 * writer has opened, a writer until some reader has. O_NONBLOCK: a reader
 * opens at once, a writer with no reader gets ENXIO. O_RDWR never waits
 * (it is its own partner). The wait is a sleep on the pipe's wait queues
 * with -ERESTARTSYS: a signal handler makes it EINTR (or restarts it with
 * SA_RESTART), and the side it had counted is given back.
 */

import { EINVAL, ENXIO, ERESTARTSYS } from '../../abi/errno.js';
import { O_NONBLOCK } from '../../abi/fcntl.js';
import { FMODE_READ, FMODE_WRITE, fput, type File } from '../fs/file.js';
import type { Inode } from '../fs/inode.js';
import { specialOpen } from '../fs/tmpfs.js';
import { get_current } from '../sched.js';
import { signal_pending } from '../signal.js';
import type { Task } from '../task.js';
import { sleep_on } from '../wait.js';
import { PipeFile, PipeInodeInfo } from './pipe.js';

/** Linux inode->i_pipe for FIFO nodes. */
const i_pipe = new WeakMap<Inode, PipeInodeInfo>();

/** A FIFO open waiting for its partner, kept in the restart block across the sleep. */
interface FifoWait {
  pipe: PipeInodeInfo;
  /** Which counter it waits on to move: the writers' opens for a reader, the readers' for a writer. */
  side: 'w_counter' | 'r_counter';
  seen: number;
  /** The file fifo_open made and counted; the restarted open returns it. */
  file: PipeFile;
}

/** Linux fifo_open(). Returns the open file, -ENXIO, -EINVAL or -ERESTARTSYS (asleep). */
export function fifo_open(inode: Inode, f: File): File | number {
  const t = get_current();
  const rb = t?.restart_block ?? null;
  const waiting = rb?.data as FifoWait | undefined;
  if (waiting && waiting.pipe === i_pipe.get(inode)) return wait_for_partner(t!, waiting);
  const fmode = f.f_mode & (FMODE_READ | FMODE_WRITE);
  if (!fmode) return -EINVAL;
  const nonblock = (f.f_flags & O_NONBLOCK) !== 0;
  const existing = i_pipe.get(inode);
  // Linux: O_WRONLY|O_NONBLOCK with no reader is ENXIO, before anything is counted.
  if (fmode === FMODE_WRITE && nonblock && !existing?.readers) return -ENXIO;
  const pipe = existing ?? newFifoPipe(inode, t);
  if (!pipe) return -ENXIO; // no task and no kernel to make one with: host code opening a FIFO nobody uses
  if (fmode & FMODE_READ) { pipe.r_counter++; pipe.readers++; }
  if (fmode & FMODE_WRITE) { pipe.w_counter++; pipe.writers++; }
  // wake_up_partner(): whoever waits for this side to appear.
  pipe.rd_wait.wake_up();
  pipe.wr_wait.wake_up();
  const file = new PipeFile(pipe, f.f_flags, fmode, { node: inode, dentry: f.f_dentry });
  if (fmode === FMODE_READ && !pipe.writers && !nonblock && t) {
    return sleep_for_partner(t, { pipe, side: 'w_counter', seen: pipe.w_counter, file });
  }
  if (fmode === FMODE_WRITE && !pipe.readers && t) {
    return sleep_for_partner(t, { pipe, side: 'r_counter', seen: pipe.r_counter, file });
  }
  return file;
}

function newFifoPipe(inode: Inode, t: Task | null): PipeInodeInfo | null {
  if (!t) return null;
  const pipe = new PipeInodeInfo(t.kernel);
  pipe.onLastClose = () => { if (i_pipe.get(inode) === pipe) i_pipe.delete(inode); };
  i_pipe.set(inode, pipe);
  return pipe;
}

/**
 * Linux wait_for_partner(): sleep until the other side's open counter
 * moves. The counted file waits in the restart block; if the call is
 * abandoned (a signal handler, the task's end) it is closed, which gives
 * its side back and wakes the other one.
 */
function sleep_for_partner(t: Task, w: FifoWait): number {
  const rb = t.restart_block!;
  rb.data = w;
  rb.cleanup = () => { fput(w.file); };
  if (signal_pending(t)) { rb.cleanup(); rb.cleanup = undefined; rb.data = undefined; return -ERESTARTSYS; }
  sleep_on(t, [w.pipe.rd_wait, w.pipe.wr_wait]);
  return -ERESTARTSYS;
}

/** The restarted open: done once the partner came, else back to sleep. */
function wait_for_partner(t: Task, w: FifoWait): File | number {
  const rb = t.restart_block!;
  if (w.pipe[w.side] !== w.seen) {
    rb.data = undefined;
    rb.cleanup = undefined;
    return w.file;
  }
  sleep_on(t, [w.pipe.rd_wait, w.pipe.wr_wait]);
  return -ERESTARTSYS;
}

specialOpen.fifo = fifo_open;
