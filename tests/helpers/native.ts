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
argv = sys.argv[2:] or [p]
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    try:
        os.execve(p, argv, {})
    except OSError as e:
        os.write(w, b"errno %d" % e.errno)
        os._exit(0)
os.close(w)
msg = os.read(r, 64).decode()
_, st = os.waitpid(pid, 0)
if msg:
    out = msg
elif os.WIFSIGNALED(st):
    out = "signal %d" % os.WTERMSIG(st)
else:
    out = "exit %d" % os.WEXITSTATUS(st)
sys.stderr.write("\\n@@outcome " + out)
`;

export interface NativeExec {
  /** "errno N", "signal N" or "exit N". */
  outcome: string;
  /** What the program wrote to stdout. */
  stdout: string;
}

/**
 * execve(path, argv (default [path]), empty environment) on the host, from
 * `cwd`; null when python3 is missing.
 */
export function nativeExecFull(path: string, argv?: string[], cwd?: string): NativeExec | null {
  const r = spawnSync('python3', ['-c', SCRIPT, path, ...(argv ?? [])], { encoding: 'latin1', ...(cwd ? { cwd } : {}) });
  if (r.error) return null; // python3 is not installed
  const at = r.stderr.lastIndexOf('\n@@outcome ');
  if (r.status !== 0 || at < 0) throw new Error(`the native exec helper failed: ${r.stderr}`);
  return { outcome: r.stderr.slice(at + 11).trim(), stdout: r.stdout };
}

/** The outcome alone: "errno N", "signal N" or "exit N"; null when python3 is missing. */
export function nativeExec(path: string): string | null {
  return nativeExecFull(path)?.outcome ?? null;
}
