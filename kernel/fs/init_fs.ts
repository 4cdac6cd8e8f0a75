/**
 * The first mounts: Linux init/do_mounts.c and fs/namespace.c
 * init_mount_tree(), then what an init system mounts early. Every kemu
 * kernel gets a root filesystem (an empty tmpfs unless another is given,
 * such as a host directory for `kemu run --root`), procfs on /proc, a
 * devtmpfs on /dev with a tmpfs on /dev/shm, and a world-writable,
 * sticky /tmp.
 */

import { d_instantiate, d_lookup, type Dentry } from './dcache.js';
import { devtmpfs } from './devfs.js';
import { newSuperBlock, type Inode, type SuperBlock } from './inode.js';
import { applyMountFlags, do_mount, mount_root, type MountOptions } from './mount.js';
import { ROOT_CRED } from './namei.js';
import { ProcRoot, type ProcContext } from './procfs.js';
import { TmpfsDir } from './tmpfs.js';

/** A filesystem to mount: its superblock, its root inode, and the source name /proc/mounts shows. */
export interface MountSource {
  sb: SuperBlock;
  root: Inode;
  devname: string;
}

/** A fresh tmpfs (Linux shmem_fill_super): a root directory with `mode`. */
export function tmpfs_source(mode = 0o755, options = '', maxBytes?: number): MountSource {
  const sb = newSuperBlock('tmpfs', { options, ...(maxBytes !== undefined ? { maxBytes } : {}) });
  return { sb, root: new TmpfsDir(sb, mode), devname: 'tmpfs' };
}

/**
 * A tmpfs from mount options (Linux shmem_parse_one / shmem_fill_super):
 * the root's mode, uid and gid, the generic flags (ro, noexec, nosuid,
 * nodev), and `size=`, past which writes are ENOSPC.
 */
export function tmpfs_with_options(o: MountOptions): MountSource {
  const text = [o.size !== undefined ? `size=${Math.ceil(o.size / 1024)}k` : '', o.mode !== undefined ? `mode=${o.mode.toString(8)}` : '']
    .filter(Boolean).join(',');
  const src = tmpfs_source(o.mode ?? 0o1777, text, o.size);
  src.root.i_uid = o.uid ?? 0;
  src.root.i_gid = o.gid ?? 0;
  applyMountFlags(src.sb, o);
  return src;
}

/** The directory `name` under `parent`, made if missing (as an init script's mkdir -p); null if it cannot be. */
export function ensure_dir(parent: Dentry, name: string, mode: number): Dentry | null {
  const found = d_lookup(parent, name);
  if (found && typeof found !== 'number') return found.d_inode.isDir ? found : null;
  const inode = parent.d_inode.mkdir(name, mode, ROOT_CRED);
  return typeof inode === 'number' ? null : d_instantiate(parent, name, inode);
}

/** Mount `src` on `parent/name`, making the directory if needed. */
export function mount_at(parent: Dentry, name: string, src: MountSource): boolean {
  const mp = ensure_dir(parent, name, 0o755);
  return mp !== null && typeof do_mount(mp, src.sb, src.root, src.devname) !== 'number';
}

/**
 * Linux init_mount_tree() and early userspace: mount `rootfs` (default: an
 * empty tmpfs) as /, then procfs, devtmpfs, /dev/shm and /tmp. Returns
 * the root dentry.
 */
export function init_mount_tree(proc: ProcContext, rootfs: MountSource = tmpfs_source()): Dentry {
  const root = mount_root(rootfs.sb, rootfs.root, rootfs.devname).mnt_root;
  const procRoot = new ProcRoot(proc);
  mount_at(root, 'proc', { sb: procRoot.i_sb, root: procRoot, devname: 'proc' });
  const dev = devtmpfs();
  if (mount_at(root, 'dev', { sb: dev.sb, root: dev.root, devname: 'udev' })) {
    const devRoot = root.cached('dev')!.d_mounted!.mnt_root;
    mount_at(devRoot, 'shm', tmpfs_source(0o1777));
  }
  ensure_dir(root, 'tmp', 0o1777);
  return root;
}
