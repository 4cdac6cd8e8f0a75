/**
 * The 5.9+ user mode driver (kernel/usermode_driver.c), what the 6.18
 * profile runs: a named 0700 file in a private tmpfs, exec'd by its
 * relative name from a cwd at that tmpfs, argv = { driver_name }.
 */

import { expect } from 'chai';
import { EBUSY, EINVAL, ENOEXEC } from '../../abi/errno.js';
import { S_IFREG } from '../../abi/fcntl.js';
import { PROFILE_6_18 } from '../../kernel/profile.js';
import { UMH_DEBUG } from '../../umh/bpfilter/msgfmt.js';
import { kernel_counts } from '../../umh/counts.js';
import { kill_pid, thread_group_exited, wait_for_exit } from '../../umh/kernel_io.js';
import {
  fork_usermode_driver, new_umd_info, umd_cleanup_helper, umd_load_blob, umd_unload_blob,
} from '../../umh/usermode_driver.js';
import { describeEachEngine } from '../helpers/engines.js';
import { BLOB, bootUmh, req, transact } from './helpers.js';

describeEachEngine('usermode_driver (Linux 5.9+, the 6.18 profile)', (engine) => {
  it('writes the blob as a 0700 file named after the driver in a private tmpfs', () => {
    const k = bootUmh(engine, PROFILE_6_18);
    const info = new_umd_info('bpfilter_umh');
    expect(umd_load_blob(k, info, BLOB, BLOB.length)).to.equal(0);
    const root = info.wd!.dentry;
    const inode = root.d_inode.lookup('bpfilter_umh');
    expect(inode && typeof inode !== 'number' && inode.i_mode, 'mode').to.equal(S_IFREG | 0o700);
    expect(inode && typeof inode !== 'number' && inode.size(), 'size').to.equal(BLOB.length);
    expect(root.d_inode.i_sb, 'its own superblock, not the root filesystem').to.not.equal(k.rootSb);
    expect(umd_load_blob(k, info, BLOB, BLOB.length), 'loaded twice').to.equal(-EBUSY);
    expect(umd_unload_blob(k, info)).to.equal(0);
    expect(umd_unload_blob(k, info), 'nothing loaded').to.equal(-EINVAL);
  });

  it('execs it by name with argv { driver_name }, cwd at its tmpfs, fds 0 and 1; a second start is EBUSY', async () => {
    const k = bootUmh(engine, PROFILE_6_18);
    const before = kernel_counts(k);
    const info = new_umd_info('bpfilter_umh');
    umd_load_blob(k, info, BLOB, BLOB.length);
    expect(fork_usermode_driver(k, info), 'retval').to.equal(0);
    const t = info.tgid!;
    expect(t.comm, 'comm').to.equal('bpfilter_umh');
    expect(t.fs.pwd, 'cwd').to.equal(info.wd!.dentry);
    expect(t.parent, 'parent').to.equal(null);
    const io = { pipe_to_umh: info.pipe_to_umh, pipe_from_umh: info.pipe_from_umh, pid: t.pid };
    expect(await transact(k, io, req(0)), 'health check').to.equal(0);
    expect(await transact(k, io, req(UMH_DEBUG.ARGS)), 'argc 1, strlen("bpfilter_umh")').to.equal(1 | (12 << 8));
    expect(await transact(k, io, req(UMH_DEBUG.FDS)), 'fds').to.equal(0b11);
    expect(fork_usermode_driver(k, info), 'tgid already set').to.equal(-EBUSY);
    // shutdown_umh: kill, wait for thread_group_exited, umd_cleanup_helper.
    kill_pid(k, t.pid, 9);
    await wait_for_exit(k, t);
    expect(thread_group_exited(t)).to.equal(true);
    umd_cleanup_helper(info);
    expect(info.tgid).to.equal(null);
    umd_unload_blob(k, info);
    expect(kernel_counts(k), 'tasks, files, pages').to.deep.equal(before);
  });

  it('fails with the exec\'s error and gives back the pipes and the tgid (umd_cleanup)', () => {
    const k = bootUmh(engine, PROFILE_6_18);
    const before = kernel_counts(k);
    const info = new_umd_info('junk');
    const junk = new Uint8Array(64).fill(0x90);
    umd_load_blob(k, info, junk, junk.length);
    expect(fork_usermode_driver(k, info), 'retval').to.equal(-ENOEXEC);
    expect([info.tgid, info.pipe_to_umh, info.pipe_from_umh]).to.deep.equal([null, null, null]);
    umd_unload_blob(k, info);
    expect(kernel_counts(k)).to.deep.equal(before);
    expect(fork_usermode_driver(k, info), 'no blob loaded').to.equal(-EINVAL);
  });
});
