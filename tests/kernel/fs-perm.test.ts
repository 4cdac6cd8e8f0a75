/**
 * Permissions and mount flags (Linux fs/namei.c generic_permission,
 * may_lookup, may_create, may_delete, may_open; fs/attr.c; mount flags)
 * at the kernel API, with ordinary users' credentials (the fixtures run
 * as root, so what only a non-root caller sees is checked here).
 */

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kernel_execve } from '../../binfmt/exec.js';
import { bootKernel, installFile, mkdirs } from '../../cli/boot.js';
import { loadEngine } from '../../emulator/select.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { EACCES, EEXIST, EISDIR, ENOENT, ENOSPC, EPERM, EROFS, ETXTBSY } from '../../abi/errno.js';
import { O_CREAT, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY } from '../../abi/fcntl.js';
import { UTIME_NOW } from '../../abi/misc.js';
import { chmod_common, chown_common, vfs_truncate, vfs_utimes } from '../../kernel/fs/attr.js';
import { fput } from '../../kernel/fs/file.js';
import { tmpfs_source, tmpfs_with_options } from '../../kernel/fs/init_fs.js';
import { applyMountFlags, do_mount, parseMountOptions } from '../../kernel/fs/mount.js';
import { inode_permission, MAY_EXEC, MAY_READ, MAY_WRITE } from '../../kernel/fs/namei.js';
import { do_renameat2, do_rmdir, do_unlinkat } from '../../kernel/fs/namei_create.js';
import { may_open } from '../../kernel/fs/open.js';
import { iterate_dir } from '../../kernel/fs/readdir.js';
import { asUser, freshVfs, lookup, mkdir, must, open, readFile, symlink, writeFile, type Ctx } from './fsutil.js';

const engine = await loadEngine('interp');

function chmod(c: Ctx, path: string, mode: number): void {
  expect(chmod_common(must(lookup(c, path)).d_inode, mode, c.cred)).to.equal(0);
}

