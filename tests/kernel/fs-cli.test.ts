/**
 * The command line's filesystem options as a user meets them:
 * `kemu run --root`, `--mount` and `--tmpfs`, their usage errors, and the
 * guest's view of the result.
 */

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../helpers/paths.js';

/** The kemu built next to this test (dist/ under npm test). */
const kemu = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../cli/kemu.js');

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [kemu, 'run', '--engine', 'interp', ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kemu run --root, --mount and --tmpfs', () => {
  it('--root /: the program is found in the guest tree and runs', () => {
    expect(run(['--root', '/', 'fixtures/asm-exit42/asm-exit42']).status).to.equal(42);
  });

  it('--root: the program is looked up inside the root, not on the host', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-root-'));
    try {
      fs.mkdirSync(path.join(dir, 'bin'));
      fs.copyFileSync(path.join(REPO_ROOT, 'fixtures/asm-hello/asm-hello'), path.join(dir, 'bin', 'hello'));
      fs.chmodSync(path.join(dir, 'bin', 'hello'), 0o755);
      const r = run(['--root', dir, '/bin/hello']);
      expect(r.stdout).to.equal('Hello from asm\n');
      expect(r.status).to.equal(0);
      expect(run(['--root', dir, 'fixtures/asm-exit42/asm-exit42']).status, 'not under that root').to.equal(127);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses bad options with status 2 and a one-line reason', () => {
    for (const args of [['--mount', '/tmp'], ['--mount', '/tmp:relative'], ['--mount', '/tmp:/'], ['--tmpfs', 'rel'], ['--tmpfs', '/x:bogus']]) {
      const r = run([...args, 'fixtures/asm-exit42/asm-exit42']);
      expect(r.status, args.join(' ')).to.equal(2);
      expect(r.stderr.split('\n')[0]).to.match(/^kemu: --(mount|tmpfs)/);
    }
    const r = run(['--root', '/nonexistent-kemu-dir', 'x']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/^kemu: --root: \/nonexistent-kemu-dir/);
  });

  it('--mount: a host directory appears read-only at the guest path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-mnt-'));
    try {
      fs.copyFileSync(path.join(REPO_ROOT, 'fixtures/asm-exit42/asm-exit42'), path.join(dir, 'prog'));
      fs.chmodSync(path.join(dir, 'prog'), 0o755);
      expect(run(['--mount', `${dir}:/opt/x`, `${dir}/prog`]).status, 'copied to its host path').to.equal(42);
      expect(run(['--mount', `${dir}:${dir}`, `${dir}/prog`]).status, 'found through the mount').to.equal(42);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
