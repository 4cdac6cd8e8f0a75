/**
 * Copy a host directory tree into a kernel's tmpfs at the same absolute
 * path (files with their modes, directories, symlinks as symlinks), so a
 * test can run the same program natively and under kemu over the same files.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { installFile, mkdirs, toGuest } from '../../cli/boot.js';
import { latin1Bytes } from '../../kernel/fs/namei.js';
import { TmpfsSymlink } from '../../kernel/fs/tmpfs.js';
import type { Kernel } from '../../kernel/kernel.js';

export function mirrorDir(k: Kernel, hostDir: string): void {
  const d = mkdirs(k, toGuest(hostDir));
  d.d_inode.i_mode = (d.d_inode.i_mode & ~0o7777) | (fs.statSync(hostDir).mode & 0o7777);
  for (const e of fs.readdirSync(hostDir, { withFileTypes: true })) {
    const p = path.join(hostDir, e.name);
    if (e.isSymbolicLink()) {
      const link = new TmpfsSymlink(k.rootSb, latin1Bytes(toGuest(fs.readlinkSync(p))));
      d.d_inode.link(toGuest(e.name), link);
    } else if (e.isDirectory()) {
      mirrorDir(k, p);
    } else if (e.isFile()) {
      installFile(k, toGuest(p), fs.readFileSync(p), fs.statSync(p).mode & 0o7777);
    }
  }
}
