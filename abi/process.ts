/**
 * Process-control numbers: clone flags and clone_args, wait options and
 * status encoding, futex ops, personality bits, prctl options and rlimit
 * resources.
 */

// Linux include/uapi/linux/sched.h: clone flags
/** Low byte of clone flags: the signal sent to the parent at exit. */
export const CSIGNAL = 0x000000ff;
export const CLONE_NEWTIME = 0x00000080;
export const CLONE_VM = 0x00000100;
export const CLONE_FS = 0x00000200;
export const CLONE_FILES = 0x00000400;
export const CLONE_SIGHAND = 0x00000800;
export const CLONE_PIDFD = 0x00001000;
export const CLONE_PTRACE = 0x00002000;
export const CLONE_VFORK = 0x00004000;
export const CLONE_PARENT = 0x00008000;
export const CLONE_THREAD = 0x00010000;
export const CLONE_NEWNS = 0x00020000;
export const CLONE_SYSVSEM = 0x00040000;
export const CLONE_SETTLS = 0x00080000;
export const CLONE_PARENT_SETTID = 0x00100000;
export const CLONE_CHILD_CLEARTID = 0x00200000;
export const CLONE_DETACHED = 0x00400000;
export const CLONE_UNTRACED = 0x00800000;
export const CLONE_CHILD_SETTID = 0x01000000;
export const CLONE_NEWCGROUP = 0x02000000;
export const CLONE_NEWUTS = 0x04000000;
export const CLONE_NEWIPC = 0x08000000;
export const CLONE_NEWUSER = 0x10000000;
export const CLONE_NEWPID = 0x20000000;
export const CLONE_NEWNET = 0x40000000;
/** 0x80000000: use >>> 0 after bitwise ops. */
export const CLONE_IO = 0x80000000;
/** clone3 only (64-bit flags). */
export const CLONE_CLEAR_SIGHAND = 0x100000000n;
export const CLONE_INTO_CGROUP = 0x200000000n;

/** struct clone_args (clone3), all fields u64. Linux include/uapi/linux/sched.h */
export const CLONE_ARGS = Object.freeze({
  flags: 0, pidfd: 8, child_tid: 16, parent_tid: 24, exit_signal: 32,
  stack: 40, stack_size: 48, tls: 56, set_tid: 64, set_tid_size: 72, cgroup: 80,
});
export const CLONE_ARGS_SIZE_VER0 = 64;
export const CLONE_ARGS_SIZE_VER1 = 80;
export const CLONE_ARGS_SIZE_VER2 = 88;

// Linux include/uapi/linux/wait.h
export const WNOHANG = 0x00000001;
export const WUNTRACED = 0x00000002;
export const WSTOPPED = WUNTRACED;
export const WEXITED = 0x00000004;
export const WCONTINUED = 0x00000008;
export const WNOWAIT = 0x01000000;
export const __WNOTHREAD = 0x20000000;
export const __WALL = 0x40000000;
export const __WCLONE = 0x80000000;
/** waitid idtype. */
export const P_ALL = 0;
export const P_PID = 1;
export const P_PGID = 2;
export const P_PIDFD = 3;

// The wait status word (Linux kernel/exit.c, glibc bits/waitstatus.h)
/** Status of a normal exit: (code & 0xff) << 8. */
export const W_EXITCODE = (code: number, sig: number): number => ((code & 0xff) << 8) | sig;
/** Status of a stop: (sig << 8) | 0x7f. */
export const W_STOPCODE = (sig: number): number => (sig << 8) | 0x7f;
/** Core-dumped flag in a killed-by-signal status. */
export const WCOREFLAG = 0x80;
/** Status reported for a continued child. */
export const W_CONTINUED = 0xffff;
export const WIFEXITED = (s: number): boolean => (s & 0x7f) === 0;
export const WEXITSTATUS = (s: number): number => (s >> 8) & 0xff;
export const WIFSIGNALED = (s: number): boolean => (s & 0x7f) !== 0 && (s & 0x7f) !== 0x7f;
export const WTERMSIG = (s: number): number => s & 0x7f;
export const WCOREDUMP = (s: number): boolean => (s & WCOREFLAG) !== 0;
export const WIFSTOPPED = (s: number): boolean => (s & 0xff) === 0x7f;
export const WSTOPSIG = (s: number): number => (s >> 8) & 0xff;
export const WIFCONTINUED = (s: number): boolean => s === W_CONTINUED;

