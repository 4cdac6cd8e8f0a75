/**
 * procfs, devfs and memfd at the kernel API: what needs no guest code to
 * check, or cannot be compared with a native run (the host's own
 * terminal, mounts and memfd seals, which fcntl does not route yet).
 */

import { expect } from 'chai';
import { EINVAL, ENXIO, EPERM } from '../../abi/errno.js';
import { F_ADD_SEALS, F_GET_SEALS, F_SEAL_GROW, F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_WRITE, O_RDONLY, O_RDWR } from '../../abi/fcntl.js';
import { MFD_ALLOW_SEALING, MFD_EXEC, MFD_NOEXEC_SEAL } from '../../abi/misc.js';
import { bootKernel } from '../../cli/boot.js';
import { loadEngine } from '../../emulator/select.js';
import { memfd_create, memfd_fcntl } from '../../kernel/fs/memfd.js';
import { latin1 } from '../../kernel/fs/namei.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';
import { PROFILE_4_18, PROFILE_6_18 } from '../../kernel/profile.js';
import { lookup, must, open, readFile, writeFile } from './fsutil.js';

const engine = await loadEngine('interp');

function kernelWithTask(): { k: Kernel; t: Task } {
  const k = bootKernel({ engine });
  const t = k.createTask();
  t.comm = 'tester';
  k.current = t;
  return { k, t };
}

describe('kernel/fs procfs and devfs', () => {
  it('mounts /proc, /dev (with /dev/shm) and makes a sticky /tmp in every kernel', () => {
    const { t } = kernelWithTask();
    const mounts = readFile(t, '/proc/self/mounts');
    expect(mounts).to.be.a('string');
    const lines = (mounts as string).trim().split('\n');
    expect(lines[0]).to.equal('tmpfs / tmpfs rw 0 0');
    expect(lines).to.include('proc /proc proc rw,nosuid,nodev,noexec 0 0');
    expect(lines.some((l) => l.startsWith('udev /dev devtmpfs rw,nosuid'))).to.equal(true);
    expect(lines.some((l) => l.startsWith('tmpfs /dev/shm tmpfs rw'))).to.equal(true);
    expect(must(lookup(t, '/tmp')).d_inode.i_mode & 0o7777).to.equal(0o1777);
    const info = (readFile(t, '/proc/self/mountinfo') as string).split('\n')[1]!;
    expect(info).to.match(/^\d+ \d+ \d+:\d+ \/ \/proc rw,nosuid,nodev,noexec - proc proc rw$/);
  });

  it('opens /dev/tty as ENXIO when the guest has no controlling terminal', () => {
    const { t } = kernelWithTask();
    expect(open(t, '/dev/tty', O_RDWR)).to.equal(-ENXIO);
    expect(must(lookup(t, '/dev/tty')).d_inode.i_rdev).to.equal((5 << 8) | 0);
  });

  it('shows the task in /proc/self/status and /proc/self/stat', () => {
    const { t } = kernelWithTask();
    const status = readFile(t, '/proc/self/status') as string;
    expect(status).to.match(/^Name:\ttester\nUmask:\t0022\nState:\tR \(running\)\n/);
    expect(status).to.contain(`\nPid:\t${t.pid}\n`);
    expect(status).to.contain('\nUid:\t0\t0\t0\t0\n');
    const stat = readFile(t, '/proc/self/stat') as string;
    expect(stat.startsWith(`${t.pid} (tester) R `)).to.equal(true);
    expect(stat.trim().split(' ')).to.have.length(52);
  });

  it('renames the task through /proc/self/comm', () => {
    const { t } = kernelWithTask();
    expect(writeFile(t, '/proc/self/comm', 'renamed-task-with-a-long-name\n')).to.equal(0);
    expect(t.comm).to.equal('renamed-task-wi');
  });

  it('gives each open file a magic link in /proc/self/fd that reopens it, deleted or not', () => {
    const { t } = kernelWithTask();
    writeFile(t, '/tmp/f', 'content');
    const f = open(t, '/tmp/f', O_RDONLY);
    if (typeof f === 'number') throw new Error('open');
    const fd = t.files.install(f);
    const link = must(lookup(t, `/proc/self/fd/${fd}`, false)).d_inode;
    expect(latin1(link.readlink() as Uint8Array)).to.equal('/tmp/f');
    expect(link.i_mode & 0o777).to.equal(0o500);
    const m = memfd_create('demo', 0, t.cred, PROFILE_6_18);
    if (typeof m === 'number') throw new Error('memfd');
    const mfd = t.files.install(m);
    m.write(new Uint8Array(Buffer.from('in memory')));
    expect(latin1(must(lookup(t, `/proc/self/fd/${mfd}`, false)).d_inode.readlink() as Uint8Array)).to.equal('/memfd:demo (deleted)');
    expect(readFile(t, `/proc/self/fd/${mfd}`)).to.equal('in memory');
    expect(readFile(t, `/dev/fd/${mfd}`)).to.equal('in memory');
  });
});

