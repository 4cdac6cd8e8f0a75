/**
 * Mounts from the command line: `kemu run --root HOSTDIR` (the host
 * directory becomes the guest's /, with writes going to an in-memory
 * layer), `--mount HOSTDIR:GUESTDIR[:rw]` (read-only unless :rw) and
 * `--tmpfs GUESTDIR[:OPTIONS]`. The filesystems are kernel/fs/hostfs.ts
 * and tmpfs.ts; this file turns the options into mounts.
 */

import { realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { d_lookup } from '../kernel/fs/dcache.js';
import { hostfs_source, type HostMode } from '../kernel/fs/hostfs.js';
import type { MountSource } from '../kernel/fs/init_fs.js';
import { do_mount, follow_mount, parseMountOptions, type MountOptions } from '../kernel/fs/mount.js';
import { ensure_dir, tmpfs_with_options } from '../kernel/fs/init_fs.js';
import type { Kernel } from '../kernel/kernel.js';

/** One --mount option. */
export interface HostMountSpec {
  host: string;
  guest: string;
  mode: HostMode;
}

/** Parse "HOSTDIR:GUESTDIR[:rw|:ro]"; a string is the error. */
export function parseMountSpec(spec: string): HostMountSpec | string {
  const parts = spec.split(':');
  let mode: HostMode = 'ro';
  if (parts.length === 3 && (parts[2] === 'rw' || parts[2] === 'ro')) mode = parts.pop() as HostMode;
  if (parts.length !== 2 || !parts[0] || !parts[1]) return `--mount wants HOSTDIR:GUESTDIR[:rw], not "${spec}"`;
  if (!parts[1].startsWith('/')) return `--mount: the guest directory must be absolute, not "${parts[1]}"`;
  return { host: path.resolve(parts[0]), guest: path.posix.normalize(parts[1]), mode };
}

/** Why a host directory cannot be mounted, or null when it can. */
export function checkHostDir(dir: string): string | null {
  try {
    return statSync(dir).isDirectory() ? null : `${dir} is not a directory`;
  } catch (e) {
    return `${dir}: ${(e as Error).message}`;
  }
}

const hostRoots = new WeakMap<Kernel, string>();

/** The root filesystem for --root: the host directory, copy-on-write. */
export function rootfsFromHost(dir: string): MountSource {
  return hostfs_source(dir, 'cow');
}

/** Remember which host directory is a kernel's root (for where the guest starts). */
export function setHostRoot(k: Kernel, dir: string): void {
  hostRoots.set(k, realpathSync(dir));
}

/** The host directory that is the guest's /, when --root was given. */
export function hostRootOf(k: Kernel): string | undefined {
  return hostRoots.get(k);
}

/**
 * The guest's working directory under --root: the host's cwd seen from
 * inside the root when it lies there (as chroot would leave it), else "/".
 */
export function guestCwdUnderRoot(root: string, hostCwd: string): string {
  let cwd: string;
  try { cwd = realpathSync(hostCwd); } catch { return '/'; }
  const rel = path.relative(root, cwd);
  if (rel === '') return '/';
  if (rel.startsWith('..') || path.isAbsolute(rel)) return '/';
  return '/' + rel.split(path.sep).join('/');
}

/** The guest directory `dir`, made where missing; null when it cannot be (a read-only parent). */
function guestDir(k: Kernel, dir: string): ReturnType<typeof ensure_dir> {
  let d = follow_mount(k.root);
  for (const name of dir.split('/').filter(Boolean)) {
    const found = d_lookup(d, name);
    const next = found && typeof found !== 'number' && found.d_inode.isDir ? found : ensure_dir(d, name, 0o755);
    if (!next) return null;
    d = follow_mount(next);
  }
  return d;
}

/** One --tmpfs option: where, and the mount options. */
export interface TmpfsSpec {
  guest: string;
  options: MountOptions;
}

/** Parse "GUESTDIR[:OPTIONS]" (options as mount -t tmpfs -o takes them); a string is the error. */
export function parseTmpfsSpec(spec: string): TmpfsSpec | string {
  const cut = spec.indexOf(':');
  const guest = cut < 0 ? spec : spec.slice(0, cut);
  if (!guest.startsWith('/') || path.posix.normalize(guest) === '/') return `--tmpfs wants an absolute directory other than /, not "${guest}"`;
  const options = parseMountOptions(cut < 0 ? '' : spec.slice(cut + 1));
  if (typeof options === 'string') return `--tmpfs: ${options}`;
  return { guest: path.posix.normalize(guest), options };
}

/** Mount each --tmpfs; returns an error line, or null. */
export function mountTmpfs(k: Kernel, specs: readonly TmpfsSpec[]): string | null {
  for (const m of specs) {
    const at = guestDir(k, m.guest);
    if (!at) return `--tmpfs: cannot make ${m.guest} in the guest`;
    const src = tmpfs_with_options(m.options);
    if (typeof do_mount(at, src.sb, src.root, src.devname) === 'number') return `--tmpfs: cannot mount on ${m.guest}`;
  }
  return null;
}

/** Mount each --mount directory on its guest directory; returns an error line, or null. */
export function mountHostDirs(k: Kernel, specs: readonly HostMountSpec[]): string | null {
  for (const m of specs) {
    const bad = checkHostDir(m.host);
    if (bad) return `--mount: ${bad}`;
    const at = guestDir(k, m.guest);
    if (!at) return `--mount: cannot make ${m.guest} in the guest`;
    const src = hostfs_source(m.host, m.mode);
    const r = do_mount(at, src.sb, src.root, src.devname);
    if (typeof r === 'number') return `--mount: cannot mount on ${m.guest}`;
  }
  return null;
}
