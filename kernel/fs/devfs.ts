/**
 * /dev: a devtmpfs (a tmpfs whose device nodes open drivers) with the
 * memory devices of Linux drivers/char/mem.c (null, zero, full, random,
 * urandom), /dev/tty (drivers/tty/tty_io.c: ENXIO without a controlling
 * terminal), and the links udev makes (fd -> /proc/self/fd, stdin,
 * stdout, stderr), plus /dev/shm and /dev/pts directories.
 *
 * Device nodes are ordinary tmpfs special inodes (a guest may mknod more,
 * or remove these); opening one finds its driver by major:minor here
 * (Linux chrdev_open), so /dev/null made anywhere behaves the same.
 */

import { get_random_bytes } from '../random.js';
import { ENOSPC, ENXIO } from '../../abi/errno.js';
import { S_IFCHR } from '../../abi/fcntl.js';
import { new_encode_dev } from '../../abi/stat.js';
import { File } from './file.js';
import { newSuperBlock, type Inode, type SuperBlock } from './inode.js';
import { latin1Bytes, ROOT_CRED } from './namei.js';
import { specialOpen, TmpfsDir } from './tmpfs.js';

/** A character device's open file: reads and writes go to the driver, not an inode's bytes. */
export abstract class CharDevFile extends File {
  constructor(base: File) {
    super(base.f_inode, base.f_flags, base.f_mode, base.f_path, base.f_dentry);
  }
  override pread(dst: Uint8Array): number { return this.read(dst); }
  override pwrite(src: Uint8Array): number { return this.write(src); }
  /** Linux noop_llseek / null_lseek: the memory devices accept any seek and stay at 0. */
  override llseek(): number { return (this.f_pos = 0); }
}

/** /dev/null: reads are EOF, writes vanish (drivers/char/mem.c read_null / write_null). */
class NullFile extends CharDevFile {
  override read(): number { return 0; }
  override write(src: Uint8Array): number { return src.length; }
}

/** /dev/zero: reads are zeros, writes vanish. */
class ZeroFile extends CharDevFile {
  override read(dst: Uint8Array): number { dst.fill(0); return dst.length; }
  override write(src: Uint8Array): number { return src.length; }
}

/** /dev/full: reads are zeros, every write is ENOSPC (write_full). */
class FullFile extends CharDevFile {
  override read(dst: Uint8Array): number { dst.fill(0); return dst.length; }
  override write(): number { return -ENOSPC; }
}

/** /dev/random and /dev/urandom: the host's CSPRNG; writes are accepted (they would mix into the pool). */
class RandomFile extends CharDevFile {
  override read(dst: Uint8Array): number { get_random_bytes(dst); return dst.length; }
  override write(src: Uint8Array): number { return src.length; }
}

/** How devfs opens /dev/tty: a terminal file, or -ENXIO when the guest has no controlling terminal. */
export type TtyOpener = (base: File) => File | number;

type Driver = (base: File) => File | number;

/** Linux include/uapi/linux/major.h MEM_MAJOR 1, TTYAUX_MAJOR 5. */
const MEM_MAJOR = 1;
const TTYAUX_MAJOR = 5;

/** The memory devices: name, minor, mode, driver (drivers/char/mem.c devlist). */
const MEM_DEVICES: ReadonlyArray<[string, number, number, Driver]> = [
  ['null', 3, 0o666, (b) => new NullFile(b)],
  ['zero', 5, 0o666, (b) => new ZeroFile(b)],
  ['full', 7, 0o666, (b) => new FullFile(b)],
  ['random', 8, 0o666, (b) => new RandomFile(b)],
  ['urandom', 9, 0o666, (b) => new RandomFile(b)],
];

/** The driver table chrdev_open consults, by dev_t. */
const drivers = new Map<number, Driver>(
  MEM_DEVICES.map(([, minor, , drv]) => [new_encode_dev(MEM_MAJOR, minor), drv]),
);

let ttyOpener: TtyOpener = () => -ENXIO;

/** Set how /dev/tty opens (the command line gives the host's terminal; tests give none: ENXIO). */
export function set_tty_opener(open: TtyOpener | null): void {
  ttyOpener = open ?? (() => -ENXIO);
}

drivers.set(new_encode_dev(TTYAUX_MAJOR, 0), (b) => ttyOpener(b));

/** Linux chrdev_open(): the driver for the node's device number, ENXIO when none is registered. */
specialOpen.chrdev = (inode: Inode, f: File): File | number => {
  const drv = drivers.get(inode.i_rdev);
  return drv ? drv(f) : -ENXIO;
};

/**
 * A fresh devtmpfs, filled as udev would: the devices above, /dev/tty,
 * the fd links, and empty pts and shm directories (the caller mounts a
 * tmpfs on shm).
 */
export function devtmpfs(): { sb: SuperBlock; root: TmpfsDir } {
  const sb = newSuperBlock('devtmpfs', { nosuid: true, options: 'mode=755' });
  const root = new TmpfsDir(sb, 0o755);
  for (const [name, minor, mode] of MEM_DEVICES) {
    root.mknod(name, S_IFCHR | mode, new_encode_dev(MEM_MAJOR, minor), ROOT_CRED);
  }
  root.mknod('tty', S_IFCHR | 0o666, new_encode_dev(TTYAUX_MAJOR, 0), ROOT_CRED);
  root.symlink('fd', latin1Bytes('/proc/self/fd'), ROOT_CRED);
  root.symlink('stdin', latin1Bytes('/proc/self/fd/0'), ROOT_CRED);
  root.symlink('stdout', latin1Bytes('/proc/self/fd/1'), ROOT_CRED);
  root.symlink('stderr', latin1Bytes('/proc/self/fd/2'), ROOT_CRED);
  root.mkdir('pts', 0o755, ROOT_CRED);
  root.mkdir('shm', 0o1777, ROOT_CRED);
  return { sb, root };
}