// Linux include/uapi/linux/futex.h
export const FUTEX_WAIT = 0;
export const FUTEX_WAKE = 1;
export const FUTEX_FD = 2;
export const FUTEX_REQUEUE = 3;
export const FUTEX_CMP_REQUEUE = 4;
export const FUTEX_WAKE_OP = 5;
export const FUTEX_LOCK_PI = 6;
export const FUTEX_UNLOCK_PI = 7;
export const FUTEX_TRYLOCK_PI = 8;
export const FUTEX_WAIT_BITSET = 9;
export const FUTEX_WAKE_BITSET = 10;
export const FUTEX_WAIT_REQUEUE_PI = 11;
export const FUTEX_CMP_REQUEUE_PI = 12;
export const FUTEX_LOCK_PI2 = 13;
export const FUTEX_PRIVATE_FLAG = 128;
export const FUTEX_CLOCK_REALTIME = 256;
export const FUTEX_CMD_MASK = ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
export const FUTEX_WAIT_PRIVATE = FUTEX_WAIT | FUTEX_PRIVATE_FLAG;
export const FUTEX_WAKE_PRIVATE = FUTEX_WAKE | FUTEX_PRIVATE_FLAG;
export const FUTEX_WAIT_BITSET_PRIVATE = FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG;
export const FUTEX_WAKE_BITSET_PRIVATE = FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG;
export const FUTEX_WAITERS = 0x80000000;
export const FUTEX_OWNER_DIED = 0x40000000;
export const FUTEX_TID_MASK = 0x3fffffff;
export const FUTEX_BITSET_MATCH_ANY = 0xffffffff;
export const FUTEX_WAITV_MAX = 128;
export const FUTEX_OP_SET = 0;
export const FUTEX_OP_ADD = 1;
export const FUTEX_OP_OR = 2;
export const FUTEX_OP_ANDN = 3;
export const FUTEX_OP_XOR = 4;
export const FUTEX_OP_OPARG_SHIFT = 8;
export const FUTEX_OP_CMP_EQ = 0;
export const FUTEX_OP_CMP_NE = 1;
export const FUTEX_OP_CMP_LT = 2;
export const FUTEX_OP_CMP_LE = 3;
export const FUTEX_OP_CMP_GT = 4;
export const FUTEX_OP_CMP_GE = 5;

// Linux include/uapi/linux/personality.h
export const UNAME26 = 0x0020000;
/** Disable address-space randomization (setarch -R). */
export const ADDR_NO_RANDOMIZE = 0x0040000;
export const FDPIC_FUNCPTRS = 0x0080000;
export const MMAP_PAGE_ZERO = 0x0100000;
export const ADDR_COMPAT_LAYOUT = 0x0200000;
/** PROT_READ implies PROT_EXEC (set by binfmt_elf for some stack markings). */
export const READ_IMPLIES_EXEC = 0x0400000;
export const ADDR_LIMIT_32BIT = 0x0800000;
export const SHORT_INODE = 0x1000000;
export const WHOLE_SECONDS = 0x2000000;
export const STICKY_TIMEOUTS = 0x4000000;
export const ADDR_LIMIT_3GB = 0x8000000;
/** Bits cleared on exec of a setuid/setgid program. */
export const PER_CLEAR_ON_SETID =
  READ_IMPLIES_EXEC | ADDR_NO_RANDOMIZE | ADDR_COMPAT_LAYOUT | MMAP_PAGE_ZERO;
export const PER_LINUX = 0x0000;
export const PER_LINUX_32BIT = PER_LINUX | ADDR_LIMIT_32BIT;
export const PER_LINUX32 = 0x0008;
export const PER_MASK = 0x00ff;

// Linux include/uapi/linux/prctl.h (the options the exec path and umh touch)
export const PR_SET_PDEATHSIG = 1;
export const PR_GET_PDEATHSIG = 2;
export const PR_GET_DUMPABLE = 3;
export const PR_SET_DUMPABLE = 4;
export const PR_GET_KEEPCAPS = 7;
export const PR_SET_KEEPCAPS = 8;
/** Set task->comm (up to TASK_COMM_LEN - 1 bytes). */
export const PR_SET_NAME = 15;
export const PR_GET_NAME = 16;
export const PR_GET_SECCOMP = 21;
export const PR_SET_SECCOMP = 22;
export const PR_CAPBSET_READ = 23;
export const PR_CAPBSET_DROP = 24;
export const PR_SET_MM = 35;
export const PR_SET_CHILD_SUBREAPER = 36;
export const PR_GET_CHILD_SUBREAPER = 37;
export const PR_SET_NO_NEW_PRIVS = 38;
export const PR_GET_NO_NEW_PRIVS = 39;
export const PR_GET_TID_ADDRESS = 40;
export const PR_SET_THP_DISABLE = 41;
export const PR_GET_THP_DISABLE = 42;
export const PR_SET_PTRACER = 0x59616d61;
export const PR_SET_VMA = 0x53564d41;

// Linux include/uapi/asm-generic/resource.h
export const RLIMIT_CPU = 0;
export const RLIMIT_FSIZE = 1;
export const RLIMIT_DATA = 2;
export const RLIMIT_STACK = 3;
export const RLIMIT_CORE = 4;
export const RLIMIT_RSS = 5;
export const RLIMIT_NPROC = 6;
export const RLIMIT_NOFILE = 7;
export const RLIMIT_MEMLOCK = 8;
export const RLIMIT_AS = 9;
export const RLIMIT_LOCKS = 10;
export const RLIMIT_SIGPENDING = 11;
export const RLIMIT_MSGQUEUE = 12;
export const RLIMIT_NICE = 13;
export const RLIMIT_RTPRIO = 14;
export const RLIMIT_RTTIME = 15;
export const RLIM_NLIMITS = 16;
/** struct rlimit / rlimit64: two u64 (rlim_cur, rlim_max). */
export const RLIMIT_STRUCT = Object.freeze({ rlim_cur: 0, rlim_max: 8, size: 16 });

// Linux include/uapi/linux/resource.h
export const RUSAGE_SELF = 0;
export const RUSAGE_CHILDREN = -1;
export const RUSAGE_THREAD = 1;
export const PRIO_PROCESS = 0;
export const PRIO_PGRP = 1;
export const PRIO_USER = 2;
/** sizeof(struct rusage) on x86-64. */
export const SIZEOF_RUSAGE = 144;
