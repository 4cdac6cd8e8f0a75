/**
 * The composition root: a kernel with the layers above it wired in (the
 * binfmt handlers in Linux's order, the exec syscalls), and the host
 * program made visible to the guest. The CLI and the tests boot through here.
 */

import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { EACCES, ENOENT, ENOTDIR } from '../abi/errno.js';
import { elf_format } from '../binfmt/binfmt_elf.js';
import { binfmt_misc } from '../binfmt/binfmt_misc.js';
import { mount_binfmt_misc } from '../binfmt/binfmt_misc_fs.js';
import { script_format } from '../binfmt/binfmt_script.js';
import { kernel_execve } from '../binfmt/exec.js';
import { register_binfmt } from '../binfmt/formats.js';
import { EXEC_SYSCALLS } from '../binfmt/sys_exec.js';
import type { Engine } from '../emulator/engine.js';
import { HostStreamFile, type HostStreamOptions } from '../kernel/fs/hoststream.js';
import { d_delete, d_instantiate, d_lookup, type Dentry } from '../kernel/fs/dcache.js';
import { ensure_dir } from '../kernel/fs/init_fs.js';
import { follow_mount } from '../kernel/fs/mount.js';
import { path_lookupat, ROOT_CRED } from '../kernel/fs/namei.js';
import { TmpfsFile } from '../kernel/fs/tmpfs.js';
import { Kernel } from '../kernel/kernel.js';
import {
  checkHostDir, guestCwdUnderRoot, hostRootOf, mountHostDirs, mountTmpfs, rootfsFromHost, setHostRoot, type HostMountSpec,
  type TmpfsSpec,
} from './host_mounts.js';
import type { KernelProfile } from '../kernel/profile.js';
import type { Task } from '../kernel/task.js';
import type { Tracer } from '../kernel/trace.js';

export interface BootOptions {
  engine: Engine;
  profile?: KernelProfile;
  tracer?: Tracer;
  /** --root: this host directory is the guest's /, read-only with an in-memory layer for writes. */
  root?: string;
  /** --mount: host directories mounted in the guest (read-only unless mode 'rw'). */
  mounts?: readonly HostMountSpec[];
  /** --tmpfs: in-memory filesystems mounted in the guest, with mount options. */
  tmpfs?: readonly TmpfsSpec[];
}

/** A --root or --mount that cannot be set up (the message says why). */
export class MountError extends Error {}

/**
 * A kernel with the binfmt handlers registered in Linux's order and the exec
 * syscalls in its table. Linux fs/Makefile links binfmt_misc, binfmt_script
 * and binfmt_elf in that order; misc inserts itself at the head, the others
 * register at the tail, so the list reads misc, script, elf.
 */
export function bootKernel(opts: BootOptions): Kernel {
  if (opts.root) {
    const bad = checkHostDir(opts.root);
    if (bad) throw new MountError(`--root: ${bad}`);
  }
  const k = new Kernel({ ...opts, ...(opts.root ? { rootfs: rootfsFromHost(opts.root) } : {}) });
  if (opts.root) setHostRoot(k, opts.root);
  const bad = mountHostDirs(k, opts.mounts ?? []) ?? mountTmpfs(k, opts.tmpfs ?? []);
  if (bad) throw new MountError(bad);
  binfmt_misc(k);
  mount_binfmt_misc(k);
  register_binfmt(k, script_format);
  register_binfmt(k, elf_format);
  for (const e of EXEC_SYSCALLS) k.registerSyscall(e);
  return k;
}

/** mkdir -p in the guest's root filesystem (crossing mounts as a walk does); returns the directory's dentry. */
export function mkdirs(k: Kernel, dir: string): Dentry {
  let d = k.root;
  for (const name of dir.split('/').filter(Boolean)) {
    const next = ensure_dir(d, name, 0o755);
    if (!next) throw new Error(`kemu: cannot make directory ${dir} in the guest`);
    d = follow_mount(next);
  }
  return d;
}

