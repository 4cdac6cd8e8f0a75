/**
 * Running a guest program in-process, as `kemu run` does, with stdin given
 * and stdout/stderr captured: the building block of the kernel tests.
 */

import { bootKernel, spawnHostProgram } from '../../cli/boot.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Engine } from '../../emulator/engine.js';
import { PROFILE_6_18, type KernelProfile } from '../../kernel/profile.js';
import { kill_all_tasks } from '../../kernel/exit.js';
import { shellStatus } from '../../kernel/task.js';

export interface GuestRun {
  /** The shell-style status: exit code, or 128 + signal; null when exec failed. */
  status: number | null;
  /** The errno of a failed exec. */
  execErrno: number | null;
  stdout: Buffer;
  stderr: Buffer;
  /** What the kernel reported (unimplemented syscalls, ...). */
  kernelLog: string[];
}

export interface GuestRunOptions {
  engine: Engine;
  prog: string;
  argv?: string[];
  env?: string[];
  stdin?: Uint8Array;
  /** Comparisons against this machine's Linux use today's profile (DESIGN.md decision 5). */
  profile?: KernelProfile;
  cwd?: string;
  /** Prepare the guest's files before the exec. */
  setup?: (k: Kernel) => void;
  /** A host directory as the guest's / (`kemu run --root`). */
  root?: string;
  /** Kill every guest task after this long (`kemu run --timeout`): status 137. */
  timeoutMs?: number;
}

export async function runGuest(o: GuestRunOptions): Promise<GuestRun> {
  const k = bootKernel({ engine: o.engine, profile: o.profile ?? PROFILE_6_18, ...(o.root ? { root: o.root } : {}) });
  const kernelLog: string[] = [];
  k.log = (line) => kernelLog.push(line);
  o.setup?.(k);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const r = spawnHostProgram(k, {
    prog: o.prog,
    argv: o.argv ?? [o.prog],
    env: o.env ?? [],
    ...(o.cwd ? { cwd: o.cwd } : {}),
    stdio: {
      stdin: { source: o.stdin ?? new Uint8Array(0) },
      stdout: { sink: (b) => out.push(Buffer.from(b)) },
      stderr: { sink: (b) => err.push(Buffer.from(b)) },
    },
  });
  if ('errno' in r) {
    return { status: null, execErrno: r.errno, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), kernelLog };
  }
  const timer = o.timeoutMs ? setTimeout(() => { void kill_all_tasks(k); }, o.timeoutMs) : null;
  const status = await k.waitForExit(r.task);
  if (timer) clearTimeout(timer);
  await kill_all_tasks(k); // whatever the program left running (as `kemu run` does)
  return { status: shellStatus(status), execErrno: null, stdout: Buffer.concat(out), stderr: Buffer.concat(err), kernelLog };
}
