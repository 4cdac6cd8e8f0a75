/**
 * open(2) flags, *at() flags, fcntl(2) commands, file type and mode bits,
 * access(2) modes and lseek whence values for x86-64 Linux. O_* are octal as
 * in the headers.
 */

// Linux include/uapi/asm-generic/fcntl.h (x86-64 uses the generic values)
export const O_ACCMODE = 0o00000003;
export const O_RDONLY = 0o00000000;
export const O_WRONLY = 0o00000001;
export const O_RDWR = 0o00000002;
export const O_CREAT = 0o00000100;
export const O_EXCL = 0o00000200;
export const O_NOCTTY = 0o00000400;
export const O_TRUNC = 0o00001000;
export const O_APPEND = 0o00002000;
export const O_NONBLOCK = 0o00004000;
export const O_NDELAY = O_NONBLOCK;
export const O_DSYNC = 0o00010000;
/** BSD compatibility name of O_ASYNC's bit (FASYNC in the kernel). */
export const FASYNC = 0o00020000;
export const O_ASYNC = FASYNC;
export const O_DIRECT = 0o00040000;
/** Implied on 64-bit: force_o_largefile() is true, so open() sets it. */
export const O_LARGEFILE = 0o00100000;
export const O_DIRECTORY = 0o00200000;
export const O_NOFOLLOW = 0o00400000;
export const O_NOATIME = 0o01000000;
export const O_CLOEXEC = 0o02000000;
export const __O_SYNC = 0o04000000;
export const O_SYNC = __O_SYNC | O_DSYNC;
export const O_RSYNC = O_SYNC;
export const O_PATH = 0o10000000;
export const __O_TMPFILE = 0o20000000;
/** O_TMPFILE always carries O_DIRECTORY so old kernels fail with EISDIR/ENOTDIR. */
export const O_TMPFILE = __O_TMPFILE | O_DIRECTORY;

// Linux include/linux/fcntl.h: flags open() accepts (VALID_OPEN_FLAGS)
export const VALID_OPEN_FLAGS =
  O_RDONLY | O_WRONLY | O_RDWR | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC |
  O_APPEND | O_NDELAY | O_NONBLOCK | __O_SYNC | O_DSYNC | FASYNC |
  O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME |
  O_CLOEXEC | O_PATH | __O_TMPFILE;
/** Flags that fcntl(F_SETFL) may change (fs/fcntl.c SETFL_MASK). */
export const SETFL_MASK = O_APPEND | O_NONBLOCK | O_NDELAY | FASYNC | O_DIRECT | O_NOATIME;

// Linux include/uapi/linux/fcntl.h: *at() dirfd and flags
/** dirfd meaning "the current working directory". */
export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
/** faccessat: check with effective ids (shares its value with AT_REMOVEDIR). */
export const AT_EACCESS = 0x200;
/** unlinkat: remove a directory. */
export const AT_REMOVEDIR = 0x200;
/** linkat: follow a symlink oldpath. */
export const AT_SYMLINK_FOLLOW = 0x400;
export const AT_NO_AUTOMOUNT = 0x800;
/** Operate on dirfd itself when the path is "" (execveat, fstatat, ...). */
export const AT_EMPTY_PATH = 0x1000;
/** include/uapi/linux/fcntl.h (6.14+): execveat checks the file could be executed, and runs nothing. */
export const AT_EXECVE_CHECK = 0x10000;
export const AT_STATX_SYNC_TYPE = 0x6000;
export const AT_STATX_SYNC_AS_STAT = 0x0000;
export const AT_STATX_FORCE_SYNC = 0x2000;
export const AT_STATX_DONT_SYNC = 0x4000;
export const AT_RECURSIVE = 0x8000;

// Linux include/uapi/asm-generic/fcntl.h: fcntl() commands
export const F_DUPFD = 0;
export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const F_GETLK = 5;
export const F_SETLK = 6;
export const F_SETLKW = 7;
export const F_SETOWN = 8;
export const F_GETOWN = 9;
export const F_SETSIG = 10;
export const F_GETSIG = 11;
export const F_SETOWN_EX = 15;
export const F_GETOWN_EX = 16;
export const F_GETOWNER_UIDS = 17;
export const F_OFD_GETLK = 36;
export const F_OFD_SETLK = 37;
export const F_OFD_SETLKW = 38;
/** The only bit of the fd flags word: close the fd on a successful exec. */
export const FD_CLOEXEC = 1;
export const F_RDLCK = 0;
export const F_WRLCK = 1;
export const F_UNLCK = 2;

