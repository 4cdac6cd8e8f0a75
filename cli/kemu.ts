#!/usr/bin/env node
/**
 * The `kemu` command.
 *
 *   kemu run [--engine NAME] [--no-compile] [--kernel 4.18|6.18] [--strace] [--trace exec]
 *            [--root HOSTDIR] [--mount HOSTDIR:GUESTDIR[:rw]]... [--tmpfs GUESTDIR[:OPTS]]...
 *            PROG [ARGS...]
 *   kemu umh [--engine NAME] [--kernel 4.18|6.18] [--trace umh] BLOB   (cli/umh_cmd.ts)
 *
 * kemu's exit status is the guest's (128 + the signal that killed it, as a
 * shell reports); an exec that fails is one line naming the file and the
 * errno, with 127 for a missing file and 126 otherwise, as a shell does.
 */

import { errnoName, ENOENT, strerror } from '../abi/errno.js';
import { EngineUnavailableError } from '../emulator/engine.js';
import { DEFAULT_ENGINE, ENGINE_NAMES, loadEngine } from '../emulator/select.js';
import { PROFILES } from '../kernel/profile.js';
import { kill_all_tasks } from '../kernel/exit.js';
import { shellStatus } from '../kernel/task.js';
import { Tracer } from '../kernel/trace.js';
import { bootKernel, MountError, spawnHostProgram } from './boot.js';
import { parseMountSpec, parseTmpfsSpec, type HostMountSpec, type TmpfsSpec } from './host_mounts.js';
import { hostTtyOpener } from './host_tty.js';
import { set_tty_opener } from '../kernel/fs/devfs.js';
import { attachStrace, quote } from './strace.js';
import { attachExecTrace } from './trace_tree.js';
import { UMH_USAGE, umhCommand, UmhUsageError } from './umh_cmd.js';

const USAGE = `usage: kemu run [options] PROG [ARGS...]
       kemu umh [options] BLOB      (run BLOB as a module's user-mode helper; kemu umh --help)

Run the x86-64 Linux program PROG under kemu's kernel.

options:
  --engine NAME     CPU engine: ${ENGINE_NAMES.join(' or ')} (default ${DEFAULT_ENGINE})
  --no-compile      interp engine: interpret every instruction, compile no
                    code to JavaScript (same results, slower: for comparing)
  --kernel VERSION  kernel profile: 4.18 (default, the seed's) or 6.18 (today's Linux)
  --strace          print each system call to stderr, as strace(1) does
  --trace exec      print the exec path as a tree of kernel functions
  --timeout SECONDS kill the guest with SIGKILL after SECONDS (status 137, as timeout -s KILL)
  --root HOSTDIR    use the host directory as the guest's / (read-only; writes
                    go to an in-memory layer); PROG is looked up in the guest
  --mount HOSTDIR:GUESTDIR[:rw]
                    mount a host directory in the guest, read-only unless :rw
                    (repeatable)
  --tmpfs GUESTDIR[:OPTIONS]
                    mount an empty in-memory filesystem, with mount options
                    such as ro,noexec,nosuid,nodev,mode=1777 (repeatable)
  -h, --help        show this help`;

interface RunOptions {
  engine: string;
  /** Compile hot code to JavaScript (interp; --no-compile turns it off). */
  compile: boolean;
  kernel: string;
  strace: boolean;
  traceExec: boolean;
  /** Seconds before every guest task is killed (0: none). */
  timeout: number;
  prog: string;
  args: string[];
  root: string | undefined;
  mounts: HostMountSpec[];
  tmpfs: TmpfsSpec[];
}

class UsageError extends Error {}

