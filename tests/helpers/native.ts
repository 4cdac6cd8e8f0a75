/**
 * What real Linux does with a file given to execve, on this machine: the
 * ground truth the exec tests compare kemu with (DESIGN.md decision 9).
 * Uses python3's os.execv, a direct execve(2) with no shell fallback; the
 * child reports a failed exec through a close-on-exec pipe.
 */

import { spawnSync } from 'node:child_process';

const SCRIPT = `
import os, sys
p = sys.argv[1]
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    try:
        os.execv(p, [p])
    except OSError as e:
        os.write(w, b"errno %d" % e.errno)
        os._exit(0)
os.close(w)
msg = os.read(r, 64).decode()
_, st = os.waitpid(pid, 0)
if msg:
    print(msg, end="")
elif os.WIFSIGNALED(st):
    print("signal %d" % os.WTERMSIG(st), end="")
else:
    print("exit %d" % os.WEXITSTATUS(st), end="")
`;

/** "errno N", "signal N" or "exit N" for an execve of `path` on the host; null when python3 is missing. */
export function nativeExec(path: string): string | null {
  const r = spawnSync('python3', ['-c', SCRIPT, path], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return r.stdout.trim();
}
