/**
 * Signal numbers, sigaction flags, si_code values and the x86-64 layouts of
 * the structs that carry them, plus the names and glibc descriptions that
 * shells and strace print.
 */

// Linux arch/x86/include/uapi/asm/signal.h
export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGABRT = 6;
export const SIGIOT = 6;
export const SIGBUS = 7;
export const SIGFPE = 8;
export const SIGKILL = 9;
export const SIGUSR1 = 10;
export const SIGSEGV = 11;
export const SIGUSR2 = 12;
export const SIGPIPE = 13;
export const SIGALRM = 14;
export const SIGTERM = 15;
export const SIGSTKFLT = 16;
export const SIGCHLD = 17;
export const SIGCONT = 18;
export const SIGSTOP = 19;
export const SIGTSTP = 20;
export const SIGTTIN = 21;
export const SIGTTOU = 22;
export const SIGURG = 23;
export const SIGXCPU = 24;
export const SIGXFSZ = 25;
export const SIGVTALRM = 26;
export const SIGPROF = 27;
export const SIGWINCH = 28;
export const SIGIO = 29;
export const SIGPOLL = SIGIO;
export const SIGPWR = 30;
export const SIGSYS = 31;
/** First real-time signal as the kernel numbers them (glibc reserves 32, 33). */
export const SIGRTMIN = 32;
export const _NSIG = 64;
export const SIGRTMAX = _NSIG;
export const _NSIG_BPW = 64;
export const _NSIG_WORDS = _NSIG / _NSIG_BPW;
/** Bytes of the kernel's sigset_t: the sigsetsize rt_sigprocmask insists on. */
export const SIGSET_SIZE = 8;
export const SA_RESTORER = 0x04000000;
export const MINSIGSTKSZ = 2048;
export const SIGSTKSZ = 8192;

// Linux include/uapi/asm-generic/signal-defs.h
export const SA_NOCLDSTOP = 0x00000001;
export const SA_NOCLDWAIT = 0x00000002;
export const SA_SIGINFO = 0x00000004;
export const SA_UNSUPPORTED = 0x00000400;
export const SA_EXPOSE_TAGBITS = 0x00000800;
export const SA_ONSTACK = 0x08000000;
export const SA_RESTART = 0x10000000;
export const SA_NODEFER = 0x40000000;
/** 0x80000000: positive as a number, but `x | SA_RESETHAND` is negative; use >>> 0. */
export const SA_RESETHAND = 0x80000000;
export const SA_NOMASK = SA_NODEFER;
export const SA_ONESHOT = SA_RESETHAND;
export const SIG_BLOCK = 0;
export const SIG_UNBLOCK = 1;
export const SIG_SETMASK = 2;
/** sa_handler values. */
export const SIG_DFL = 0n;
export const SIG_IGN = 1n;
export const SIG_ERR = 0xffff_ffff_ffff_ffffn;

// Linux include/uapi/linux/signal.h: sigaltstack ss_flags
export const SS_ONSTACK = 1;
export const SS_DISABLE = 2;
export const SS_AUTODISARM = 0x80000000;

