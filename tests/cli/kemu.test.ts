/**
 * The `kemu` command as a user meets it: exit statuses, one-line errors
 * naming the file and the errno, never a stack trace, and --strace output.
 */

import { expect } from 'chai';
import { REPO_ROOT } from '../helpers/paths.js';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ENGINES } from '../helpers/engines.js';

const root = REPO_ROOT;
const kemu = path.join(root, 'dist/cli/kemu.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-cli-'));

function run(args: string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [kemu, ...args], { cwd: root, input, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

for (const slot of ENGINES) {
  describe(`kemu run [${slot.name}]`, function () {
    before(function () {
      if (!slot.engine) { console.log(`      skipped: ${slot.missing}`); this.skip(); }
    });
    const e = ['--engine', slot.name];

    it('prints the guest greeting and exits with its status', () => {
      const r = run(['run', ...e, 'fixtures/musl-hello/musl-hello']);
      expect(r.stdout).to.equal('Hello from musl, kemu!\n');
      expect(r.status).to.equal(0);
    });

    it("exits with the guest's exit code", () => {
      expect(run(['run', ...e, 'fixtures/asm-exit42/asm-exit42']).status).to.equal(42);
    });

    it('exits with 128 + the signal that killed the guest', () => {
      expect(run(['run', ...e, 'fixtures/asm-segv/asm-segv']).status).to.equal(139);
    });

    it('passes arguments through', () => {
      const r = run(['run', ...e, 'fixtures/musl-exit/musl-exit', '300']);
      expect(r.status).to.equal(44);
    });
  });
}

describe('kemu run --no-compile', () => {
  it('runs a program hot enough to compile, interpreted, with the output it has natively', () => {
    const prog = 'bench/programs/hash', args = ['300000'];
    const native = spawnSync(path.join(root, prog), args, { encoding: 'utf8' });
    const r = run(['run', '--no-compile', prog, ...args]);
    expect(r.status).to.equal(native.status);
    expect(r.stdout).to.equal(native.stdout);
  });

  it('is refused for an engine it does not apply to', () => {
    const r = run(['run', '--engine', 'unicorn', '--no-compile', 'fixtures/musl-hello/musl-hello']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.contain('--no-compile applies to the interp engine, not "unicorn"');
  });
});

describe('kemu run: errors a user sees', () => {
  it('a missing PROG is one line naming it and ENOENT, status 127', () => {
    const r = run(['run', 'no/such/prog']);
    expect(r.status).to.equal(127);
    expect(r.stderr).to.equal('kemu: no/such/prog: No such file or directory (ENOENT)\n');
  });

  it('a file without execute permission is EACCES, status 126', () => {
    const f = path.join(tmp, 'noexec');
    fs.writeFileSync(f, fs.readFileSync(path.join(root, 'fixtures/asm-hello/asm-hello')), { mode: 0o644 });
    const r = run(['run', f]);
    expect(r.status).to.equal(126);
    expect(r.stderr).to.equal(`kemu: ${f}: cannot execute: Permission denied (EACCES)\n`);
  });

  it('a directory is EACCES, status 126', () => {
    const r = run(['run', tmp]);
    expect(r.status).to.equal(126);
    expect(r.stderr).to.match(/Permission denied \(EACCES\)\n$/);
  });

  it('a truncated ELF is ENOEXEC, status 126, no stack trace', () => {
    const f = path.join(tmp, 'truncated');
    fs.writeFileSync(f, fs.readFileSync(path.join(root, 'fixtures/asm-hello/asm-hello')).subarray(0, 100), { mode: 0o755 });
    const r = run(['run', f]);
    expect(r.status).to.equal(126);
    expect(r.stderr).to.equal(`kemu: ${f}: cannot execute: Exec format error (ENOEXEC)\n`);
  });

  it('an unknown engine is named in the error', () => {
    const r = run(['run', '--engine', 'nope', 'fixtures/asm-hello/asm-hello']);
    expect(r.status).to.equal(125);
    expect(r.stderr).to.contain('unknown engine "nope"');
  });

  it('a bad option prints usage and exits 2', () => {
    const r = run(['run', '--bogus', 'x']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.contain('unknown option --bogus');
    expect(r.stderr).to.contain('usage: kemu run');
  });
});

describe('kemu run --strace', () => {
  it('prints the lines strace(1) prints for the same program', function () {
    const native = spawnSync('strace', ['fixtures/asm-hello/asm-hello'], { cwd: root, encoding: 'utf8' });
    if (native.error) { console.log('      skipped: strace(1) is needed for the native side'); this.skip(); }
    const r = run(['run', '--strace', 'fixtures/asm-hello/asm-hello']);
    const got = r.stderr.trimEnd().split('\n');
    const want = native.stderr.trimEnd().split('\n');
    // The execve line: kemu has no envp pointer to show (the kernel started the program).
    expect(got[0]).to.equal(want[0]!.replace(/ 0x[0-9a-f]+ \/\*/, ' /*'));
    expect(got.slice(1)).to.deep.equal(want.slice(1));
  });

  it('shows a failing call with its errno name and message', function () {
    if (!ENGINES.some((s) => s.name === 'unicorn' && s.engine)) this.skip();
    const r = run(['run', '--strace', 'fixtures/glibc-hello/glibc-hello']);
    expect(r.stderr).to.match(/^brk\(NULL\) {31}= 0x[0-9a-f]+$/m);
    expect(r.stderr).to.match(/^readlink\("\/proc\/self\/exe", .*= \d+$/m);
  });
});
