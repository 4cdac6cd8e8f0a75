/**
 * File attributes as the stat family reports them: Linux fs/stat.c
 * (vfs_getattr, cp_new_stat, cp_statx) and fs/statfs.c (statfs).
 */

import {
  STAT, SIZEOF_STAT, STATX, SIZEOF_STATX, STATX_BASIC_STATS, STATX_BTIME, STATX_MNT_ID, STATX_ATTR_MOUNT_ROOT,
  dev_major, dev_minor,
} from '../../abi/stat.js';
import { isMountRoot, type Dentry } from './dcache.js';
import type { Inode, Timespec } from './inode.js';

/** Fill a struct stat (Linux fs/stat.c cp_new_stat). */
export function cp_new_stat(inode: Inode): Uint8Array {
  inode.refresh();
  const out = new Uint8Array(SIZEOF_STAT);
  const v = new DataView(out.buffer);
  v.setBigUint64(STAT.st_dev, BigInt(inode.i_sb.dev), true);
  v.setBigUint64(STAT.st_ino, BigInt(inode.i_ino), true);
  v.setBigUint64(STAT.st_nlink, BigInt(inode.i_nlink), true);
  v.setUint32(STAT.st_mode, inode.i_mode, true);
  v.setUint32(STAT.st_uid, inode.i_uid >>> 0, true);
  v.setUint32(STAT.st_gid, inode.i_gid >>> 0, true);
  v.setBigUint64(STAT.st_rdev, BigInt(inode.i_rdev), true);
  v.setBigInt64(STAT.st_size, BigInt(inode.size()), true);
  v.setBigInt64(STAT.st_blksize, 4096n, true);
  v.setBigInt64(STAT.st_blocks, BigInt(inode.blocks()), true);
  const put = (sec: number, nsec: number, t: Timespec): void => {
    v.setBigInt64(sec, BigInt(t.tv_sec), true);
    v.setBigInt64(nsec, BigInt(t.tv_nsec), true);
  };
  put(STAT.st_atime, STAT.st_atime_nsec, inode.i_atime);
  put(STAT.st_mtime, STAT.st_mtime_nsec, inode.i_mtime);
  put(STAT.st_ctime, STAT.st_ctime_nsec, inode.i_ctime);
  return out;
}

/**
 * Fill a struct statx (Linux cp_statx). The result mask is what was
 * filled, whatever was asked: the basic stats, the birth time, the mount
 * id (vfs_statx); STATX_ATTR_MOUNT_ROOT marks the root of a mount.
 */
export function cp_statx(inode: Inode, d: Dentry | null): Uint8Array {
  inode.refresh();
  const out = new Uint8Array(SIZEOF_STATX);
  const v = new DataView(out.buffer);
  v.setUint32(STATX.stx_mask, STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID, true);
  v.setUint32(STATX.stx_blksize, 4096, true);
  v.setBigUint64(STATX.stx_attributes, BigInt(d && isMountRoot(d) ? STATX_ATTR_MOUNT_ROOT : 0), true);
  v.setUint32(STATX.stx_nlink, inode.i_nlink, true);
  v.setUint32(STATX.stx_uid, inode.i_uid >>> 0, true);
  v.setUint32(STATX.stx_gid, inode.i_gid >>> 0, true);
  v.setUint16(STATX.stx_mode, inode.i_mode, true);
  v.setBigUint64(STATX.stx_ino, BigInt(inode.i_ino), true);
  v.setBigUint64(STATX.stx_size, BigInt(inode.size()), true);
  v.setBigUint64(STATX.stx_blocks, BigInt(inode.blocks()), true);
  v.setBigUint64(STATX.stx_attributes_mask, BigInt(STATX_ATTR_MOUNT_ROOT), true);
  const put = (at: number, t: Timespec): void => {
    v.setBigInt64(at, BigInt(t.tv_sec), true);
    v.setUint32(at + 8, t.tv_nsec, true);
  };
  put(STATX.stx_atime, inode.i_atime);
  put(STATX.stx_btime, inode.i_crtime);
  put(STATX.stx_ctime, inode.i_ctime);
  put(STATX.stx_mtime, inode.i_mtime);
  v.setUint32(STATX.stx_rdev_major, dev_major(inode.i_rdev), true);
  v.setUint32(STATX.stx_rdev_minor, dev_minor(inode.i_rdev), true);
  v.setUint32(STATX.stx_dev_major, dev_major(inode.i_sb.dev), true);
  v.setUint32(STATX.stx_dev_minor, dev_minor(inode.i_sb.dev), true);
  v.setBigUint64(STATX.stx_mnt_id, BigInt(inode.i_sb.s_mount?.mnt_id ?? 0), true);
  return out;
}

/** struct statfs on x86-64 (120 bytes): Linux include/uapi/asm-generic/statfs.h. */
const SIZEOF_STATFS = 120;

/** Linux ST_* flags in f_flags (include/linux/statfs.h). */
const ST_RDONLY = 0x0001;
const ST_NOSUID = 0x0002;
const ST_NODEV = 0x0004;
const ST_NOEXEC = 0x0008;
const ST_VALID = 0x0020;

/**
 * Linux fs/statfs.c do_statfs_native(): f_type is the filesystem's magic;
 * the block counts describe an in-memory filesystem with room to spare.
 */
export function cp_statfs(inode: Inode): Uint8Array {
  const out = new Uint8Array(SIZEOF_STATFS);
  const v = new DataView(out.buffer);
  const sb = inode.i_sb;
  const blocks = 262144n; // 1 GiB in 4 KiB blocks
  v.setBigInt64(0, BigInt(sb.magic), true); // f_type
  v.setBigInt64(8, 4096n, true); // f_bsize
  v.setBigUint64(16, blocks, true); // f_blocks
  v.setBigUint64(24, blocks, true); // f_bfree
  v.setBigUint64(32, blocks, true); // f_bavail
  v.setBigUint64(40, 1_000_000n, true); // f_files
  v.setBigUint64(48, 999_000n, true); // f_ffree
  v.setInt32(56, sb.dev, true); // f_fsid.val[0]
  v.setBigInt64(64, 255n, true); // f_namelen (NAME_MAX)
  v.setBigInt64(72, 4096n, true); // f_frsize
  const flags = ST_VALID | (sb.rdonly ? ST_RDONLY : 0) | (sb.nosuid ? ST_NOSUID : 0) | (sb.nodev ? ST_NODEV : 0) | (sb.noexec ? ST_NOEXEC : 0);
  v.setBigInt64(80, BigInt(flags), true); // f_flags
  return out;
}
