/**
 * Pipes: Linux fs/pipe.c (6.x: pipe_read, pipe_write, pipe_poll,
 * pipe_release, pipe_set_size, create_pipe_files) and
 * include/linux/pipe_fs_i.h.
 *
 * A pipe is a ring of at most `max_usage` buffers of one page each (16 by
 * default, so 64 KiB when every page is full). A write first tops up the
 * last page if its tail (the write's length modulo PAGE_SIZE) fits there,
 * then fills fresh pages, so a write of up to PIPE_BUF (one page) is
 * never split: it either fits whole or waits. Reading an empty pipe with
 * no writers is EOF; writing with no readers is EPIPE plus SIGPIPE for a
 * task (host code, writing through kernel_write, gets EPIPE only).
 */

import { EAGAIN, EBUSY, EFAULT, EINVAL, EPERM, EPIPE, ERESTARTSYS, ESPIPE } from '../../abi/errno.js';
import { O_DIRECT, O_NONBLOCK, O_RDONLY, O_WRONLY, S_IFIFO } from '../../abi/fcntl.js';
import { FIONREAD } from '../../abi/ioctl.js';
import { PAGE_SIZE, PIPE_DEF_BUFFERS, PIPE_MAX_SIZE } from '../../abi/limits.js';
import { POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM } from '../../abi/misc.js';
import { SIGPIPE } from '../../abi/signal.js';
import { File, FMODE_READ, FMODE_WRITE, type IoctlIo } from '../fs/file.js';
import type { Dentry } from '../fs/dcache.js';
import { Inode } from '../fs/inode.js';
import { newSuperBlock } from '../fs/tmpfs.js';
import type { Kernel } from '../kernel.js';
import { signal_pending } from '../signal.js';
import { send_sig } from '../signal_deliver.js';
import type { Task } from '../task.js';
import { sleep_on, WaitQueueHead } from '../wait.js';
import type { PollTable } from '../poll.js';

/** Linux fs/pipe.c pipe_mnt: the pseudo filesystem pipe inodes live on. */
const pipefs = newSuperBlock('pipefs');

/** Linux struct pipe_buffer: one page, and the bytes of it still unread. */
interface PipeBuffer {
  page: Uint8Array;
  offset: number;
  len: number;
  /** PIPE_BUF_FLAG_CAN_MERGE: later small writes may append to this page. */
  canMerge: boolean;
  /** PIPE_BUF_FLAG_PACKET (O_DIRECT pipes): a read takes the whole packet or the rest is lost. */
  packet: boolean;
}

/** Linux struct pipe_inode_info. */
export class PipeInodeInfo extends Inode {
  readonly bufs: PipeBuffer[] = [];
  /** The most buffers the ring holds (F_SETPIPE_SZ changes it). */
  max_usage = PIPE_DEF_BUFFERS;
  readers = 0;
  writers = 0;
  /** Linux r_counter / w_counter: opens of each side so far, which a FIFO open waiting for a partner watches. */
  r_counter = 0;
  w_counter = 0;
  /** A FIFO forgets its pipe (and unread bytes) when the last file on it closes (Linux put_pipe_info). */
  onLastClose: (() => void) | null = null;
  /** Pages read empty, kept for the next writes (Linux keeps one as pipe->tmp_page). */
  private readonly free_pages: Uint8Array[] = [];
  /** Linux 5.6+ splits the wait queue: readers wait on rd_wait, writers on wr_wait. */
  readonly rd_wait = new WaitQueueHead();
  readonly wr_wait = new WaitQueueHead();

  constructor(readonly kernel: Kernel) {
    super(S_IFIFO | 0o600, pipefs);
  }

  /**
   * Linux fifo_open() on a pipefs inode: a pipe opened again through its
   * /proc/PID/fd magic link (bash's `<(cmd)` reads /dev/fd/63) is a new
   * file on the same ring, one more reader and/or writer; for a pipe (not
   * a FIFO) no open waits for a partner. No access mode at all is EINVAL.
   */
  override open(f: File): File | number {
    const fmode = f.f_mode & (FMODE_READ | FMODE_WRITE);
    if (!fmode) return -EINVAL;
    return new PipeFile(this, f.f_flags, fmode);
  }

  get empty(): boolean { return this.bufs.length === 0; }
  get full(): boolean { return this.bufs.length >= this.max_usage; }
  /** FIONREAD: bytes waiting. */
  get nrbytes(): number { return this.bufs.reduce((n, b) => n + b.len, 0); }

