/**
 * The path walk (kernel/fs/namei.ts) against Linux fs/namei.c's rules,
 * at the kernel API: symlink counting, name length, non-directories in
 * the middle, "..", mounts crossed both ways, and the dcache keeping
 * names right across rename and unlink.
 */

import { expect } from 'chai';
import { EBUSY, EEXIST, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR, EXDEV } from '../../abi/errno.js';
import { O_RDONLY } from '../../abi/fcntl.js';
import { d_path } from '../../kernel/fs/dcache.js';
import { tmpfs_source } from '../../kernel/fs/init_fs.js';
import { do_mount } from '../../kernel/fs/mount.js';
import { do_linkat, do_renameat2, do_rmdir, do_unlinkat } from '../../kernel/fs/namei_create.js';
import { freshVfs, lookup, mkdir, must, open, symlink, writeFile } from './fsutil.js';

describe('kernel/fs path walk', () => {
  it('follows 40 symlinks in a chain and gives ELOOP at the 41st (MAXSYMLINKS)', () => {
    const c = freshVfs();
    writeFile(c, '/tmp/file', 'x');
    symlink(c, '/tmp/file', '/tmp/c0');
    for (let i = 1; i <= 41; i++) symlink(c, `c${i - 1}`, `/tmp/c${i}`);
    expect(typeof lookup(c, '/tmp/c39'), '40 links').to.equal('object');
    expect(lookup(c, '/tmp/c40'), '41 links').to.equal(-ELOOP);
    expect(typeof lookup(c, '/tmp/c40', false), 'lstat does not follow').to.equal('object');
  });

  it('counts links met in the middle of a path and inside link bodies', () => {
    const c = freshVfs();
    mkdir(c, '/tmp/d');
    writeFile(c, '/tmp/d/leaf', 'x');
    symlink(c, '/tmp/d', '/tmp/m0');
    for (let i = 1; i <= 40; i++) symlink(c, `m${i - 1}`, `/tmp/m${i}`);
    expect(typeof lookup(c, '/tmp/m39/leaf')).to.equal('object');
    expect(lookup(c, '/tmp/m40/leaf')).to.equal(-ELOOP);
  });

  it('gives ELOOP for a loop and for a link to itself', () => {
    const c = freshVfs();
    symlink(c, 'b', '/tmp/a');
    symlink(c, 'a', '/tmp/b');
    symlink(c, 'self', '/tmp/self');
    expect(lookup(c, '/tmp/a')).to.equal(-ELOOP);
    expect(lookup(c, '/tmp/self/x')).to.equal(-ELOOP);
  });

  it('accepts a 255-byte name and refuses 256 bytes with ENAMETOOLONG (NAME_MAX)', () => {
    const c = freshVfs();
    expect(lookup(c, '/tmp/' + 'n'.repeat(255))).to.equal(-ENOENT);
    expect(lookup(c, '/tmp/' + 'n'.repeat(256))).to.equal(-ENAMETOOLONG);
    expect(writeFile(c, '/tmp/' + 'n'.repeat(255), 'x')).to.equal(0);
    expect(writeFile(c, '/tmp/' + 'n'.repeat(256), 'x')).to.equal(-ENAMETOOLONG);
    expect(mkdir(c, '/tmp/' + 'd'.repeat(256))).to.equal(-ENAMETOOLONG);
  });

  it('gives ENOTDIR for a file in the middle, a trailing slash on a file, and O_DIRECTORY', () => {
    const c = freshVfs();
    writeFile(c, '/tmp/f', 'x');
    expect(lookup(c, '/tmp/f/x')).to.equal(-ENOTDIR);
    expect(lookup(c, '/tmp/f/')).to.equal(-ENOTDIR);
    expect(lookup(c, '/tmp/f/.')).to.equal(-ENOTDIR);
    expect(open(c, '/tmp/f', O_RDONLY | 0o200000)).to.equal(-ENOTDIR);
    expect(lookup(c, '/tmp/missing/x')).to.equal(-ENOENT);
  });

  it('keeps ".." at the root and follows ".." from a symlink target, not the link', () => {
    const c = freshVfs();
    expect(must(lookup(c, '/../../..'))).to.equal(c.fs.root);
    mkdir(c, '/tmp/a');
    mkdir(c, '/tmp/a/b');
    symlink(c, '/tmp/a/b', '/tmp/lnk');
    expect(d_path(must(lookup(c, '/tmp/lnk/..')))).to.equal('/tmp/a');
  });

  it('crosses mounts down at a mountpoint and up with ".." at a mount root', () => {
    const c = freshVfs();
    mkdir(c, '/mnt');
    const src = tmpfs_source(0o755);
    expect(typeof do_mount(must(lookup(c, '/mnt')), src.sb, src.root, 'tmpfs')).to.equal('object');
    mkdir(c, '/mnt/inside');
    const inside = must(lookup(c, '/mnt/inside'));
    expect(inside.d_inode.i_sb).to.equal(src.sb);
    expect(d_path(inside)).to.equal('/mnt/inside');
    expect(d_path(must(lookup(c, '/mnt/inside/../..')))).to.equal('/');
    expect(must(lookup(c, '/mnt/..'))).to.equal(c.fs.root);
    expect(must(lookup(c, '/proc/sys/../..'))).to.equal(c.fs.root); // /proc is a mount too
  });

  it('refuses to rename or link across mounts (EXDEV) and to remove a mountpoint (EBUSY)', () => {
    const c = freshVfs();
    mkdir(c, '/mnt');
    const src = tmpfs_source(0o755);
    do_mount(must(lookup(c, '/mnt')), src.sb, src.root, 'tmpfs');
    writeFile(c, '/mnt/f', 'x');
    expect(do_renameat2(c, c.fs.root, '/mnt/f', c.fs.root, '/tmp/f', 0)).to.equal(-EXDEV);
    expect(do_linkat(c, must(lookup(c, '/mnt/f')), c.fs.root, '/tmp/g')).to.equal(-EXDEV);
    expect(do_rmdir(c, c.fs.root, '/mnt')).to.equal(-EBUSY);
    expect(do_renameat2(c, c.fs.root, '/mnt', c.fs.root, '/mnt2', 0)).to.equal(-EBUSY);
    expect(do_unlinkat(c, c.fs.root, '/mnt')).to.equal(-21); // EISDIR: unlink looks at the type first
  });

  it('moves dentries on rename, so a cwd below follows and d_path says the new name', () => {
    const c = freshVfs();
    mkdir(c, '/tmp/old');
    mkdir(c, '/tmp/old/sub');
    const sub = must(lookup(c, '/tmp/old/sub'));
    expect(do_renameat2(c, c.fs.root, '/tmp/old', c.fs.root, '/tmp/new', 0)).to.equal(0);
    expect(d_path(sub)).to.equal('/tmp/new/sub');
    expect(lookup(c, '/tmp/old')).to.equal(-ENOENT);
    expect(must(lookup(c, '/tmp/new/sub'))).to.equal(sub);
  });

  it('marks unlinked names " (deleted)" for whoever still holds them', () => {
    const c = freshVfs();
    writeFile(c, '/tmp/gone', 'x');
    const f = open(c, '/tmp/gone', O_RDONLY);
    if (typeof f === 'number') throw new Error('open');
    expect(do_unlinkat(c, c.fs.root, '/tmp/gone')).to.equal(0);
    expect(f.f_path).to.equal('/tmp/gone (deleted)');
    expect(f.f_inode.i_nlink).to.equal(0);
    expect(writeFile(c, '/tmp/gone', 'again')).to.equal(0);
    expect(f.f_path, 'a new file of that name is another dentry').to.equal('/tmp/gone (deleted)');
  });

  it('reports EEXIST before EROFS-style checks when a name exists (filename_create)', () => {
    const c = freshVfs();
    expect(mkdir(c, '/tmp')).to.equal(-EEXIST);
    expect(mkdir(c, '/')).to.equal(-EEXIST);
    expect(mkdir(c, '/tmp/.')).to.equal(-EEXIST);
  });
});
