/**
 * binfmt_misc, compared with this machine's Linux (6.18): registration
 * strings give the same errno or the same entry file; a file with a made-up
 * magic (and one with a made-up extension) runs through its interpreter
 * with the same argv. The native side needs root and a mountable
 * binfmt_misc; entries it registers are named kemu-test-* and removed after.
 */

import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ERR from '../../abi/errno.js';
import { binfmt_misc_register } from '../../binfmt/binfmt_misc.js';
import { BinfmtMiscRoot } from '../../binfmt/binfmt_misc_fs.js';
import { bootKernel, installFile } from '../../cli/boot.js';
import { latin1 } from '../../kernel/fs/namei.js';
import { PROFILE_4_18, PROFILE_6_18 } from '../../kernel/profile.js';
import { describeEachEngine, ENGINES } from '../helpers/engines.js';
import { mirrorDir } from '../helpers/mirror.js';
import { nativeExecFull } from '../helpers/native.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { runGuest } from '../helpers/run.js';

const MISC = '/proc/sys/fs/binfmt_misc';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kemu-misc-'));
const interp = path.join(dir, 'argv');
fs.copyFileSync(path.join(REPO_ROOT, 'fixtures/asm-argv/asm-argv'), interp);
fs.chmodSync(interp, 0o755);
const tag = `kemu-test-${process.pid}`;

/** Whether this machine lets us register entries natively (root, binfmt_misc mounted or mountable). */
function nativeMiscAvailable(): boolean {
  try {
    if (!fs.existsSync(`${MISC}/register`)) execFileSync('mount', ['-t', 'binfmt_misc', 'binfmt_misc', MISC], { stdio: 'ignore' });
    return fs.existsSync(`${MISC}/register`) && fs.readFileSync(`${MISC}/status`, 'utf8') === 'enabled\n';
  } catch {
    return false;
  }
}

const errnoOf = (code: string | undefined): number => (ERR as unknown as Record<string, number>)[code ?? ''] ?? -1;

function nativeRegister(text: string): number {
  try {
    fs.writeFileSync(`${MISC}/register`, Buffer.from(text, 'latin1'));
    return 0;
  } catch (e) {
    return -errnoOf((e as NodeJS.ErrnoException).code);
  }
}

function nativeRemove(name: string): void {
  try { fs.writeFileSync(`${MISC}/${name}`, '-1'); } catch { /* not registered */ }
}

/** [label, registration string]; NAME is replaced by a unique entry name. */
const REGISTRATIONS: Array<[string, string]> = [
  ['magic entry', `:NAME:M::KEMU::${interp}:`],
  ['magic with an escape and offset', `:NAME:M:3:\\x7fKE::${interp}:`],
  ['extension entry', `:NAME:E::kemuext::${interp}:`],
  ['flags POC', `:NAME:M::\\x4b\\x45::${interp}:POC`],
  ['flag C alone implies O', `:NAME:M::KE::${interp}:C`],
  ['flag F opens the interpreter now', `:NAME:M::KE::${interp}:F`],
  ['flag F with a missing interpreter', `:NAME:M::KE::${dir}/missing:F`],
  ['a mask', `:NAME:M::KE:\\xff\\xdf:${interp}:`],
  ['a mask of the wrong length', `:NAME:M::KE:\\xff:${interp}:`],
  ['a bad type', `:NAME:X::KE::${interp}:`],
  ['an empty magic', `:NAME:M::::${interp}:`],
  ['an empty interpreter', ':NAME:M::KE:::'],
  ['an unknown flag', `:NAME:M::KE::${interp}:A`],
  ['an offset that overflows', `:NAME:M:2500000000:KE::${interp}:`],
  ['magic past the buffer (offset 255, 6.18 buffer 256)', `:NAME:M:255:KE::${interp}:`],
  ['a bad hex escape', `:NAME:M::\\xZZ::${interp}:`],
  ['another delimiter', `.NAME.M..KE..${interp}.`],
  ['a trailing newline', `:NAME:M::KE::${interp}:\n`],
  ['a name with a slash', `:NAME/x:M::KE::${interp}:`],
  ['an extension with a slash', `:NAME:E::a/b::${interp}:`],
  ['text after the flags', `:NAME:M::KE::${interp}:P:`],
  ['no delimiter after the interpreter', `:NAME:M::KE::${interp}`],
  ['too short', ':a:M::K::'],
];

