/**
 * A VFS to test without a CPU: the mount tree every kernel gets
 * (kernel/fs/init_fs.ts), and the kernel's own workers called the way the
 * syscalls call them, as a given user.
 */

import { O_CREAT, O_RDONLY, O_WRONLY } from '../../abi/fcntl.js';
import type { Dentry } from '../../kernel/fs/dcache.js';
import type { File } from '../../kernel/fs/file.js';
import { init_mount_tree, type MountSource } from '../../kernel/fs/init_fs.js';
import {
  filename_lookup, LOOKUP_FOLLOW, nameidata, ROOT_CRED, latin1Bytes, type Cred, type FsStruct,
} from '../../kernel/fs/namei.js';
import { do_mkdirat, do_symlinkat } from '../../kernel/fs/namei_create.js';
import { build_open_flags, build_open_how, do_filp_open } from '../../kernel/fs/open.js';

export interface Ctx {
  fs: FsStruct;
  cred: Cred;
}

/** A fresh mount tree (tmpfs root unless `rootfs`), with root as the caller. */
export function freshVfs(rootfs?: MountSource): Ctx {
  const root = init_mount_tree({ current: () => null, task: () => null, pids: () => [] }, rootfs);
  return { fs: { root, pwd: root, umask: 0o022 }, cred: { ...ROOT_CRED } };
}

/** The same tree seen by an ordinary user. */
export function asUser(ctx: Ctx, uid: number, gid = uid, groups: number[] = []): Ctx {
  return { fs: ctx.fs, cred: { uid, gid, euid: uid, egid: gid, fsuid: uid, fsgid: gid, groups } };
}

export function lookup(ctx: Ctx, path: string, follow = true): Dentry | number {
  return filename_lookup(nameidata(ctx.fs.root, ctx.fs.pwd, follow ? LOOKUP_FOLLOW : 0, ctx.cred), path);
}

export function open(ctx: Ctx, path: string, flags: number, mode = 0o644): File | number {
  const op = build_open_flags(build_open_how(flags, mode));
  if (typeof op === 'number') return op;
  return do_filp_open(ctx, ctx.fs.pwd, path, op);
}

export function mkdir(ctx: Ctx, path: string, mode = 0o755): number {
  return do_mkdirat(ctx, ctx.fs.pwd, path, mode);
}

export function symlink(ctx: Ctx, target: string, path: string): number {
  return do_symlinkat(ctx, latin1Bytes(target), ctx.fs.pwd, path);
}

/** Create (or truncate) a file with `text`; returns 0 or -errno. */
export function writeFile(ctx: Ctx, path: string, text: string, mode = 0o644): number {
  const f = open(ctx, path, O_CREAT | O_WRONLY, mode);
  if (typeof f === 'number') return f;
  const bytes = Buffer.from(text, 'latin1');
  const n = f.write(new Uint8Array(bytes));
  return n < 0 ? n : 0;
}

/** The whole content of a file, or -errno. */
export function readFile(ctx: Ctx, path: string): string | number {
  const f = open(ctx, path, O_RDONLY);
  if (typeof f === 'number') return f;
  const buf = new Uint8Array(1 << 16);
  const n = f.read(buf);
  return n < 0 ? n : Buffer.from(buf.subarray(0, n)).toString('latin1');
}

/** Resolve or fail the test. */
export function must(d: Dentry | number): Dentry {
  if (typeof d === 'number') throw new Error(`lookup failed: ${d}`);
  return d;
}
