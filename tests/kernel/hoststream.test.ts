/**
 * The host's stdio as guest files: a guest's fstat must see what the host
 * descriptor is, since libc picks its buffering by it (glibc line-buffers a
 * stream whose st_rdev has a pty major). Natively `sort --version | head -2`
 * writes once into the pipe; with a tty-looking stdout it wrote line by line
 * and met EPIPE when head had gone.
 */

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { S_IFCHR, S_IFIFO, S_IFMT, S_IFREG } from '../../abi/fcntl.js';
import { bootKernel } from '../../cli/boot.js';
import { loadEngine } from '../../emulator/select.js';
import { HostStreamFile } from '../../kernel/fs/hoststream.js';

const engine = await loadEngine('interp');

function kindOf(hostFd: number, opts = {}): { type: number; rdev: number; tty: boolean } {
  const k = bootKernel({ engine });
  const f = new HostStreamFile(k.rootSb, hostFd, opts);
  return { type: f.f_inode.i_mode & S_IFMT, rdev: f.f_inode.i_rdev, tty: f.isTty() };
}

describe('kernel/fs/hoststream: host stdio as the guest sees it', () => {
  it('a host file is a regular file', () => {
    const p = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-hs-')), 'out');
    const fd = fs.openSync(p, 'w');
    try {
      expect(kindOf(fd)).to.deep.equal({ type: S_IFREG, rdev: 0, tty: false });
    } finally {
      fs.closeSync(fd);
      fs.rmSync(path.dirname(p), { recursive: true });
    }
  });

  it('/dev/null is a character device with its own numbers, not a terminal', () => {
    const fd = fs.openSync('/dev/null', 'w');
    try {
      expect(kindOf(fd)).to.deep.equal({ type: S_IFCHR, rdev: fs.fstatSync(fd).rdev, tty: false });
      expect(fs.fstatSync(fd).rdev).to.equal((1 << 8) | 3);
    } finally {
      fs.closeSync(fd);
    }
  });

  it("a test's sink or source stands for a pipe, as the native side of a comparison has", () => {
    expect(kindOf(1, { sink: () => {} })).to.deep.equal({ type: S_IFIFO, rdev: 0, tty: false });
    expect(kindOf(0, { source: new Uint8Array(0) })).to.deep.equal({ type: S_IFIFO, rdev: 0, tty: false });
  });
});