// Linux include/uapi/asm-generic/siginfo.h: si_code values
export const SI_USER = 0;
export const SI_KERNEL = 0x80;
export const SI_QUEUE = -1;
export const SI_TIMER = -2;
export const SI_MESGQ = -3;
export const SI_ASYNCIO = -4;
export const SI_SIGIO = -5;
export const SI_TKILL = -6;
export const SI_DETHREAD = -7;
export const SI_ASYNCNL = -60;
export const ILL_ILLOPC = 1;
export const ILL_ILLOPN = 2;
export const ILL_ILLADR = 3;
export const ILL_ILLTRP = 4;
export const ILL_PRVOPC = 5;
export const ILL_PRVREG = 6;
export const ILL_COPROC = 7;
export const ILL_BADSTK = 8;
export const ILL_BADIADDR = 9;
export const FPE_INTDIV = 1;
export const FPE_INTOVF = 2;
export const FPE_FLTDIV = 3;
export const FPE_FLTOVF = 4;
export const FPE_FLTUND = 5;
export const FPE_FLTRES = 6;
export const FPE_FLTINV = 7;
export const FPE_FLTSUB = 8;
export const FPE_FLTUNK = 14;
export const FPE_CONDTRAP = 15;
export const SEGV_MAPERR = 1;
export const SEGV_ACCERR = 2;
export const SEGV_BNDERR = 3;
export const SEGV_PKUERR = 4;
/** Linux 6.6: shadow-stack violation. */
export const SEGV_CPERR = 10;
export const BUS_ADRALN = 1;
export const BUS_ADRERR = 2;
export const BUS_OBJERR = 3;
export const BUS_MCEERR_AR = 4;
export const BUS_MCEERR_AO = 5;
export const TRAP_BRKPT = 1;
export const TRAP_TRACE = 2;
export const TRAP_BRANCH = 3;
export const TRAP_HWBKPT = 4;
export const TRAP_UNK = 5;
export const CLD_EXITED = 1;
export const CLD_KILLED = 2;
export const CLD_DUMPED = 3;
export const CLD_TRAPPED = 4;
export const CLD_STOPPED = 5;
export const CLD_CONTINUED = 6;
export const POLL_IN = 1;
export const POLL_OUT = 2;
export const POLL_MSG = 3;
export const POLL_ERR = 4;
export const POLL_PRI = 5;
export const POLL_HUP = 6;
export const SYS_SECCOMP = 1;
export const SYS_USER_DISPATCH = 2;
export const SIGEV_SIGNAL = 0;
export const SIGEV_NONE = 1;
export const SIGEV_THREAD = 2;
export const SIGEV_THREAD_ID = 4;

/**
 * Byte offsets of the kernel's struct sigaction as rt_sigaction(2) reads it
 * on x86-64 (not glibc's, which puts sa_mask second and is 152 bytes).
 * Linux arch/x86/include/uapi/asm/signal.h (struct sigaction, __KERNEL__ view
 * in include/linux/signal_types.h)
 */
export const KERNEL_SIGACTION = Object.freeze({
  sa_handler: 0, sa_flags: 8, sa_restorer: 16, sa_mask: 24, size: 32,
});

/** struct siginfo (128 bytes). Linux include/uapi/asm-generic/siginfo.h */
export const SIGINFO = Object.freeze({
  si_signo: 0, si_errno: 4, si_code: 8,
  /** kill/sigqueue/SIGCHLD: pid_t at 16, uid_t at 20. */
  si_pid: 16, si_uid: 20,
  /** SIGCHLD: exit status or signal at 24, then utime/stime (clock_t). */
  si_status: 24, si_utime: 32, si_stime: 40,
  /** SIGSEGV/SIGBUS/SIGILL/SIGFPE: faulting address. */
  si_addr: 16,
  /** Timers: si_tid 16, si_overrun 20; sigqueue: si_value 24. */
  si_tid: 16, si_overrun: 20, si_value: 24,
  size: 128,
});
export const SI_MAX_SIZE = 128;

/** stack_t for sigaltstack (24 bytes). Linux include/uapi/asm-generic/signal.h */
export const STACK_T = Object.freeze({ ss_sp: 0, ss_flags: 8, ss_size: 16, size: 24 });

/** Bit of sig in a 64-bit sigset: Linux include/linux/signal.h sigmask(). */
export function sigmask(sig: number): bigint {
  return 1n << BigInt(sig - 1);
}

