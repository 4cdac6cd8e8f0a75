/**
 * `kemu umh BLOB`: the helper between kemu's stdin and stdout, kemu's
 * status the helper's, and `--trace umh` showing each step of its life.
 */

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { encode_mbox_request, UMH_DEBUG } from '../../umh/bpfilter/msgfmt.js';
import { ENGINES } from '../helpers/engines.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { HELPER_PATH, req } from './helpers.js';

const KEMU = path.join(REPO_ROOT, 'dist/cli/kemu.js');

function kemuUmh(args: string[], input: Uint8Array): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [KEMU, 'umh', ...args], { input, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

const requests = (...cmds: number[]): Uint8Array => Buffer.concat(cmds.map((c) => encode_mbox_request(req(c))));
const statuses = (b: Buffer): number[] => Array.from({ length: b.length / 4 }, (_, i) => b.readInt32LE(i * 4));

for (const slot of ENGINES) {
  describe(`kemu umh [${slot.name}]`, function () {
    if (!slot.engine) {
      it('(engine unavailable)', function () { this.skip(); });
      return;
    }
    const engine = ['--engine', slot.name];

    it('passes stdin to the helper and its replies to stdout; exits 0 when the helper does', () => {
      const r = kemuUmh([...engine, HELPER_PATH], requests(0, 64, 99, UMH_DEBUG.FDS, UMH_DEBUG.ARGS));
      expect(statuses(r.stdout)).to.deep.equal([0, 64 << 20, -92, 0b11, 0]);
      expect(r.status, r.stderr).to.equal(0);
    });

    it('exits 139 when the helper dies of SIGSEGV, after the replies it gave', () => {
      const r = kemuUmh([...engine, HELPER_PATH], requests(0, UMH_DEBUG.SEGV, 0));
      expect(statuses(r.stdout)).to.deep.equal([0]);
      expect(r.status).to.equal(139);
    });

    it('runs the usermode_driver path under --kernel 6.18 (argv { "umh_cat" })', () => {
      const r = kemuUmh([...engine, '--kernel', '6.18', HELPER_PATH], requests(UMH_DEBUG.ARGS));
      expect(statuses(r.stdout)).to.deep.equal([1 | (7 << 8)]);
      expect(r.status).to.equal(0);
    });

    it('--trace umh prints the helper\'s life in order', () => {
      const r = kemuUmh([...engine, '--trace', 'umh', HELPER_PATH], requests(UMH_DEBUG.EXIT));
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('umh: ')).map((l) => l.slice(5).split(/[ :(]/)[0]);
      expect(lines).to.deep.equal([
        'shmem_kernel_file_setup', 'kernel_write', 'umh_pipe_setup', 'do_execve_file', 'insmod', 'helper', 'module', 'rmmod',
      ]);
      expect(r.stderr).to.match(/helper pid \d+ exited with status 0/);
    });

    it('reports a blob that is not an ELF as ENOEXEC, status 126; a missing one 127', () => {
      const r = kemuUmh([...engine, path.join(REPO_ROOT, 'fixtures/bpfilter-umh/bpfilter-umh.c')], new Uint8Array(0));
      expect(r.stderr).to.match(/cannot execute: Exec format error \(ENOEXEC\)/);
      expect(r.status).to.equal(126);
      expect(kemuUmh([...engine, '/nonexistent/blob'], new Uint8Array(0)).status).to.equal(127);
    });
  });
}