function parseRun(argv: string[]): RunOptions {
  const o: RunOptions = { engine: DEFAULT_ENGINE, compile: true, kernel: '4.18', strace: false, traceExec: false, timeout: 0, prog: '', args: [], root: undefined, mounts: [], tmpfs: [] };
  let i = 0;
  const value = (flag: string): string => {
    const v = argv[++i];
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { i++; break; }
    if (!a.startsWith('-')) break;
    if (a === '--engine') o.engine = value(a);
    else if (a.startsWith('--engine=')) o.engine = a.slice(9);
    else if (a === '--kernel') o.kernel = value(a);
    else if (a.startsWith('--kernel=')) o.kernel = a.slice(9);
    else if (a === '--strace') o.strace = true;
    else if (a === '--no-compile') o.compile = false;
    else if (a === '--root' || a.startsWith('--root=')) o.root = a === '--root' ? value(a) : a.slice(7);
    else if (a === '--mount' || a.startsWith('--mount=')) {
      const m = parseMountSpec(a === '--mount' ? value(a) : a.slice(8));
      if (typeof m === 'string') throw new UsageError(m);
      if (m.guest === '/') throw new UsageError('--mount cannot cover /; use --root');
      o.mounts.push(m);
    } else if (a === '--tmpfs' || a.startsWith('--tmpfs=')) {
      const m = parseTmpfsSpec(a === '--tmpfs' ? value(a) : a.slice(8));
      if (typeof m === 'string') throw new UsageError(m);
      o.tmpfs.push(m);
    }
    else if (a === '--trace') { if (value(a) !== 'exec') throw new UsageError('--trace knows only "exec"'); o.traceExec = true; }
    else if (a === '--trace=exec') o.traceExec = true;
    else if (a === '--timeout' || a.startsWith('--timeout=')) {
      const v = a === '--timeout' ? value(a) : a.slice(10);
      o.timeout = Number(v);
      if (!Number.isFinite(o.timeout) || o.timeout <= 0) throw new UsageError(`--timeout needs a positive number of seconds, not "${v}"`);
    }
    else throw new UsageError(`unknown option ${a}`);
  }
  if (i >= argv.length) throw new UsageError('missing PROG');
  o.prog = argv[i]!;
  o.args = argv.slice(i + 1);
  if (!PROFILES[o.kernel]) throw new UsageError(`unknown kernel profile "${o.kernel}" (choose 4.18 or 6.18)`);
  if (!o.compile && o.engine !== 'interp') throw new UsageError(`--no-compile applies to the interp engine, not "${o.engine}"`);
  return o;
}

async function run(o: RunOptions): Promise<number> {
  const engine = await loadEngine(o.engine, { compile: o.compile });
  const tracer = new Tracer();
  let k;
  try {
    k = bootKernel({ engine, profile: PROFILES[o.kernel]!, tracer, ...(o.root ? { root: o.root } : {}), mounts: o.mounts, tmpfs: o.tmpfs });
  } catch (e) {
    if (!(e instanceof MountError)) throw e;
    process.stderr.write(`kemu: ${e.message}\n`);
    return 2;
  }
  set_tty_opener(hostTtyOpener);
  const err = (line: string): void => { process.stderr.write(line + '\n'); };
  if (o.strace) attachStrace(k, err);
  if (o.traceExec) attachExecTrace(k, err);
  const env = Object.entries(process.env).map(([key, v]) => `${key}=${v ?? ''}`);
  const argv = [o.prog, ...o.args];
  const r = spawnHostProgram(k, { prog: o.prog, argv, env });
  if (o.strace) {
    const res = 'errno' in r ? `-1 ${errnoName(r.errno)} (${strerror(r.errno)})` : '0';
    const q = (s: string): string => { const b = Buffer.from(s, 'utf8'); return quote(b.subarray(0, 32), b.length > 32); };
    err(`${`execve(${q(o.prog)}, [${argv.map(q).join(', ')}], /* ${env.length} vars */)`.padEnd(39)} = ${res}`);
  }
  if ('errno' in r) {
    err(`kemu: ${o.prog}: ${r.errno === ENOENT ? '' : 'cannot execute: '}${strerror(r.errno)} (${errnoName(r.errno)})`);
    return r.errno === ENOENT ? 127 : 126;
  }
  // timeout(1) -s KILL: every guest task gets SIGKILL; the program's status becomes 137.
  const timer = o.timeout ? setTimeout(() => { void kill_all_tasks(k); }, o.timeout * 1000) : null;
  const status = await k.waitForExit(r.task);
  if (timer) clearTimeout(timer);
  // The program was the namespace's init: what it left running dies with it (zap_pid_ns_processes).
  await kill_all_tasks(k);
  return shellStatus(status);
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '-h' || cmd === '--help') {
    process.stdout.write(USAGE + '\n');
    return cmd ? 0 : 2;
  }
  if (cmd === 'umh') return umhCommand(rest);
  if (cmd !== 'run') throw new UsageError(`unknown command "${cmd}"`);
  if (rest.includes('-h') && rest.indexOf('-h') < rest.findIndex((a) => !a.startsWith('-'))) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  return run(parseRun(rest));
}

main(process.argv.slice(2)).then(
  // Exit now: a read of a host terminal or pipe may still be pending in libuv's thread pool.
  (code) => { process.exit(code); },
  (e: unknown) => {
    if (e instanceof UmhUsageError) {
      process.stderr.write(`kemu: ${e.message}\n${UMH_USAGE}\n`);
      process.exitCode = 2;
    } else if (e instanceof UsageError) {
      process.stderr.write(`kemu: ${e.message}\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (e instanceof EngineUnavailableError) {
      process.stderr.write(`kemu: ${e.message}\n`);
      process.exitCode = 125;
    } else {
      process.stderr.write(`kemu: internal error (a bug in kemu, please report it): ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 125;
    }
  },
);
