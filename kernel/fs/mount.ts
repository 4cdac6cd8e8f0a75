/**
 * Mounts: Linux fs/namespace.c and fs/mount.h (struct mount / struct
 * vfsmount), reduced to one mount namespace.
 *
 * A mount puts the root dentry of a filesystem on top of a directory
 * dentry of another (its mountpoint). The walk crosses downward at a
 * mountpoint (namei.ts handle_mounts, Linux traverse_mounts) and upward
 * when ".." is taken at a mount's root (follow_dotdot -> choose_mountpoint).
 *
 * kemu mounts each superblock once (no bind mounts), so a dentry's mount
 * is its superblock's (`sb.s_mount`) and the per-mount flags of Linux
 * (MNT_NOEXEC, MNT_READONLY, MNT_NOSUID, MNT_NODEV) live on the superblock.
 */

import { EBUSY, EINVAL, ENOTDIR } from '../../abi/errno.js';
import { Dentry } from './dcache.js';
import type { Inode, SuperBlock } from './inode.js';

let nextMntId = 21; // Linux's first ids go to the initial mounts; any positive number will do

export class VfsMount {
  readonly mnt_id = nextMntId++;
  /** The mount this one sits on; itself for the namespace root (Linux mnt_has_parent() false). */
  mnt_parent: VfsMount;
  /** The dentry it covers, in mnt_parent; null for the namespace root. */
  mnt_mountpoint: Dentry | null;
  /** Mounts on top of dentries of this one (Linux mnt_mounts). */
  readonly mnt_mounts: VfsMount[] = [];

  constructor(
    readonly mnt_sb: SuperBlock,
    readonly mnt_root: Dentry,
    /** The source as /proc/mounts shows it ("tmpfs", "proc", a host directory). */
    readonly mnt_devname: string,
    parent: VfsMount | null,
    mountpoint: Dentry | null,
  ) {
    this.mnt_parent = parent ?? this;
    this.mnt_mountpoint = mountpoint;
  }
}

/** A filesystem's root dentry, named "/" (Linux d_make_root). */
export function d_make_root(inode: Inode): Dentry {
  return new Dentry('/', null, inode);
}

/** Linux init_mount_tree: the first mount, the root of the namespace. */
export function mount_root(sb: SuperBlock, root: Inode, devname: string): VfsMount {
  const mnt = new VfsMount(sb, d_make_root(root), devname, null, null);
  sb.s_mount = mnt;
  return mnt;
}

/** Linux lookup_mnt + traverse_mounts: the top dentry of the mount stack on `d` (or `d` itself). */
export function follow_mount(d: Dentry): Dentry {
  while (d.d_mounted) d = d.d_mounted.mnt_root;
  return d;
}

/**
 * Linux do_new_mount -> graft_tree: mount `sb` (whose root inode is
 * `root`) on the directory `mountpoint`. A mount on a covered mountpoint
 * goes on top of the stack, as Linux's does.
 */
export function do_mount(mountpoint: Dentry, sb: SuperBlock, root: Inode, devname: string): VfsMount | number {
  if (sb.s_mount) return -EBUSY; // each superblock is mounted once here
  const top = follow_mount(mountpoint);
  if (!top.d_inode.isDir || !root.isDir) return -ENOTDIR;
  const parent = top.d_inode.i_sb.s_mount;
  if (!parent) return -EINVAL;
  const mnt = new VfsMount(sb, d_make_root(root), devname, parent, top);
  sb.s_mount = mnt;
  top.d_mounted = mnt;
  parent.mnt_mounts.push(mnt);
  return mnt;
}

/** The mount a dentry belongs to (Linux real_mount(path->mnt)). */
export function real_mount(d: Dentry): VfsMount | undefined {
  return d.d_inode.i_sb.s_mount;
}

/** Every mount under `root`, parents before children (the order of /proc/self/mounts). */
export function mountsUnder(root: VfsMount): VfsMount[] {
  const out: VfsMount[] = [];
  const visit = (m: VfsMount): void => { out.push(m); for (const c of m.mnt_mounts) visit(c); };
  visit(root);
  return out;
}

/** Mount options kemu's mounts accept (Linux MS_* flags and tmpfs's own). */
export interface MountOptions {
  ro?: boolean;
  noexec?: boolean;
  nosuid?: boolean;
  nodev?: boolean;
  /** tmpfs: the root directory's mode (octal), uid and gid. */
  mode?: number;
  uid?: number;
  gid?: number;
  /** tmpfs size= (bytes; k, m, g suffixes); kept for /proc/mounts. */
  size?: number;
}

/** Parse "ro,noexec,mode=1777,size=64m" (Linux fs_parse for tmpfs and the generic flags); a string is an error. */
export function parseMountOptions(s: string): MountOptions | string {
  const o: MountOptions = {};
  for (const word of s.split(',').filter(Boolean)) {
    const [key, value] = word.split('=', 2) as [string, string | undefined];
    const num = (radix: number): number => (value !== undefined && /^[0-9a-fA-F]+$/.test(value) ? parseInt(value, radix) : NaN);
    switch (key) {
      case 'ro': o.ro = true; break;
      case 'rw': o.ro = false; break;
      case 'noexec': o.noexec = true; break;
      case 'exec': o.noexec = false; break;
      case 'nosuid': o.nosuid = true; break;
      case 'suid': o.nosuid = false; break;
      case 'nodev': o.nodev = true; break;
      case 'dev': o.nodev = false; break;
      case 'mode': o.mode = num(8); if (!(o.mode >= 0 && o.mode <= 0o7777)) return `bad mode=${value ?? ''}`; break;
      case 'uid': o.uid = num(10); if (!(o.uid >= 0)) return `bad uid=${value ?? ''}`; break;
      case 'gid': o.gid = num(10); if (!(o.gid >= 0)) return `bad gid=${value ?? ''}`; break;
      case 'size': {
        const m = /^([0-9]+)([kmg]?)$/i.exec(value ?? '');
        if (!m) return `bad size=${value ?? ''}`;
        o.size = Number(m[1]) * ({ '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as Record<string, number>)[m[2]!.toLowerCase()]!;
        break;
      }
      default: return `unknown mount option "${key}"`;
    }
  }
  return o;
}

/** The superblock flags a set of options gives. */
export function applyMountFlags(sb: SuperBlock, o: MountOptions): void {
  if (o.ro !== undefined) sb.rdonly = o.ro;
  if (o.noexec !== undefined) sb.noexec = o.noexec;
  if (o.nosuid !== undefined) sb.nosuid = o.nosuid;
  if (o.nodev !== undefined) sb.nodev = o.nodev;
}

/** The flag words of a /proc/mounts line: "rw,nosuid,nodev,noexec" and the fs options. */
export function mountFlagsText(sb: SuperBlock): string {
  const words = [sb.rdonly ? 'ro' : 'rw'];
  if (sb.nosuid) words.push('nosuid');
  if (sb.nodev) words.push('nodev');
  if (sb.noexec) words.push('noexec');
  return words.join(',');
}