describe('kernel/fs permissions for an ordinary user', () => {
  it('needs search permission on every directory of the walk (EACCES)', () => {
    const root = freshVfs();
    mkdir(root, '/tmp/locked', 0o700);
    writeFile(root, '/tmp/locked/f', 'secret');
    symlink(root, '/tmp/locked/f', '/tmp/via-link');
    const u = asUser(root, 1000);
    expect(lookup(u, '/tmp/locked/f')).to.equal(-EACCES);
    expect(lookup(u, '/tmp/via-link')).to.equal(-EACCES);
    expect(typeof lookup(u, '/tmp/locked')).to.equal('object'); // naming the directory itself needs no search
    expect(lookup(root, '/tmp/locked/f')).to.not.be.a('number');
  });

  it('opens by the owner, group and other bits (the owner\'s bits win even when narrower)', () => {
    const root = freshVfs();
    writeFile(root, '/tmp/f', 'x');
    const f = must(lookup(root, '/tmp/f')).d_inode;
    f.i_uid = 1000;
    f.i_gid = 100;
    f.i_mode = (f.i_mode & ~0o777) | 0o074;
    expect(open(asUser(root, 1000), '/tmp/f', O_RDONLY), 'owner: ---').to.equal(-EACCES);
    expect(typeof open(asUser(root, 2000, 100), '/tmp/f', O_RDWR), 'group: rwx').to.equal('object');
    expect(typeof open(asUser(root, 2000, 200, [100]), '/tmp/f', O_RDWR), 'supplementary group').to.equal('object');
    expect(open(asUser(root, 2000, 200), '/tmp/f', O_WRONLY), 'other: r--').to.equal(-EACCES);
    expect(readFile(asUser(root, 2000, 200), '/tmp/f')).to.equal('x');
  });

  it('lets root read and write anything but execute only with an x bit', () => {
    const root = freshVfs();
    writeFile(root, '/tmp/f', 'x', 0o000);
    const inode = must(lookup(root, '/tmp/f')).d_inode;
    expect(inode_permission(inode, MAY_READ | MAY_WRITE, root.cred)).to.equal(0);
    expect(inode_permission(inode, MAY_EXEC, root.cred)).to.equal(-EACCES);
    inode.i_mode |= 0o001;
    expect(inode_permission(inode, MAY_EXEC, root.cred)).to.equal(0);
  });

  it('creates only in writable directories, owned by the creator', () => {
    const root = freshVfs();
    mkdir(root, '/tmp/ro-dir', 0o755);
    mkdir(root, '/tmp/open-dir');
    chmod(root, '/tmp/open-dir', 0o777); // mkdir's mode went through the umask (022)
    const u = asUser(root, 1000, 50);
    expect(writeFile(u, '/tmp/ro-dir/f', 'x')).to.equal(-EACCES);
    expect(mkdir(u, '/tmp/ro-dir/d')).to.equal(-EACCES);
    expect(writeFile(u, '/tmp/open-dir/f', 'x')).to.equal(0);
    const f = must(lookup(u, '/tmp/open-dir/f')).d_inode;
    expect([f.i_uid, f.i_gid]).to.deep.equal([1000, 50]);
    expect(writeFile(u, '/tmp/ro-dir/f2', 'x'), 'EACCES even for O_CREAT of a new name').to.equal(-EACCES);
  });

  it('keeps others\' files in a sticky directory (EPERM) but lets owners remove theirs', () => {
    const root = freshVfs(); // /tmp is 1777
    const alice = asUser(root, 1001);
    const bob = asUser(root, 1002);
    expect(writeFile(alice, '/tmp/alice', 'a')).to.equal(0);
    expect(do_unlinkat(bob, root.fs.root, '/tmp/alice')).to.equal(-EPERM);
    expect(do_renameat2(bob, root.fs.root, '/tmp/alice', root.fs.root, '/tmp/mine', 0)).to.equal(-EPERM);
    expect(do_unlinkat(alice, root.fs.root, '/tmp/alice')).to.equal(0);
    expect(mkdir(alice, '/tmp/adir')).to.equal(0);
    expect(do_rmdir(bob, root.fs.root, '/tmp/adir')).to.equal(-EPERM);
    expect(do_rmdir(root, root.fs.root, '/tmp/adir'), 'root may').to.equal(0);
  });

  it('allows chmod only to the owner and chown only to root (EPERM), dropping set-id bits', () => {
    const root = freshVfs();
    const u = asUser(root, 1000, 1000, [7]);
    writeFile(u, '/tmp/f', 'x');
    const inode = must(lookup(u, '/tmp/f')).d_inode;
    expect(chmod_common(inode, 0o600, asUser(root, 2000).cred)).to.equal(-EPERM);
    expect(chmod_common(inode, 0o6755, u.cred)).to.equal(0);
    expect(inode.i_mode & 0o7777).to.equal(0o6755);
    expect(chown_common(inode, 2000, 0xffffffff, u.cred), 'give away').to.equal(-EPERM);
    expect(chown_common(inode, 0xffffffff, 8, u.cred), 'a group it is not in').to.equal(-EPERM);
    expect(chown_common(inode, 0xffffffff, 7, u.cred), 'its own group').to.equal(0);
    expect(inode.i_mode & 0o7777, 'chown drops setuid, and setgid on a group-executable file').to.equal(0o755);
    expect(chown_common(inode, 2000, 2000, root.cred)).to.equal(0);
    expect([inode.i_uid, inode.i_gid]).to.deep.equal([2000, 2000]);
  });

  it('setgid is dropped by chmod from outside the group', () => {
    const root = freshVfs();
    const u = asUser(root, 1000, 1000);
    writeFile(u, '/tmp/f', 'x');
    const inode = must(lookup(u, '/tmp/f')).d_inode;
    inode.i_gid = 55;
    expect(chmod_common(inode, 0o2755, u.cred)).to.equal(0);
    expect(inode.i_mode & 0o7777).to.equal(0o755);
  });

  it('lets anyone who may write touch a file to now, but only the owner set times (utimensat)', () => {
    const root = freshVfs();
    writeFile(root, '/tmp/shared', 'x');
    chmod(root, '/tmp/shared', 0o666);
    writeFile(root, '/tmp/mine', 'x', 0o644);
    const u = asUser(root, 1000);
    const shared = must(lookup(u, '/tmp/shared')).d_inode;
    expect(vfs_utimes(shared, null, u.cred)).to.equal(0);
    const t = { tv_sec: 5, tv_nsec: 0 };
    expect(vfs_utimes(shared, [t, t], u.cred)).to.equal(-EPERM);
    expect(vfs_utimes(shared, [{ tv_sec: 0, tv_nsec: UTIME_NOW }, { tv_sec: 0, tv_nsec: UTIME_NOW }], u.cred)).to.equal(0);
    expect(vfs_utimes(must(lookup(u, '/tmp/mine')).d_inode, null, u.cred)).to.equal(-EACCES);
  });

  it('truncate needs write permission and is refused while the file is being executed', () => {
    const root = freshVfs();
    writeFile(root, '/tmp/f', 'hello', 0o644);
    const inode = must(lookup(root, '/tmp/f')).d_inode;
    expect(vfs_truncate(inode, 1, asUser(root, 1000).cred)).to.equal(-EACCES);
    inode.i_writecount = -1; // deny_write_access by a running exec
    expect(vfs_truncate(inode, 1, root.cred)).to.equal(-ETXTBSY);
    expect(open(root, '/tmp/f', O_WRONLY)).to.equal(-ETXTBSY);
    expect(open(root, '/tmp/f', O_RDONLY | O_TRUNC)).to.equal(-ETXTBSY);
    inode.i_writecount = 0;
    expect(vfs_truncate(inode, 1, root.cred)).to.equal(0);
    expect(readFile(root, '/tmp/f')).to.equal('h');
  });

  it('needs read permission to list a directory', () => {
    const root = freshVfs();
    mkdir(root, '/tmp/d', 0o711);
    writeFile(root, '/tmp/d/f', 'x');
    const u = asUser(root, 1000);
    expect(open(u, '/tmp/d', O_RDONLY)).to.equal(-EACCES);
    expect(readFile(u, '/tmp/d/f'), 'search without read still reaches names').to.equal('x');
    const dir = open(root, '/tmp/d', O_RDONLY);
    if (typeof dir === 'number') throw new Error('open');
    const bytes = iterate_dir(dir, 4096, 'linux_dirent64');
    expect(bytes).to.be.instanceOf(Uint8Array);
  });
});