  /**
   * Linux pipe_read() without the sleep: bytes into `dst`, 0 at EOF (no
   * writers), or -EAGAIN when empty with writers. Wakes writers when space
   * was freed. Only the first `room` bytes of `dst` stand for user memory
   * the reader can take (the rest faults): a pipe buffer that does not fit
   * there stays in the pipe, and -EFAULT if nothing was read.
   */
  readSome(dst: Uint8Array, room = dst.length): number {
    if (dst.length === 0) return 0;
    let ret = 0;
    let total = dst.length;
    while (this.bufs.length) {
      const buf = this.bufs[0]!;
      const chars = Math.min(buf.len, total);
      // Linux: copy_page_to_iter() came up short -> stop; EFAULT if it was the first buffer.
      if (ret + chars > room) { if (!ret) return -EFAULT; break; }
      dst.set(buf.page.subarray(buf.offset, buf.offset + chars), ret);
      ret += chars;
      buf.offset += chars;
      buf.len -= chars;
      if (buf.packet) { total = chars; buf.len = 0; }
      if (!buf.len) {
        this.bufs.shift();
        if (this.free_pages.length < this.max_usage) this.free_pages.push(buf.page);
      }
      total -= chars;
      if (!total) break;
    }
    if (ret) { this.wr_wait.wake_up(); return ret; }
    return this.writers ? -EAGAIN : 0;
  }

  /**
   * Linux pipe_write() without the sleep: as much of `src` as fits, from
   * `resumed` (a write that slept part-way continues without the merge
   * step). Returns the count, -EAGAIN when nothing fit, -EPIPE with no
   * readers and nothing written. A write of `count` bytes of which only
   * `src` could be read from user memory (the rest faults) moves whole
   * chunks only, as Linux copies a page at a time: -EFAULT if none moved.
   */
  writeSome(src: Uint8Array, resumed: boolean, packet: boolean, count = src.length): number {
    this.faulted = false;
    if (count === 0) return 0;
    if (!this.readers) return -EPIPE;
    let ret = 0;
    const chars = count & (PAGE_SIZE - 1);
    if (!resumed && chars && !this.empty && !packet) {
      const buf = this.bufs[this.bufs.length - 1]!;
      const offset = buf.offset + buf.len;
      if (buf.canMerge && offset + chars <= PAGE_SIZE) {
        if (chars > src.length) return -EFAULT; // Linux: a short copy into the last page fails the write
        buf.page.set(src.subarray(0, chars), offset);
        buf.len += chars;
        ret = chars;
      }
    }
    while (ret < count && !this.full) {
      const n = Math.min(PAGE_SIZE, count - ret);
      // Linux: copy_page_from_iter() came up short with bytes left -> stop (the page is dropped).
      if (ret + n > src.length) { this.faulted = true; break; }
      const page = this.free_pages.pop() ?? new Uint8Array(PAGE_SIZE);
      page.set(src.subarray(ret, ret + n));
      this.bufs.push({ page, offset: 0, len: n, canMerge: !packet, packet });
      ret += n;
    }
    if (ret) this.rd_wait.wake_up();
    return ret || (this.faulted ? -EFAULT : -EAGAIN);
  }

  /** The last writeSome stopped at user memory that faults (not at a full pipe). */
  faulted = false;

  /** Linux pipe_set_size(): F_SETPIPE_SZ. Returns the new size in bytes or -errno. */
  set_size(arg: number, privileged: boolean): number {
    const size = round_pipe_size(arg >>> 0);
    const slots = Math.floor(size / PAGE_SIZE);
    if (!slots) return -EINVAL;
    if (slots > this.max_usage && size > PIPE_MAX_SIZE && !privileged) return -EPERM;
    if (slots < this.bufs.length) return -EBUSY;
    this.max_usage = slots;
    this.wr_wait.wake_up();
    return this.max_usage * PAGE_SIZE;
  }
}

/** Linux round_pipe_size(): a power of two of at least one page; 0 above 2^31. */
export function round_pipe_size(size: number): number {
  if (size > 2 ** 31) return 0;
  if (size < PAGE_SIZE) return PAGE_SIZE;
  return 2 ** Math.ceil(Math.log2(size));
}