describe('kernel/fs memfd', () => {
  const cred = { uid: 0, gid: 0, euid: 0, egid: 0, fsuid: 0, fsgid: 0 };

  it('refuses unknown flags and MFD_EXEC with MFD_NOEXEC_SEAL (EINVAL)', () => {
    expect(memfd_create('x', 0x100, cred, PROFILE_6_18)).to.equal(-EINVAL);
    expect(memfd_create('x', MFD_EXEC | MFD_NOEXEC_SEAL, cred, PROFILE_6_18)).to.equal(-EINVAL);
    expect(memfd_create('n'.repeat(250), 0, cred, PROFILE_6_18)).to.equal(-EINVAL);
  });

  it('is sealed against sealing unless MFD_ALLOW_SEALING (F_SEAL_SEAL, EPERM)', () => {
    const f = memfd_create('plain', 0, cred, PROFILE_6_18);
    if (typeof f === 'number') throw new Error('memfd');
    expect(memfd_fcntl(f, F_GET_SEALS, 0, PROFILE_6_18)).to.equal(F_SEAL_SEAL);
    expect(memfd_fcntl(f, F_ADD_SEALS, F_SEAL_WRITE, PROFILE_6_18)).to.equal(-EPERM);
  });

  it('enforces seals on writes and truncation as mm/memfd.c and mm/shmem.c do', () => {
    const f = memfd_create('sealed', MFD_ALLOW_SEALING, cred, PROFILE_6_18);
    if (typeof f === 'number') throw new Error('memfd');
    expect(memfd_fcntl(f, F_GET_SEALS, 0, PROFILE_6_18)).to.equal(0);
    expect(f.write(new Uint8Array(10))).to.equal(10);
    expect(memfd_fcntl(f, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW, PROFILE_6_18)).to.equal(0);
    expect(f.f_inode.truncate(3)).to.equal(-EPERM);
    expect(f.f_inode.truncate(100)).to.equal(-EPERM);
    expect(f.pwrite(new Uint8Array(4), 0)).to.equal(4);
    expect(f.pwrite(new Uint8Array(4), 8)).to.equal(-EPERM);
    expect(memfd_fcntl(f, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SEAL, PROFILE_6_18)).to.equal(0);
    expect(f.pwrite(new Uint8Array(1), 0)).to.equal(-EPERM);
    expect(memfd_fcntl(f, F_ADD_SEALS, F_SEAL_GROW, PROFILE_6_18)).to.equal(-EPERM);
    expect(memfd_fcntl(f, F_GET_SEALS, 0, PROFILE_6_18)).to.equal(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
    expect(memfd_fcntl(f, F_ADD_SEALS, 0x1000, PROFILE_6_18), 'unknown bits are checked first').to.equal(-EINVAL);
  });

  it('MFD_NOEXEC_SEAL clears the x bits and seals exec', () => {
    const f = memfd_create('noexec', MFD_NOEXEC_SEAL, cred, PROFILE_6_18);
    if (typeof f === 'number') throw new Error('memfd');
    expect(f.f_inode.i_mode & 0o777).to.equal(0o666);
    expect(memfd_fcntl(f, F_GET_SEALS, 0, PROFILE_6_18)).to.equal(0x20);
  });

  it('4.18 knows neither MFD_NOEXEC_SEAL nor F_SEAL_FUTURE_WRITE / F_SEAL_EXEC (EINVAL; 5.1 and 6.3 added them)', () => {
    expect(memfd_create('x', MFD_NOEXEC_SEAL, cred, PROFILE_4_18)).to.equal(-EINVAL);
    expect(memfd_create('x', MFD_EXEC, cred, PROFILE_4_18)).to.equal(-EINVAL);
    const f = memfd_create('sealed', MFD_ALLOW_SEALING, cred, PROFILE_4_18);
    if (typeof f === 'number') throw new Error('memfd');
    expect(memfd_fcntl(f, F_ADD_SEALS, 0x10, PROFILE_4_18)).to.equal(-EINVAL);
    expect(memfd_fcntl(f, F_ADD_SEALS, 0x20, PROFILE_4_18)).to.equal(-EINVAL);
    expect(memfd_fcntl(f, F_ADD_SEALS, F_SEAL_WRITE, PROFILE_4_18)).to.equal(0);
  });
});
