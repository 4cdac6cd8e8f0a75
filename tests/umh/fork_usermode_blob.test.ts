/**
 * fork_usermode_blob() as Linux 4.18 kernel/umh.c does it (reference 4.2):
 * what the helper starts with, what the caller gets, what a failure
 * leaves behind (nothing), and the two 4.18 bugs kemu does not copy.
 */

import { expect } from 'chai';
import { EAGAIN, EBUSY, EINVAL, ENOEXEC, EPIPE } from '../../abi/errno.js';
import { S_IFREG } from '../../abi/fcntl.js';
import { SIGSEGV } from '../../abi/signal.js';
import { PROFILE_4_18, PROFILE_6_18 } from '../../kernel/profile.js';
import { UMH_DEBUG } from '../../umh/bpfilter/msgfmt.js';
import { kernel_counts } from '../../umh/counts.js';
import { kernel_read, kernel_write, wait_for_exit } from '../../umh/kernel_io.js';
import { fork_usermode_blob, new_umh_info, usermodehelper_disable, usermodehelper_enable } from '../../umh/umh.js';
import { describeEachEngine } from '../helpers/engines.js';
import { BLOB, bootUmh, killAll, req, transact } from './helpers.js';

describeEachEngine('fork_usermode_blob (Linux 4.18)', (engine) => {
  it('starts the blob with only fds 0 and 1, argc 0, comm "none", no parent, every handler SIG_DFL', async () => {
    const k = bootUmh(engine, PROFILE_4_18);
    const info = new_umh_info();
    expect(fork_usermode_blob(k, BLOB, BLOB.length, info), 'retval').to.equal(0);
    expect(info.pid, 'pid').to.be.greaterThan(0);
    const t = k.find_task_by_vpid(info.pid)!;
    expect(t.comm, 'comm').to.equal('none');
    expect(t.parent, 'parent: kthreadd, i.e. nobody who waits').to.equal(null);
    expect(await transact(k, info, req(0)), 'health check').to.equal(0);
    expect(await transact(k, info, req(UMH_DEBUG.PID)), 'getpid() in the helper').to.equal(info.pid);
    expect(await transact(k, info, req(UMH_DEBUG.FDS)), 'open fds: 0 and 1, no 2').to.equal(0b11);
    expect(await transact(k, info, req(UMH_DEBUG.ARGS)), 'argc').to.equal(0);
    expect(await transact(k, info, req(UMH_DEBUG.SIGDFL)), 'SIG_DFL for signals 1..31').to.equal(0x7fffffff);
    await killAll(k);
  });

  it('execs an unlinked S_IFREG|0777 shmem file that goes when the helper does', async () => {
    const k = bootUmh(engine, PROFILE_4_18);
    const before = kernel_counts(k);
    const info = new_umh_info();
    expect(fork_usermode_blob(k, BLOB, BLOB.length, info)).to.equal(0);
    const exe = k.find_task_by_vpid(info.pid)!.exe_file!;
    expect(exe.f_inode.i_mode, 'mode').to.equal(S_IFREG | 0o777);
    expect(exe.f_inode.i_nlink, 'nlink').to.equal(0);
    expect(exe.f_inode.size(), 'i_size').to.equal(BLOB.length);
    expect(exe.f_count, 'references: the helper\'s exe_file only (fork_usermode_blob put its own)').to.equal(1);
    expect(exe.f_inode.i_writecount, 'write denied while it runs').to.equal(-1);
    await transact(k, info, req(0));
    await killAll(k);
    expect(kernel_counts(k).files, 'the module\'s two pipe ends').to.equal(before.files + 2);
    expect(exe.f_count, 'the shmem file is released').to.equal(0);
  });

  it('returns ENOEXEC for a blob that is not an ELF, records the pid, and leaves no task, file or page', async () => {
    const k = bootUmh(engine, PROFILE_4_18);
    const before = kernel_counts(k);
    const info = new_umh_info();
    const junk = new Uint8Array(4096).map((_, i) => (i * 7 + 1) & 0xff);
    expect(fork_usermode_blob(k, junk, junk.length, info), 'retval').to.equal(-ENOEXEC);
    expect(info.pid, 'pid recorded before the exec').to.be.greaterThan(0);
    expect(k.find_task_by_vpid(info.pid), 'the child did do_exit(0) and was reaped').to.equal(null);
    expect([info.pipe_to_umh, info.pipe_from_umh], 'pipes released on a failed exec (not 4.18\'s leak)').to.deep.equal([null, null]);
    expect(kernel_counts(k), 'tasks, files, pages').to.deep.equal(before);
  });

  it('refuses with EBUSY while helpers are disabled, EAGAIN at the task limit, EINVAL for bytes it does not have', () => {
    const k = bootUmh(engine, PROFILE_4_18);
    const before = kernel_counts(k);
    const info = new_umh_info();
    usermodehelper_disable(k);
    expect(fork_usermode_blob(k, BLOB, BLOB.length, info), 'disabled').to.equal(-EBUSY);
    usermodehelper_enable(k);
    const max = k.maxTasks;
    k.maxTasks = 0;
    expect(fork_usermode_blob(k, BLOB, BLOB.length, info), 'max_threads reached').to.equal(-EAGAIN);
    k.maxTasks = max;
    expect(fork_usermode_blob(k, BLOB, BLOB.length + 1, info), 'len past the data').to.equal(-EINVAL);
    expect(info.pid, 'no child was made').to.equal(0);
    expect(kernel_counts(k)).to.deep.equal(before);
  });

  it('lets the module notice a crash: EOF on pipe_from_umh, then EPIPE (and no SIGPIPE) on pipe_to_umh', async () => {
    const k = bootUmh(engine, PROFILE_4_18);
    const info = new_umh_info();
    expect(fork_usermode_blob(k, BLOB, BLOB.length, info)).to.equal(0);
    const t = k.find_task_by_vpid(info.pid)!;
    expect(await transact(k, info, req(64, { len: 16 }))).to.equal((64 << 20) | 16);
    expect(await transact(k, info, req(UMH_DEBUG.SEGV)), 'the reply never comes: EOF').to.deep.equal({ short: 0 });
    expect((await wait_for_exit(k, t))?.signal, 'the helper died of').to.equal(SIGSEGV);
    const w = await kernel_write(k, info.pipe_to_umh!, new Uint8Array(24));
    expect(w, 'write after the helper is gone').to.equal(-EPIPE);
    expect(await kernel_read(k, info.pipe_from_umh!, new Uint8Array(4)), 'read stays at EOF').to.equal(0);
    expect(k.tasks.size, 'the kernel survives with no task left').to.equal(0);
  });

  it('traces each step of the helper\'s life', async () => {
    const k = bootUmh(engine, PROFILE_4_18);
    const events: string[] = [];
    k.tracer.on('umh', (_t, d) => events.push(String(d['event'])));
    const info = new_umh_info();
    fork_usermode_blob(k, BLOB, BLOB.length, info);
    const t = k.find_task_by_vpid(info.pid)!;
    expect(await transact(k, info, req(UMH_DEBUG.EXIT, { len: 3 }))).to.deep.equal({ short: 0 });
    expect((await wait_for_exit(k, t))?.code, 'exit code').to.equal(3);
    // The exit comes first: the module hears EOF when it next runs.
    expect(events).to.deep.equal(['shmem_file', 'kernel_write', 'pipes', 'exec', 'exit', 'eof']);
  });

  it('under the 6.18 profile the exec turns its empty argv into { "" } (argc 1)', async () => {
    const k = bootUmh(engine, PROFILE_6_18);
    const info = new_umh_info();
    expect(fork_usermode_blob(k, BLOB, BLOB.length, info)).to.equal(0);
    expect(await transact(k, info, req(UMH_DEBUG.ARGS)), 'argc | strlen(argv[0]) << 8').to.equal(1);
    await killAll(k);
  });
});