/** One end of a pipe: Linux pipefifo_fops on a struct file. */
export class PipeFile extends File {
  /**
   * An open end of `pipe`. A FIFO's file (fifo.ts) names its node and
   * dentry instead of the pipe, and fifo_open counted it already.
   */
  constructor(readonly pipe: PipeInodeInfo, flags: number, fmode: number, fifo?: { node: Inode; dentry: Dentry | null }) {
    super(fifo?.node ?? pipe, flags, fmode, `pipe:[${pipe.i_ino}]`, fifo?.dentry ?? null);
    if (fifo) return;
    if (fmode & FMODE_READ) pipe.readers++;
    if (fmode & FMODE_WRITE) pipe.writers++;
  }

  private get nonblock(): boolean { return (this.f_flags & O_NONBLOCK) !== 0; }

  /** The task on whose behalf a guest syscall runs (null when host code calls). */
  private current(): Task | null { return this.pipe.kernel.current; }

  /**
   * Linux pipe_read(): an empty pipe with writers puts a blocking reader to
   * sleep (-ERESTARTSYS). `room`: the bytes of `dst` user memory can take.
   */
  override read(dst: Uint8Array, room = dst.length): number {
    const r = this.pipe.readSome(dst, room);
    if (r !== -EAGAIN || this.nonblock) return r;
    const t = this.current();
    if (!t) return r;
    if (!signal_pending(t)) sleep_on(t, [this.pipe.rd_wait]);
    return -ERESTARTSYS;
  }

  /**
   * Linux pipe_write(): a blocking writer sleeps while the pipe is full;
   * what it wrote before sleeping is remembered in the restart block, so
   * the write continues where it stopped, and a signal then ends it with
   * that partial count. `count`: the bytes the guest asked to write, of
   * which `src` is what could be read from its memory (the rest faults).
   */
  override write(src: Uint8Array, count = src.length): number {
    const t = this.current();
    const rb = t?.restart_block ?? null;
    const done = rb?.progress ?? 0;
    const packet = (this.f_flags & O_DIRECT) !== 0;
    const r = this.pipe.writeSome(done ? src.subarray(done) : src, done > 0, packet, count - done);
    if (r === -EPIPE) {
      if (t) send_sig(this.pipe.kernel, SIGPIPE, t);
      return done || -EPIPE;
    }
    if (r === -EFAULT) return done || -EFAULT;
    const total = done + (r > 0 ? r : 0);
    if (total === count || this.pipe.faulted) return total;
    if (this.nonblock || !t || !rb) return total || -EAGAIN;
    if (signal_pending(t)) return total || -ERESTARTSYS;
    rb.progress = total;
    if (total) rb.result = total;
    sleep_on(t, [this.pipe.wr_wait]);
    return -ERESTARTSYS;
  }

  override pread(): number { return -ESPIPE; }
  override pwrite(): number { return -ESPIPE; }

  override ioctl(request: number, arg: number, io: IoctlIo): number {
    if (request !== FIONREAD) return super.ioctl(request, arg, io);
    const out = new Uint8Array(4);
    new DataView(out.buffer).setInt32(0, this.pipe.nrbytes, true);
    return io.copyOut(arg, out) ? 0 : -EFAULT;
  }

  /** Linux pipe_poll(). */
  poll(pt: PollTable | null): number {
    const p = this.pipe;
    pt?.wait(p.rd_wait);
    pt?.wait(p.wr_wait);
    let mask = 0;
    if (this.readable) {
      if (!p.empty) mask |= POLLIN | POLLRDNORM;
      if (!p.writers) mask |= POLLHUP;
    }
    if (this.writable) {
      if (!p.full) mask |= POLLOUT | POLLWRNORM;
      if (!p.readers) mask |= POLLERR;
    }
    return mask;
  }

  /** Linux pipe_release(): the last reader or writer going wakes the other side. */
  override release(): void {
    if (this.readable) this.pipe.readers--;
    if (this.writable) this.pipe.writers--;
    this.pipe.rd_wait.wake_up();
    this.pipe.wr_wait.wake_up();
    if (!this.pipe.readers && !this.pipe.writers) this.pipe.onLastClose?.();
  }
}

/**
 * Linux create_pipe_files(): the read end (O_RDONLY) and the write end
 * (O_WRONLY), with O_NONBLOCK and, on the write end, O_DIRECT (packet mode).
 */
export function create_pipe_files(k: Kernel, flags: number): [PipeFile, PipeFile] {
  const pipe = new PipeInodeInfo(k);
  const w = new PipeFile(pipe, O_WRONLY | (flags & (O_NONBLOCK | O_DIRECT)), FMODE_WRITE);
  const r = new PipeFile(pipe, O_RDONLY | (flags & O_NONBLOCK), FMODE_READ);
  return [r, w];
}