describe('binfmt_misc registration matches Linux 6.18', function () {
  const native = nativeMiscAvailable();
  before(function () {
    if (!native) { console.log('      skipped: binfmt_misc cannot be used natively here (needs root)'); this.skip(); }
  });

  REGISTRATIONS.forEach(([label, template], i) => {
    it(label, () => {
      const name = `${tag}-${i}`;
      const text = template.replace('NAME', name);
      const k = bootKernel({ engine: ENGINES.find((s) => s.engine)!.engine!, profile: PROFILE_6_18 });
      installFile(k, interp, fs.readFileSync(interp), 0o755);
      k.current = k.createTask();
      const want = nativeRegister(text);
      let wantEntry = '';
      if (want === 0) { wantEntry = fs.readFileSync(`${MISC}/${name}`, 'latin1'); nativeRemove(name); }
      const got = binfmt_misc_register(k, new Uint8Array(Buffer.from(text, 'latin1')));
      expect(got === 0 ? 'ok' : ERR.errnoName(-got), 'result').to.equal(want === 0 ? 'ok' : ERR.errnoName(-want));
      if (want === 0) {
        const entry = new BinfmtMiscRoot(k).lookup(name)!;
        const buf = new Uint8Array(4096);
        const n = entry.readAt(buf, 0);
        expect(latin1(buf.subarray(0, n)), 'entry file').to.equal(wantEntry);
      }
    });
  });

  it('a duplicate name is EEXIST', () => {
    const k = bootKernel({ engine: ENGINES.find((s) => s.engine)!.engine!, profile: PROFILE_6_18 });
    const text = new Uint8Array(Buffer.from(`:${tag}-dup:M::KE::${interp}:`));
    expect(binfmt_misc_register(k, text)).to.equal(0);
    expect(binfmt_misc_register(k, text)).to.equal(-ERR.EEXIST);
  });
});

describe('binfmt_misc under the 4.18 profile', () => {
  it('limits offset + magic to the 128-byte buffer', () => {
    const k = bootKernel({ engine: ENGINES.find((s) => s.engine)!.engine!, profile: PROFILE_4_18 });
    const reg = (s: string): number => binfmt_misc_register(k, new Uint8Array(Buffer.from(s)));
    expect(reg(`:a:M:126:KE::${interp}:`)).to.equal(0);
    expect(reg(`:b:M:127:KE::${interp}:`)).to.equal(-ERR.EINVAL);
  });
});

/** Files that run through binfmt_misc: [label, registration, file name, contents, flags]. */
const RUNS: Array<[string, string, string, string]> = [
  ['a made-up magic', `:${tag}-run-m:M::KEMUMAGIC::${interp}:`, 'data.bin', 'KEMUMAGIC and some data\n'],
  ['a made-up magic with P (argv[0] kept)', `:${tag}-run-p:M::KEMUPRESV::${interp}:P`, 'presv.bin', 'KEMUPRESV\n'],
  ['a made-up magic with O (binary passed as an fd)', `:${tag}-run-o:M::KEMUOPENB::${interp}:O`, 'open.bin', 'KEMUOPENB\n'],
  ['a made-up extension', `:${tag}-run-e:E::kemuext::${interp}:`, 'file.kemuext', 'no magic here\n'],
];

describeEachEngine('binfmt_misc runs files through their interpreter as Linux does', (engine) => {
  const native = nativeMiscAvailable();
  before(function () {
    if (!native) { console.log('      skipped: binfmt_misc cannot be used natively here (needs root)'); this.skip(); }
  });
  for (const [label, reg, file, contents] of RUNS) {
    it(label, async () => {
      const p = path.join(dir, file);
      fs.writeFileSync(p, contents, { mode: 0o755 });
      const argv = [p, 'one', 'two'];
      expect(nativeRegister(reg), 'native registration').to.equal(0);
      let want;
      try { want = nativeExecFull(p, argv)!; } finally { nativeRemove(reg.split(reg[0]!)[1]!); }
      const r = await runGuest({
        engine, prog: p, argv, profile: PROFILE_6_18,
        setup: (k) => {
          installFile(k, interp, fs.readFileSync(interp), 0o755);
          k.current = k.createTask();
          expect(binfmt_misc_register(k, new Uint8Array(Buffer.from(reg)))).to.equal(0);
          k.tasks.delete(k.current.pid);
          k.current = null;
        },
      });
      expect(r.execErrno, 'exec errno').to.equal(null);
      expect(`exit ${r.status}`).to.equal(want.outcome);
      expect(r.stdout.toString('latin1'), 'the argv the interpreter got').to.equal(want.stdout);
    });
  }
});

describeEachEngine('binfmt_misc through /proc/sys/fs/binfmt_misc from a guest', (engine) => {
  const native = nativeMiscAvailable();
  before(function () {
    if (!native) { console.log('      skipped: binfmt_misc cannot be used natively here (needs root)'); this.skip(); }
  });
  it('registers, shows, disables, enables and runs a made-up magic as Linux does', async () => {
    const prog = path.join(REPO_ROOT, 'fixtures/misc-demo/misc-demo');
    fs.writeFileSync(path.join(dir, 'demo.bin'), 'KEMUDEMO data\n', { mode: 0o755 });
    const name = `${tag}-demo`;
    let want;
    try {
      want = spawnSync(prog, [name, dir], { encoding: 'latin1', env: {} });
    } finally {
      nativeRemove(name);
    }
    const r = await runGuest({
      engine, prog, argv: [prog, name, dir], profile: PROFILE_6_18,
      setup: (k) => mirrorDir(k, dir),
    });
    expect(r.stdout.toString('latin1').split('\n')).to.deep.equal(want.stdout.split('\n'));
    expect(r.status).to.equal(want.status);
  });
});