// Linux include/uapi/linux/fcntl.h: Linux-specific fcntl() commands
export const F_LINUX_SPECIFIC_BASE = 1024;
export const F_SETLEASE = F_LINUX_SPECIFIC_BASE + 0;
export const F_GETLEASE = F_LINUX_SPECIFIC_BASE + 1;
export const F_NOTIFY = F_LINUX_SPECIFIC_BASE + 2;
export const F_DUPFD_QUERY = F_LINUX_SPECIFIC_BASE + 3; // Linux 6.10
export const F_CREATED_QUERY = F_LINUX_SPECIFIC_BASE + 4; // Linux 6.12
export const F_CANCELLK = F_LINUX_SPECIFIC_BASE + 5;
export const F_DUPFD_CLOEXEC = F_LINUX_SPECIFIC_BASE + 6;
/** Set a pipe's capacity (rounded up to a power-of-two number of pages). */
export const F_SETPIPE_SZ = F_LINUX_SPECIFIC_BASE + 7;
export const F_GETPIPE_SZ = F_LINUX_SPECIFIC_BASE + 8;
export const F_ADD_SEALS = F_LINUX_SPECIFIC_BASE + 9;
export const F_GET_SEALS = F_LINUX_SPECIFIC_BASE + 10;
export const F_SEAL_SEAL = 0x0001;
export const F_SEAL_SHRINK = 0x0002;
export const F_SEAL_GROW = 0x0004;
export const F_SEAL_WRITE = 0x0008;
export const F_SEAL_FUTURE_WRITE = 0x0010;
export const F_SEAL_EXEC = 0x0020; // Linux 6.3

// Linux include/uapi/asm-generic/fcntl.h: flock() operations
export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

// Linux include/uapi/linux/stat.h: file type and mode bits
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
export const S_ISUID = 0o004000;
export const S_ISGID = 0o002000;
export const S_ISVTX = 0o001000;
export const S_IRWXU = 0o700;
export const S_IRUSR = 0o400;
export const S_IWUSR = 0o200;
export const S_IXUSR = 0o100;
export const S_IRWXG = 0o070;
export const S_IRGRP = 0o040;
export const S_IWGRP = 0o020;
export const S_IXGRP = 0o010;
export const S_IRWXO = 0o007;
export const S_IROTH = 0o004;
export const S_IWOTH = 0o002;
export const S_IXOTH = 0o001;
// Linux include/linux/stat.h
export const S_IRWXUGO = S_IRWXU | S_IRWXG | S_IRWXO;
export const S_IALLUGO = S_ISUID | S_ISGID | S_ISVTX | S_IRWXUGO;
export const S_IRUGO = S_IRUSR | S_IRGRP | S_IROTH;
export const S_IWUGO = S_IWUSR | S_IWGRP | S_IWOTH;
export const S_IXUGO = S_IXUSR | S_IXGRP | S_IXOTH;

export const S_ISLNK = (m: number): boolean => (m & S_IFMT) === S_IFLNK;
export const S_ISREG = (m: number): boolean => (m & S_IFMT) === S_IFREG;
export const S_ISDIR = (m: number): boolean => (m & S_IFMT) === S_IFDIR;
export const S_ISCHR = (m: number): boolean => (m & S_IFMT) === S_IFCHR;
export const S_ISBLK = (m: number): boolean => (m & S_IFMT) === S_IFBLK;
export const S_ISFIFO = (m: number): boolean => (m & S_IFMT) === S_IFIFO;
export const S_ISSOCK = (m: number): boolean => (m & S_IFMT) === S_IFSOCK;

// Linux include/linux/fs.h: d_type values in struct linux_dirent64 (DT_*)
// are in abi/stat.ts with the other directory-entry layouts.

// Linux include/uapi/linux/fs.h: lseek() whence
export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;
export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;
export const SEEK_MAX = SEEK_HOLE;

// Linux include/uapi/linux/fs.h: renameat2() flags
export const RENAME_NOREPLACE = 1 << 0;
export const RENAME_EXCHANGE = 1 << 1;
export const RENAME_WHITEOUT = 1 << 2;

// access(2) modes: glibc <unistd.h>; the kernel reads the same bits as
// MAY_EXEC 1 / MAY_WRITE 2 / MAY_READ 4 (Linux include/linux/fs.h)
/** access() mode: test for existence. */
export const F_OK = 0;
export const X_OK = 1;
export const W_OK = 2;
export const R_OK = 4;
// Linux include/uapi/linux/close_range.h: close_range() flags
export const CLOSE_RANGE_UNSHARE = 1 << 1;
export const CLOSE_RANGE_CLOEXEC = 1 << 2;

// Linux include/uapi/linux/openat2.h: struct open_how resolve flags
export const RESOLVE_NO_XDEV = 0x01;
export const RESOLVE_NO_MAGICLINKS = 0x02;
export const RESOLVE_NO_SYMLINKS = 0x04;
export const RESOLVE_BENEATH = 0x08;
export const RESOLVE_IN_ROOT = 0x10;
export const RESOLVE_CACHED = 0x20;
