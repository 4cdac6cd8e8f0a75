/**
 * `kemu run --trace exec`: the walk of docs/exec-walkthrough.md, so that the
 * page stays true.
 */

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';

describe('kemu run --trace exec', () => {
  it('shows the handler walk, the point of no return and the final stack of a #! script', () => {
    const r = spawnSync(process.execPath, [
      path.join(REPO_ROOT, 'dist/cli/kemu.js'), 'run', '--mount', `${REPO_ROOT}/fixtures:/fixtures`,
      '--trace', 'exec', 'docs/examples/show-argv.sh', 'one', 'two',
    ], { cwd: REPO_ROOT, encoding: 'utf8', env: { A: '1', B: 'two' } });
    expect(r.status).to.equal(0);
    const lines = r.stderr.split('\n');
    const at = (s: string): number => lines.findIndex((l) => l.includes(s));
    expect(at('do_execve filename="docs/examples/show-argv.sh"')).to.equal(0);
    expect(at('binfmt_misc.load_binary depth=1')).to.be.lessThan(at('binfmt_script.load_binary depth=1'));
    expect(at('# #! interpreter "/fixtures/asm-argv/asm-argv" argument "--from-the-script-line"')).to.be.greaterThan(0);
    expect(at('binfmt_elf.load_binary depth=2')).to.be.lessThan(at('# point of no return'));
    expect(lines).to.include('      #   argv[0] = "/fixtures/asm-argv/asm-argv"');
    expect(lines).to.include('      #   argv[2] = "docs/examples/show-argv.sh"');
    expect(lines).to.include('      #   auxv AT_EXECFN = "docs/examples/show-argv.sh"');
    expect(lines).to.include('  # exec done: comm "show-argv.sh", entry 0x401000');
    expect(r.stdout).to.equal('/fixtures/asm-argv/asm-argv\n--from-the-script-line\ndocs/examples/show-argv.sh\none\ntwo\nA=1\nB=two\n');
  });
});
