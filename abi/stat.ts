/**
 * Layouts of the x86-64 stat family as byte offsets into guest memory, the
 * statx masks and attributes, and directory-entry layouts for getdents64.
 * Offsets and sizes were checked natively with offsetof/sizeof.
 */

/**
 * struct stat as fstat/newfstatat write it on x86-64 (144 bytes; the
 * timestamps are {tv_sec, tv_nsec} pairs of 64-bit words).
 * Linux arch/x86/include/uapi/asm/stat.h
 */
export const STAT = Object.freeze({
  st_dev: 0, // u64
  st_ino: 8, // u64
  st_nlink: 16, // u64 (before st_mode on x86-64, unlike most arches)
  st_mode: 24, // u32
  st_uid: 28, // u32
  st_gid: 32, // u32
  __pad0: 36, // u32
  st_rdev: 40, // u64
  st_size: 48, // s64
  st_blksize: 56, // s64
  st_blocks: 64, // s64, 512-byte units
  st_atime: 72, // s64 seconds
  st_atime_nsec: 80,
  st_mtime: 88,
  st_mtime_nsec: 96,
  st_ctime: 104,
  st_ctime_nsec: 112,
  __unused: 120, // s64[3]
  size: 144,
});
export const SIZEOF_STAT = 144;

/** struct statx_timestamp (16 bytes). Linux include/uapi/linux/stat.h */
export const STATX_TIMESTAMP = Object.freeze({ tv_sec: 0, tv_nsec: 8, size: 16 });

/** struct statx (256 bytes). Linux include/uapi/linux/stat.h */
export const STATX = Object.freeze({
  stx_mask: 0, // u32
  stx_blksize: 4, // u32
  stx_attributes: 8, // u64
  stx_nlink: 16, // u32
  stx_uid: 20, // u32
  stx_gid: 24, // u32
  stx_mode: 28, // u16
  stx_ino: 32, // u64
  stx_size: 40, // u64
  stx_blocks: 48, // u64
  stx_attributes_mask: 56, // u64
  stx_atime: 64, // statx_timestamp
  stx_btime: 80,
  stx_ctime: 96,
  stx_mtime: 112,
  stx_rdev_major: 128, // u32
  stx_rdev_minor: 132,
  stx_dev_major: 136,
  stx_dev_minor: 140,
  stx_mnt_id: 144, // u64
  stx_dio_mem_align: 152, // u32 (6.1)
  stx_dio_offset_align: 156, // u32 (6.1)
  stx_subvol: 160, // u64 (6.10)
  stx_atomic_write_unit_min: 168, // u32 (6.11)
  stx_atomic_write_unit_max: 172, // u32 (6.11)
  stx_atomic_write_segments_max: 176, // u32 (6.11)
  stx_dio_read_offset_align: 180, // u32 (6.14)
  stx_atomic_write_unit_max_opt: 184, // u32 (6.16)
  size: 256,
});
export const SIZEOF_STATX = 256;

// Linux include/uapi/linux/stat.h: statx mask bits
export const STATX_TYPE = 0x00000001;
export const STATX_MODE = 0x00000002;
export const STATX_NLINK = 0x00000004;
export const STATX_UID = 0x00000008;
export const STATX_GID = 0x00000010;
export const STATX_ATIME = 0x00000020;
export const STATX_MTIME = 0x00000040;
export const STATX_CTIME = 0x00000080;
export const STATX_INO = 0x00000100;
export const STATX_SIZE = 0x00000200;
export const STATX_BLOCKS = 0x00000400;
/** What plain stat() fills. */
export const STATX_BASIC_STATS = 0x000007ff;
export const STATX_BTIME = 0x00000800;
export const STATX_MNT_ID = 0x00001000;
export const STATX_DIOALIGN = 0x00002000;
export const STATX_MNT_ID_UNIQUE = 0x00004000; // Linux 6.8
export const STATX_SUBVOL = 0x00008000; // Linux 6.10
export const STATX_WRITE_ATOMIC = 0x00010000; // Linux 6.11
export const STATX_DIO_READ_ALIGN = 0x00020000; // Linux 6.14
/** Reserved: statx() fails with EINVAL if asked for it. */
export const STATX__RESERVED = 0x80000000;
/** Deprecated alias of BASIC_STATS | BTIME. */
export const STATX_ALL = 0x00000fff;

// Linux include/uapi/linux/stat.h: stx_attributes bits
export const STATX_ATTR_COMPRESSED = 0x00000004;
export const STATX_ATTR_IMMUTABLE = 0x00000010;
export const STATX_ATTR_APPEND = 0x00000020;
export const STATX_ATTR_NODUMP = 0x00000040;
export const STATX_ATTR_ENCRYPTED = 0x00000800;
export const STATX_ATTR_AUTOMOUNT = 0x00001000;
export const STATX_ATTR_MOUNT_ROOT = 0x00002000;
export const STATX_ATTR_VERITY = 0x00100000;
export const STATX_ATTR_DAX = 0x00200000;
export const STATX_ATTR_WRITE_ATOMIC = 0x00400000; // Linux 6.11

/**
 * struct linux_dirent64 as getdents64 writes it: a 19-byte header then the
 * NUL-terminated name, each record padded to 8 bytes.
 * Linux include/linux/dirent.h
 */
export const LINUX_DIRENT64 = Object.freeze({
  d_ino: 0, // u64
  d_off: 8, // s64
  d_reclen: 16, // u16
  d_type: 18, // u8
  d_name: 19,
});

/**
 * struct linux_dirent (old getdents): name at 18, d_type in the record's last
 * byte. Linux fs/readdir.c
 */
export const LINUX_DIRENT = Object.freeze({ d_ino: 0, d_off: 8, d_reclen: 16, d_name: 18 });

// Linux include/linux/fs_types.h (dirent d_type, the same as glibc's DT_*)
export const DT_UNKNOWN = 0;
export const DT_FIFO = 1;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_BLK = 6;
export const DT_REG = 8;
export const DT_LNK = 10;
export const DT_SOCK = 12;
export const DT_WHT = 14;

/** d_type of an st_mode: (mode & S_IFMT) >> 12. Linux fs_umode_to_dtype(). */
export function fs_umode_to_dtype(mode: number): number {
  return (mode & 0o170000) >>> 12;
}

// Linux include/linux/kdev_t.h: the dev_t encoding user space sees (new_encode_dev)
/** Encode major:minor as the 32-bit dev_t that stat() returns. */
export function new_encode_dev(major: number, minor: number): number {
  return ((minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)) >>> 0;
}
/** Major number of a dev_t from new_encode_dev / glibc makedev (low 32 bits). */
export function dev_major(dev: number): number {
  return (dev & 0xfff00) >>> 8;
}
/** Minor number of a dev_t from new_encode_dev / glibc makedev (low 32 bits). */
export function dev_minor(dev: number): number {
  return ((dev & 0xff) | ((dev >>> 12) & 0xfff00)) >>> 0;
}
