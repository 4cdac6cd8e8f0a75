/**
 * Sizes and limits the guest can observe, with the Linux header each comes
 * from. 64-bit addresses are bigint; everything that fits 32 bits is number.
 */

// Linux arch/x86/include/asm/page_types.h (x86-64, 4 KiB pages)
export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
/** ~(PAGE_SIZE - 1) as a 64-bit mask. */
export const PAGE_MASK = ~BigInt(PAGE_SIZE - 1) & 0xffff_ffff_ffff_ffffn;

// Linux include/uapi/linux/limits.h
/** Supplementary groups. */
export const NGROUPS_MAX = 65536;
/** Bytes of args + environ for exec(): the floor of the argument space. */
export const ARG_MAX = 131072;
/** Links a file may have. */
export const LINK_MAX = 127;
/** Size of the canonical input queue. */
export const MAX_CANON = 255;
/** Size of the type-ahead buffer. */
export const MAX_INPUT = 255;
/** Bytes in a file name component. */
export const NAME_MAX = 255;
/** Bytes in a path name, including the terminating NUL. */
export const PATH_MAX = 4096;
/** Bytes a pipe write may make atomically. */
export const PIPE_BUF = 4096;
/** Chars in an extended attribute name. */
export const XATTR_NAME_MAX = 255;
/** Size of an extended attribute value (64k). */
export const XATTR_SIZE_MAX = 65536;
/** Size of an extended attribute name list (64k). */
export const XATTR_LIST_MAX = 65536;
/** Number of realtime signals. */
export const RTSIG_MAX = 32;

// Linux include/uapi/linux/binfmts.h
/** Longest single argv/envp string exec accepts, NUL included (32 pages). */
export const MAX_ARG_STRLEN = PAGE_SIZE * 32;
/** Most argv or envp entries exec accepts. */
export const MAX_ARG_STRINGS = 0x7fffffff;
/** Linux 4.18 include/linux/binfmts.h: bytes of the file read into bprm->buf. */
export const BINPRM_BUF_SIZE_4_18 = 128;
/** Linux 5.1+ include/uapi/linux/binfmts.h: BINPRM_BUF_SIZE grew to 256. */
export const BINPRM_BUF_SIZE_6_18 = 256;

// Linux include/linux/sched.h
/** Bytes of task->comm, NUL included: the name is cut to 15 chars. */
export const TASK_COMM_LEN = 16;

// Linux include/linux/namei.h
/** Symlinks followed in one lookup before ELOOP. */
export const MAXSYMLINKS = 40;

// Linux include/linux/fs.h
/** Largest count one read/write moves: INT_MAX & PAGE_MASK. */
export const MAX_RW_COUNT = 0x7ffff000;

// Linux include/uapi/linux/uio.h
/** Most iovecs one readv/writev takes (UIO_MAXIOV). */
export const UIO_MAXIOV = 1024;
export const IOV_MAX = UIO_MAXIOV;

// Linux include/uapi/linux/resource.h
/** Default RLIMIT_STACK soft limit: 8 MiB. */
export const _STK_LIM = 8 * 1024 * 1024;
/** Linux 5.16+ default RLIMIT_MEMLOCK: 8 MiB (4.18: 64 KiB). */
export const MLOCK_LIMIT = 8 * 1024 * 1024;
/** Linux 4.18 default RLIMIT_MEMLOCK. */
export const MLOCK_LIMIT_4_18 = 64 * 1024;
/** RLIM_INFINITY as the 64-bit value in struct rlimit (~0UL). */
export const RLIM_INFINITY = 0xffff_ffff_ffff_ffffn;

// Linux include/uapi/linux/fs.h
/** Default RLIMIT_NOFILE soft limit. */
export const INR_OPEN_CUR = 1024;
/** Default RLIMIT_NOFILE hard limit. */
export const INR_OPEN_MAX = 4096;
/** Linux fs/file.c: default of sysctl_nr_open (/proc/sys/fs/nr_open), the RLIMIT_NOFILE ceiling. */
export const sysctl_nr_open = 1024 * 1024;

// Linux include/linux/threads.h
/** Default /proc/sys/kernel/pid_max. */
export const PID_MAX_DEFAULT = 0x8000;
/** 64-bit upper bound of pid_max. */
export const PID_MAX_LIMIT = 4 * 1024 * 1024;

// Linux include/linux/pipe_fs_i.h, fs/pipe.c
/** Pages in a new pipe: 16 pages = 64 KiB capacity. */
export const PIPE_DEF_BUFFERS = 16;
/** Default /proc/sys/fs/pipe-max-size (F_SETPIPE_SZ limit for users). */
export const PIPE_MAX_SIZE = 1048576;

// Linux include/asm-generic/param.h
/** Ticks per second as user space sees them (AT_CLKTCK, times()). */
export const USER_HZ = 100;

// Linux include/uapi/linux/utsname.h
/** Bytes in each struct new_utsname field, less the NUL (65-byte fields). */
export const __NEW_UTS_LEN = 64;
export const HOST_NAME_MAX = 64;

// Linux arch/x86/include/asm/page_64_types.h, asm/processor.h (4-level paging)
/** 1 << 47: the top of the canonical lower half. */
export const TASK_SIZE_47 = 0x8000_0000_0000n;
/** Highest user address + 1, one guard page below 1 << 47. */
export const TASK_SIZE_MAX = TASK_SIZE_47 - BigInt(PAGE_SIZE);
/** Where mmap's top-down search window ends. */
export const DEFAULT_MAP_WINDOW = TASK_SIZE_MAX;
/** Top of a 64-bit task's stack before randomization (STACK_TOP = TASK_SIZE_LOW). */
export const STACK_TOP = 0x7ffffffff000n;
/** Highest STACK_TOP any 64-bit task can have. */
export const STACK_TOP_MAX = TASK_SIZE_MAX;

// Linux arch/x86/include/asm/elf.h
/**
 * Load base for ET_DYN programs (PIE) without ASLR: DEFAULT_MAP_WINDOW / 3 * 2
 * = 0x555555554aaa; binfmt_elf page-aligns it down to 0x555555554000.
 */
export const ELF_ET_DYN_BASE = (DEFAULT_MAP_WINDOW / 3n) * 2n;
/** Page-granular stack randomization mask for 64-bit tasks (22 bits of pages). */
export const STACK_RND_MASK = 0x3fffff;

// Linux mm/mmap.c (6.x mm/vma.c): stack_guard_gap default, 256 pages
export const STACK_GUARD_GAP = 256 * PAGE_SIZE;
// Linux security/Kconfig CONFIG_DEFAULT_MMAP_MIN_ADDR (x86 distro value)
export const MMAP_MIN_ADDR = 65536;