/** Put `bytes` at `guestPath` in the guest's tmpfs with `mode`. */
export function installFile(k: Kernel, guestPath: string, bytes: Uint8Array, mode: number): TmpfsFile {
  const parent = mkdirs(k, path.posix.dirname(guestPath));
  const name = path.posix.basename(guestPath);
  const file = new TmpfsFile(parent.d_inode.i_sb, mode);
  file.writeAt(bytes, 0);
  const old = d_lookup(parent, name);
  if (old && typeof old !== 'number') { parent.d_inode.unlink(name); d_delete(old); }
  parent.d_inode.link(name, file);
  d_instantiate(parent, name, file);
  return file;
}

export interface SpawnOptions {
  /** The host file to run, as the user named it (relative to `cwd` or absolute). */
  prog: string;
  argv: string[];
  env: string[];
  /** The guest's cwd: the host's, so that relative names resolve the same on both sides. */
  cwd?: string;
  stdio?: { stdin?: HostStreamOptions; stdout?: HostStreamOptions; stderr?: HostStreamOptions };
}

/** Host strings are UTF-8 text; guest names are bytes, held as latin1 strings (see kernel/fs/namei.ts). */
export const toGuest = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

export type SpawnResult = { task: Task } | { errno: number; where: 'host' | 'exec' };

/**
 * Copy the host program into the guest's tmpfs at the same absolute path
 * (unless a mount already shows it there), make the guest's cwd match the
 * host's, wire fds 0-2 to the host's stdio, and exec it as the first task
 * (as the kernel runs init). Under --root nothing is copied: the program
 * is looked up in the guest, from the host's cwd as seen inside the root.
 */
export function spawnHostProgram(k: Kernel, o: SpawnOptions): SpawnResult {
  const cwd = o.cwd ?? process.cwd();
  const root = hostRootOf(k);
  if (root) return execFirst(k, o, guestCwdUnderRoot(root, cwd));
  const hostPath = path.resolve(cwd, o.prog);
  let bytes: Uint8Array;
  let mode: number;
  try {
    const st = statSync(hostPath);
    mode = st.mode & 0o7777;
    bytes = st.isFile() ? readFileSync(hostPath) : new Uint8Array(0);
    if (!st.isFile()) return { errno: EACCES, where: 'host' }; // not a regular file: exec says EACCES
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { errno: code === 'EACCES' ? EACCES : code === 'ENOTDIR' ? ENOTDIR : ENOENT, where: 'host' };
  }
  if (!guestHasFile(k, toGuest(hostPath))) installFile(k, toGuest(hostPath), bytes, mode);
  return execFirst(k, o, toGuest(cwd));
}

/** Whether the guest already sees a regular file at this absolute path (through a --mount). */
function guestHasFile(k: Kernel, guestPath: string): boolean {
  const d = path_lookupat({ root: k.root, pwd: k.root, umask: 0 }, k.root, guestPath, { follow: true, cred: ROOT_CRED });
  return typeof d !== 'number' && d.d_inode.isReg;
}

/** The first task: cwd, stdio, then the exec of the program. */
function execFirst(k: Kernel, o: SpawnOptions, guestCwd: string): SpawnResult {
  const t = k.createTask();
  const pwd = path_lookupat(t.fs, k.root, guestCwd, { follow: true, cred: ROOT_CRED });
  t.fs.pwd = typeof pwd !== 'number' && pwd.d_inode.isDir ? pwd : mkdirs(k, guestCwd);
  t.files.install(new HostStreamFile(k.rootSb, 0, o.stdio?.stdin));
  t.files.install(new HostStreamFile(k.rootSb, 1, o.stdio?.stdout));
  t.files.install(new HostStreamFile(k.rootSb, 2, o.stdio?.stderr));
  const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
  const r = kernel_execve(k, t, toGuest(o.prog), o.argv.map(utf8), o.env.map(utf8));
  // Before the point of no return the task never ran; after it, it has a
  // new CPU and a pending SIGSEGV, and the scheduler lets it die of that.
  if (r < 0 && !t.cpu) {
    k.tasks.delete(t.pid);
    return { errno: -r, where: 'exec' };
  }
  k.wake_up_new_task(t); // Linux wake_up_new_task(): the new task joins the run queue now
  return { task: t };
}
