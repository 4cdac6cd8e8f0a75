/**
 * Host directories in the guest (kernel/fs/hostfs.ts, cli/host_mounts.ts):
 * read lazily, read-only unless asked, copy-on-write under --root, and no
 * way out: ".." stops at the guest's root and host symlinks resolve in
 * the guest's namespace.
 */

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ENOENT, EROFS } from '../../abi/errno.js';
import { O_RDONLY, O_WRONLY } from '../../abi/fcntl.js';
import { bootKernel, spawnHostProgram } from '../../cli/boot.js';
import { guestCwdUnderRoot, parseMountSpec } from '../../cli/host_mounts.js';
import { d_path } from '../../kernel/fs/dcache.js';
import { HostDir, hostfs_source, type HostMode } from '../../kernel/fs/hostfs.js';
import { do_mount } from '../../kernel/fs/mount.js';
import { latin1 } from '../../kernel/fs/namei.js';
import { do_renameat2, do_unlinkat } from '../../kernel/fs/namei_create.js';
import { iterate_dir } from '../../kernel/fs/readdir.js';
import { shellStatus } from '../../kernel/task.js';
import { describeEachEngine } from '../helpers/engines.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { freshVfs, lookup, mkdir, must, open, readFile, writeFile, type Ctx } from './fsutil.js';

/** A host directory tree for one test, removed afterwards. */
function hostTree(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-host-'));
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.writeFileSync(path.join(dir, 'file'), 'host data\n');
  fs.writeFileSync(path.join(dir, 'sub', 'deep'), 'deep\n');
  fs.symlinkSync('/etc/passwd', path.join(dir, 'abs'));
  fs.symlinkSync('../../../../../../etc/passwd', path.join(dir, 'up'));
  fs.symlinkSync('sub/deep', path.join(dir, 'rel'));
  return dir;
}

function mountHost(hostDir: string, mode: HostMode): Ctx {
  const c = freshVfs();
  mkdir(c, '/mnt');
  const src = hostfs_source(hostDir, mode);
  expect(typeof do_mount(must(lookup(c, '/mnt')), src.sb, src.root, src.devname)).to.equal('object');
  return c;
}

function names(c: Ctx, dir: string): string[] {
  const f = open(c, dir, O_RDONLY);
  if (typeof f === 'number') throw new Error(`open ${dir}: ${f}`);
  const raw = iterate_dir(f, 65536, 'linux_dirent64');
  if (typeof raw === 'number') throw new Error('getdents');
  const out: string[] = [];
  for (let at = 0; at < raw.length;) {
    const v = new DataView(raw.buffer, raw.byteOffset + at);
    const reclen = v.getUint16(16, true);
    const name = raw.subarray(at + 19, at + reclen);
    out.push(latin1(name.subarray(0, name.indexOf(0))));
    at += reclen;
  }
  return out.sort();
}