describe('kernel/fs mount flags', () => {
  function mountTmpfs(options: string): Ctx {
    const c = freshVfs();
    mkdir(c, '/m');
    const src = tmpfs_source(0o755);
    const o = parseMountOptions(options);
    if (typeof o === 'string') throw new Error(o);
    do_mount(must(lookup(c, '/m')), src.sb, src.root, 'tmpfs');
    mkdir(c, '/m/d');
    writeFile(c, '/m/f', '#!/bin/sh\n', 0o755);
    applyMountFlags(src.sb, o);
    return c;
  }

  it('ro: every write is EROFS, reads work, and an existing name is still EEXIST', () => {
    const c = mountTmpfs('ro');
    expect(readFile(c, '/m/f')).to.equal('#!/bin/sh\n');
    expect(open(c, '/m/f', O_WRONLY)).to.equal(-EROFS);
    expect(open(c, '/m/f', O_RDONLY | O_TRUNC)).to.equal(-EROFS);
    expect(open(c, '/m/new', O_CREAT | O_WRONLY)).to.equal(-EROFS);
    expect(open(c, '/m/f', O_CREAT | 0o200 | O_WRONLY)).to.equal(-EEXIST);
    expect(mkdir(c, '/m/d')).to.equal(-EEXIST);
    expect(mkdir(c, '/m/e')).to.equal(-EROFS);
    expect(do_unlinkat(c, c.fs.root, '/m/f')).to.equal(-EROFS);
    expect(do_unlinkat(c, c.fs.root, '/m/nothing'), 'EROFS before the lookup').to.equal(-EROFS);
    expect(do_rmdir(c, c.fs.root, '/m/d')).to.equal(-EROFS);
    expect(do_renameat2(c, c.fs.root, '/m/f', c.fs.root, '/m/g', 0)).to.equal(-EROFS);
    expect(chmod_common(must(lookup(c, '/m/f')).d_inode, 0o600, c.cred)).to.equal(-EROFS);
    expect(open(c, '/m/d', O_WRONLY)).to.equal(-EISDIR);
  });

  it('noexec: may_open for exec is EACCES on a regular file there', () => {
    const c = mountTmpfs('noexec');
    const d = must(lookup(c, '/m/f'));
    expect(d.d_inode.i_sb.noexec).to.equal(true);
    expect(may_open(d, MAY_EXEC, 0, c.cred)).to.equal(-EACCES);
    expect(may_open(must(lookup(c, '/tmp')), MAY_EXEC, 0, c.cred)).to.equal(-EACCES); // a directory, anywhere
    expect(lookup(c, '/m/missing')).to.equal(-ENOENT);
  });

  it('noexec: execve of a program on a noexec mount is EACCES; the same bytes elsewhere run', () => {
    const k = bootKernel({ engine });
    const elf = fs.readFileSync(path.join(REPO_ROOT, 'fixtures/asm-exit42/asm-exit42'));
    const src = tmpfs_source(0o755);
    applyMountFlags(src.sb, { noexec: true });
    expect(typeof do_mount(mkdirs(k, '/nx'), src.sb, src.root, 'tmpfs')).to.equal('object');
    installFile(k, '/nx/prog', elf, 0o755);
    installFile(k, '/tmp/prog', elf, 0o755);
    const t = k.createTask();
    expect(kernel_execve(k, t, '/nx/prog', [], [])).to.equal(-EACCES);
    expect(kernel_execve(k, t, '/tmp/prog', [], [])).to.equal(0);
  });

  it('nodev: a device node there cannot be opened (EACCES)', () => {
    const c = mountTmpfs('nodev');
    const u = must(lookup(c, '/dev/null')).d_inode;
    must(lookup(c, '/m')).d_inode; // the mount
    const sbNodev = must(lookup(c, '/m/d')).d_inode.i_sb;
    expect(sbNodev.nodev).to.equal(true);
    expect(u.i_sb.nodev).to.equal(false);
    expect(typeof open(c, '/dev/null', O_RDWR)).to.equal('object');
  });

  it('size=: writes past the size are ENOSPC; an unlinked file gives its bytes back when closed', () => {
    const c = freshVfs();
    mkdir(c, '/small');
    const o = parseMountOptions('size=64k');
    if (typeof o === 'string') throw new Error(o);
    const src = tmpfs_with_options(o);
    do_mount(must(lookup(c, '/small')), src.sb, src.root, 'tmpfs');
    const f = open(c, '/small/a', O_CREAT | O_WRONLY);
    if (typeof f === 'number') throw new Error('open');
    expect(f.write(new Uint8Array(60 * 1024))).to.equal(60 * 1024);
    expect(f.write(new Uint8Array(8 * 1024))).to.equal(-ENOSPC);
    expect(writeFile(c, '/small/b', 'x'.repeat(8 * 1024))).to.equal(-ENOSPC);
    expect(do_unlinkat(c, c.fs.root, '/small/a')).to.equal(0);
    expect(writeFile(c, '/small/b', 'x'.repeat(8 * 1024)), 'still open: still held').to.equal(-ENOSPC);
    fput(f);
    expect(writeFile(c, '/small/b', 'x'.repeat(8 * 1024))).to.equal(0);
  });

  it('parses tmpfs options and refuses unknown ones', () => {
    expect(parseMountOptions('ro,noexec,mode=1777,size=64m,uid=5')).to.deep.equal({ ro: true, noexec: true, mode: 0o1777, size: 64 * 1024 * 1024, uid: 5 });
    expect(parseMountOptions('bogus')).to.be.a('string');
    expect(parseMountOptions('mode=99999')).to.be.a('string');
  });
});
