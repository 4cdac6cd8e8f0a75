/**
 * /dev/tty for `kemu run`: the guest's controlling terminal is the host's,
 * when kemu has one (Linux tty_open_current_tty: ENXIO without a
 * controlling terminal). Tests never set this, so there /dev/tty is ENXIO.
 */

import { openSync } from 'node:fs';
import { ENXIO } from '../abi/errno.js';
import type { File } from '../kernel/fs/file.js';
import { HostStreamFile } from '../kernel/fs/hoststream.js';

export function hostTtyOpener(base: File): File | number {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    return -ENXIO;
  }
  return new HostStreamFile(base.f_inode.i_sb, fd, {}, undefined, base.f_flags, base.f_mode);
}
