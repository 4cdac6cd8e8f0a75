/**
 * The host's stdin, stdout and stderr as guest files 0, 1 and 2.
 *
 * Seen by the guest as what the host descriptor is (a terminal, a pipe, a
 * file, a character device), reading and writing it synchronously. Whether it is a
 * terminal follows the host: TCGETS and TIOCGWINSZ answer ENOTTY unless the
 * host descriptor is a tty, so a guest's isatty() agrees with the shell's.
 */

import { fstatSync, readSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { EAGAIN, EBADF, EFAULT, EIO, ENOTTY, EPIPE } from '../../abi/errno.js';
import { O_NONBLOCK, O_RDWR, S_IFCHR, S_IFIFO, S_IFREG } from '../../abi/fcntl.js';
import { host_fd_may_block, host_poll, host_read } from '../pipe/host_stream.js';
import { DEFAULT_POLLMASK, type PollTable } from '../poll.js';
import { File, FMODE_READ, FMODE_WRITE, type IoctlIo } from './file.js';
import { Inode, type SuperBlock } from './inode.js';

const TCGETS = 0x5401;
const TIOCGWINSZ = 0x5413;
const TIOCGPGRP = 0x540f;

export interface HostStreamOptions {
  /** Where writes go instead of the host fd (tests capture output this way). */
  sink?: (bytes: Uint8Array) => void;
  /** Bytes to read instead of the host fd. */
  source?: Uint8Array;
}

/** /dev/pts/0: what a guest's fstat sees for a terminal. */
const TTY = { mode: S_IFCHR | 0o620, rdev: (136 << 8) | 0 };

/**
 * What a guest's fstat sees for a host descriptor that is not a terminal:
 * its real type, because libc decides on it. glibc's stdio, for one, makes
 * a stream line-buffered when st_rdev has a pty major (DEV_TTY_P in
 * libio/filedoalloc.c) and fully buffered on a pipe or a file; a program
 * whose stdout is a pipe to `head` must then write once at exit, as it does
 * natively, not line by line into a reader that has gone (EPIPE). The
 * test's sink and source stand for a pipe, as the native side of each
 * comparison has one.
 */
function hostKind(hostFd: number, opts: HostStreamOptions): { mode: number; rdev: number } {
  if (opts.sink || opts.source) return { mode: S_IFIFO | 0o600, rdev: 0 };
  try {
    const st = fstatSync(hostFd);
    if (st.isFIFO() || st.isSocket()) return { mode: S_IFIFO | 0o600, rdev: 0 };
    if (st.isFile()) return { mode: S_IFREG | 0o644, rdev: 0 };
    if (st.isCharacterDevice()) return { mode: S_IFCHR | 0o666, rdev: st.rdev };
  } catch {
    // A closed host descriptor: writes to it fail as they would; call it a pipe.
  }
  return { mode: S_IFIFO | 0o600, rdev: 0 };
}

/** node:tty, loaded on first need: its load (node:net, streams) is a few ms of every start-up otherwise. */
let ttyModule: typeof import('node:tty') | null = null;

/**
 * Whether host descriptor `fd` is a terminal. Only a character device can
 * be one, so a pipe, a file or /dev/null (a test, a benchmark, a script's
 * output) never loads node:tty.
 */
function host_isatty(fd: number): boolean {
  try {
    const st = fstatSync(fd);
    if (!st.isCharacterDevice()) return false;
    // Linux Documentation/admin-guide/devices.txt: character major 1 is the memory devices
    // (/dev/null, /dev/zero, /dev/urandom...), never a terminal; stdin from /dev/null is common.
    if (process.platform === 'linux' && ((st.rdev >> 8) & 0xfff) === 1) return false;
  } catch {
    return false; // a closed descriptor is no terminal, as isatty(3) says with EBADF
  }
  ttyModule ??= createRequire(import.meta.url)('node:tty') as typeof import('node:tty');
  return ttyModule.isatty(fd);
}

/**
 * The stream itself: the host descriptor (or the test's sink and source)
 * and whether it is a terminal. Every open file on it shares it, so
 * reopening /proc/self/fd/1 or /dev/stdout writes to the same place.
 */
class HostStreamInode extends Inode {
  readonly tty: boolean;
  sourcePos = 0;

  constructor(sb: SuperBlock, readonly hostFd: number, readonly opts: HostStreamOptions) {
    const isTty = !opts.sink && !opts.source && host_isatty(hostFd);
    const kind = isTty ? TTY : hostKind(hostFd, opts);
    super(kind.mode, sb);
    this.i_rdev = kind.rdev;
    this.tty = isTty;
  }

  /** Reopening (through /proc/self/fd/N) gives another file on the same stream. */
  override open(f: File): File {
    return new HostStreamFile(this.i_sb, this.hostFd, this.opts, this, f.f_flags, f.f_mode);
  }
}

export class HostStreamFile extends File {
  private readonly stream: HostStreamInode;

  constructor(sb: SuperBlock, readonly hostFd: number, opts: HostStreamOptions = {},
    inode?: HostStreamInode, flags = O_RDWR, fmode = FMODE_READ | FMODE_WRITE) {
    const ino = inode ?? new HostStreamInode(sb, hostFd, opts);
    super(ino, flags, fmode, ino.tty ? '/dev/pts/0' : `pipe:[${ino.i_ino}]`);
    this.stream = ino;
  }

  override isTty(): boolean { return this.stream.tty; }

  override read(dst: Uint8Array): number {
    if (!this.readable) return -EBADF;
    const { opts } = this.stream;
    const src = opts.source;
    if (src) {
      const n = Math.min(dst.length, src.length - this.stream.sourcePos);
      dst.set(src.subarray(this.stream.sourcePos, this.stream.sourcePos + n));
      this.stream.sourcePos += n;
      return n;
    }
    if (opts.sink) return 0;
    // A pipe or terminal could wait for ever: read it without blocking Node's event loop.
    if (host_fd_may_block(this.hostFd)) return host_read(this.hostFd, dst, (this.f_flags & O_NONBLOCK) !== 0);
    try {
      return readSync(this.hostFd, dst, 0, dst.length, null);
    } catch (e) {
      return hostErrno(e);
    }
  }

  /** poll (kernel/poll.ts): the test's source and sink are always ready; a host pipe or terminal when bytes came. */
  poll(pt: PollTable | null): number {
    const { opts } = this.stream;
    if (opts.source || opts.sink || !host_fd_may_block(this.hostFd)) return DEFAULT_POLLMASK;
    return host_poll(this.hostFd, pt, this.readable, this.writable);
  }

  override write(src: Uint8Array): number {
    if (!this.writable) return -EBADF;
    const { opts } = this.stream;
    if (opts.sink) {
      opts.sink(src.slice());
      return src.length;
    }
    try {
      let done = 0;
      while (done < src.length) done += writeSync(this.hostFd, src, done, src.length - done);
      return done;
    } catch (e) {
      return hostErrno(e);
    }
  }

  override pread(dst: Uint8Array): number { return this.read(dst); }
  override pwrite(src: Uint8Array): number { return this.write(src); }

  override ioctl(request: number, arg: number, io: IoctlIo): number {
    if (!this.stream.tty) return -ENOTTY;
    if (request === TCGETS) {
      // struct termios (36 bytes on x86-64): a cooked terminal's flags.
      const t = new Uint8Array(60);
      const v = new DataView(t.buffer);
      v.setUint32(0, 0x500, true); // c_iflag ICRNL|IXON
      v.setUint32(4, 0x5, true); // c_oflag OPOST|ONLCR
      v.setUint32(8, 0xbf, true); // c_cflag B38400|CS8|CREAD
      v.setUint32(12, 0x8a3b, true); // c_lflag ISIG|ICANON|ECHO|ECHOE|ECHOK|ECHOCTL|ECHOKE|IEXTEN
      return io.copyOut(arg, t.subarray(0, 36)) ? 0 : -EFAULT;
    }
    if (request === TIOCGWINSZ) {
      const stream = this.hostFd === 0 ? null : (this.hostFd === 1 ? process.stdout : process.stderr);
      const w = new Uint8Array(8);
      const v = new DataView(w.buffer);
      v.setUint16(0, stream?.rows ?? 24, true);
      v.setUint16(2, stream?.columns ?? 80, true);
      return io.copyOut(arg, w) ? 0 : -EFAULT;
    }
    if (request === TIOCGPGRP) return io.copyOut(arg, new Uint8Array([1, 0, 0, 0])) ? 0 : -EFAULT;
    return -ENOTTY;
  }
}

function hostErrno(e: unknown): number {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EAGAIN') return -EAGAIN;
  if (code === 'EOF') return 0;
  if (code === 'EPIPE') return -EPIPE;
  return -EIO;
}