describe('kernel/fs hostfs', () => {
  let host: string;
  beforeEach(() => { host = hostTree(); });
  afterEach(() => { fs.rmSync(host, { recursive: true, force: true }); });

  it('reads host files and lists host directories, with host symlinks shown as symlinks', () => {
    const c = mountHost(host, 'ro');
    expect(readFile(c, '/mnt/file')).to.equal('host data\n');
    expect(readFile(c, '/mnt/rel')).to.equal('deep\n');
    expect(names(c, '/mnt')).to.deep.equal(['.', '..', 'abs', 'file', 'rel', 'sub', 'up']);
    const abs = must(lookup(c, '/mnt/abs', false));
    expect(abs.d_inode.isLink).to.equal(true);
    expect(latin1(abs.d_inode.readlink() as Uint8Array)).to.equal('/etc/passwd');
  });

  it('reads lazily: a host file made after the mount is there, nothing was copied at mount time', () => {
    const c = mountHost(host, 'ro');
    fs.writeFileSync(path.join(host, 'later'), 'new\n');
    expect(readFile(c, '/mnt/later')).to.equal('new\n');
    fs.writeFileSync(path.join(host, 'file'), 'changed\n');
    expect(readFile(c, '/mnt/file')).to.equal('changed\n');
  });

  it('cannot be escaped: absolute and climbing host symlinks and ".." resolve inside the guest', () => {
    const c = mountHost(host, 'ro');
    expect(readFile(c, '/mnt/abs')).to.equal(-ENOENT); // the guest has no /etc/passwd
    expect(readFile(c, '/mnt/up')).to.equal(-ENOENT);
    expect(readFile(c, '/mnt/../../../etc/passwd')).to.equal(-ENOENT);
    mkdir(c, '/etc');
    writeFile(c, '/etc/passwd', 'guest passwd\n');
    expect(readFile(c, '/mnt/abs'), 'the guest\'s own /etc/passwd').to.equal('guest passwd\n');
    expect(readFile(c, '/mnt/up')).to.equal('guest passwd\n');
    expect(d_path(must(lookup(c, '/mnt/sub/../..')))).to.equal('/');
    const dir = must(lookup(c, '/mnt')).d_inode as HostDir;
    expect(dir.hostLookup('..'), 'the filesystem itself never looks up ".."').to.equal(null);
    expect(dir.hostLookup('sub/deep')).to.equal(null);
  });

  it('is read-only by default: writes are EROFS and the host is untouched', () => {
    const c = mountHost(host, 'ro');
    expect(open(c, '/mnt/file', O_WRONLY)).to.equal(-EROFS);
    expect(writeFile(c, '/mnt/new', 'x')).to.equal(-EROFS);
    expect(mkdir(c, '/mnt/d')).to.equal(-EROFS);
    expect(do_unlinkat(c, c.fs.root, '/mnt/file')).to.equal(-EROFS);
    expect(fs.readdirSync(host).sort()).to.deep.equal(['abs', 'file', 'rel', 'sub', 'up']);
  });

  it('rw: writes, creates, renames and removes reach the host directory', () => {
    const c = mountHost(host, 'rw');
    expect(writeFile(c, '/mnt/new', 'from guest')).to.equal(0);
    expect(fs.readFileSync(path.join(host, 'new'), 'utf8')).to.equal('from guest');
    expect(mkdir(c, '/mnt/made')).to.equal(0);
    const inner = must(lookup(c, '/mnt/sub/deep'));
    expect(do_renameat2(c, c.fs.root, '/mnt/sub', c.fs.root, '/mnt/made/moved', 0)).to.equal(0);
    expect(fs.existsSync(path.join(host, 'made', 'moved', 'deep'))).to.equal(true);
    expect(d_path(inner)).to.equal('/mnt/made/moved/deep');
    const f = open(c, '/mnt/made/moved/deep', O_RDONLY);
    expect(typeof f).to.equal('object');
    expect(do_unlinkat(c, c.fs.root, '/mnt/new')).to.equal(0);
    expect(fs.existsSync(path.join(host, 'new'))).to.equal(false);
  });

  it('cow: the guest sees its writes and removals, the host directory stays as it was', () => {
    const c = mountHost(host, 'cow');
    expect(writeFile(c, '/mnt/file', 'guest version\n')).to.equal(0);
    expect(readFile(c, '/mnt/file')).to.equal('guest version\n');
    expect(writeFile(c, '/mnt/added', 'only in memory')).to.equal(0);
    expect(do_unlinkat(c, c.fs.root, '/mnt/rel')).to.equal(0);
    expect(do_renameat2(c, c.fs.root, '/mnt/sub', c.fs.root, '/mnt/renamed', 0)).to.equal(0);
    expect(readFile(c, '/mnt/renamed/deep')).to.equal('deep\n');
    expect(names(c, '/mnt')).to.deep.equal(['.', '..', 'abs', 'added', 'file', 'renamed', 'up']);
    expect(lookup(c, '/mnt/rel', false)).to.equal(-ENOENT);
    expect(fs.readFileSync(path.join(host, 'file'), 'utf8')).to.equal('host data\n');
    expect(fs.readdirSync(host).sort()).to.deep.equal(['abs', 'file', 'rel', 'sub', 'up']);
  });

  it('cow: a partial write to a host file keeps the rest of its bytes (copy-up)', () => {
    const c = mountHost(host, 'cow');
    const f = open(c, '/mnt/file', O_WRONLY);
    if (typeof f === 'number') throw new Error('open');
    expect(f.pwrite(new Uint8Array(Buffer.from('HOST')), 0)).to.equal(4);
    expect(readFile(c, '/mnt/file')).to.equal('HOST data\n');
  });

  it('parses --mount specs and places the guest cwd under --root', () => {
    expect(parseMountSpec('/a:/b')).to.deep.equal({ host: '/a', guest: '/b', mode: 'ro' });
    expect(parseMountSpec('/a:/b:rw')).to.deep.equal({ host: '/a', guest: '/b', mode: 'rw' });
    expect(parseMountSpec('/a')).to.be.a('string');
    expect(parseMountSpec('/a:rel')).to.be.a('string');
    expect(guestCwdUnderRoot(host, path.join(host, 'sub'))).to.equal('/sub');
    expect(guestCwdUnderRoot(host, '/')).to.equal('/');
    expect(guestCwdUnderRoot('/', process.cwd())).to.equal(fs.realpathSync(process.cwd()));
  });
});

describeEachEngine('kemu run --root and --mount', (engine) => {
  const prog = path.join(REPO_ROOT, 'fixtures/fs-walk/fs-walk');
  const expected = fs.readFileSync(path.join(REPO_ROOT, 'fixtures/expected/fs-walk.stdout'));

  async function run(opts: { root?: string; mounts?: ReturnType<typeof parseMountSpec>[] }, progPath: string, cwd: string): Promise<{ status: number; out: string }> {
    const k = bootKernel({ engine, ...(opts.root ? { root: opts.root } : {}), mounts: (opts.mounts ?? []) as never });
    k.log = () => {};
    const out: Buffer[] = [];
    const r = spawnHostProgram(k, {
      prog: progPath, argv: [progPath], env: [], cwd,
      stdio: { stdin: { source: new Uint8Array(0) }, stdout: { sink: (b) => out.push(Buffer.from(b)) }, stderr: { sink: () => {} } },
    });
    if ('errno' in r) return { status: -r.errno, out: '' };
    return { status: shellStatus(await k.waitForExit(r.task)), out: Buffer.concat(out).toString('latin1') };
  }

  it('--root /: a static program runs from the host tree and its /tmp writes stay in memory', async () => {
    const before = fs.readdirSync('/tmp').filter((n) => n.startsWith('kemu-fs-'));
    const r = await run({ root: '/' }, 'fixtures/fs-walk/fs-walk', REPO_ROOT);
    expect(r.status).to.equal(0);
    expect(r.out).to.equal(expected.toString('latin1'));
    expect(fs.readdirSync('/tmp').filter((n) => n.startsWith('kemu-fs-'))).to.deep.equal(before);
  });

  it('--mount HOST:GUEST: the program is found through the mount and not copied', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-bin-'));
    try {
      fs.copyFileSync(prog, path.join(dir, 'fs-walk'));
      fs.chmodSync(path.join(dir, 'fs-walk'), 0o755);
      const r = await run({ mounts: [parseMountSpec(`${dir}:${dir}`)] }, path.join(dir, 'fs-walk'), REPO_ROOT);
      expect(r.status).to.equal(0);
      expect(r.out).to.equal(expected.toString('latin1'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