// Linux include/linux/signal.h: default-action classes (SIG_KERNEL_*_MASK)
const bits = (...s: number[]): bigint => s.reduce((m, n) => m | sigmask(n), 0n);
/** Signals that cannot be caught, blocked or ignored. */
export const SIG_KERNEL_ONLY_MASK = bits(SIGKILL, SIGSTOP);
/** Signals whose default action stops the task. */
export const SIG_KERNEL_STOP_MASK = bits(SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU);
/** Signals whose default action dumps core (then kills). */
export const SIG_KERNEL_COREDUMP_MASK = bits(
  SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGSEGV, SIGBUS, SIGSYS, SIGXCPU, SIGXFSZ,
);
/** Signals whose default action is to ignore. */
export const SIG_KERNEL_IGNORE_MASK = bits(SIGCONT, SIGCHLD, SIGWINCH, SIGURG);

const inMask = (sig: number, mask: bigint): boolean =>
  sig >= 1 && sig < SIGRTMIN && (sigmask(sig) & mask) !== 0n;
export const sig_kernel_only = (sig: number): boolean => inMask(sig, SIG_KERNEL_ONLY_MASK);
export const sig_kernel_coredump = (sig: number): boolean => inMask(sig, SIG_KERNEL_COREDUMP_MASK);
export const sig_kernel_ignore = (sig: number): boolean => inMask(sig, SIG_KERNEL_IGNORE_MASK);
export const sig_kernel_stop = (sig: number): boolean => inMask(sig, SIG_KERNEL_STOP_MASK);

/** Linux names indexed by signal number (1..31). */
const NAMES: readonly string[] = [
  '', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS',
  'SIGFPE', 'SIGKILL', 'SIGUSR1', 'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM',
  'SIGTERM', 'SIGSTKFLT', 'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN',
  'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH',
  'SIGIO', 'SIGPWR', 'SIGSYS',
];

/**
 * glibc 2.36 strsignal() text indexed by signal number (1..31), checked
 * natively. Shells print these when a child dies of a signal.
 */
export const SIGNAL_DESCRIPTIONS: readonly string[] = Object.freeze([
  'Unknown signal 0', 'Hangup', 'Interrupt', 'Quit', 'Illegal instruction',
  'Trace/breakpoint trap', 'Aborted', 'Bus error', 'Floating point exception',
  'Killed', 'User defined signal 1', 'Segmentation fault',
  'User defined signal 2', 'Broken pipe', 'Alarm clock', 'Terminated',
  'Stack fault', 'Child exited', 'Continued', 'Stopped (signal)', 'Stopped',
  'Stopped (tty input)', 'Stopped (tty output)', 'Urgent I/O condition',
  'CPU time limit exceeded', 'File size limit exceeded',
  'Virtual timer expired', 'Profiling timer expired', 'Window changed',
  'I/O possible', 'Power failure', 'Bad system call',
]);

/**
 * 'SIGSEGV' for 11. Real-time signals are named as strace names them:
 * 'SIGRTMIN' for 32, 'SIGRT_<n>' for 32+n up to 64; otherwise 'SIG?<n>'.
 */
export function signalName(sig: number): string {
  if (Number.isInteger(sig) && sig >= 1 && sig < SIGRTMIN) return NAMES[sig]!;
  if (sig === SIGRTMIN) return 'SIGRTMIN';
  if (Number.isInteger(sig) && sig > SIGRTMIN && sig <= SIGRTMAX) return `SIGRT_${sig - SIGRTMIN}`;
  return `SIG?${sig}`;
}

/** Glibc 2.36 value of SIGRTMIN: it keeps 32 and 33 for NPTL. */
const GLIBC_SIGRTMIN = 34;

/**
 * glibc 2.36 strsignal(): 'Segmentation fault' for 11, 'Real-time signal 0'
 * for 34, 'Unknown signal 32' for glibc's reserved 32 and 33.
 */
export function strsignal(sig: number): string {
  if (Number.isInteger(sig) && sig >= 1 && sig < SIGRTMIN) return SIGNAL_DESCRIPTIONS[sig]!;
  if (Number.isInteger(sig) && sig >= GLIBC_SIGRTMIN && sig <= SIGRTMAX) {
    return `Real-time signal ${sig - GLIBC_SIGRTMIN}`;
  }
  return `Unknown signal ${sig}`;
}
