/**
 * Kernel profiles: the observable differences between the Linux the seed
 * comes from (4.18) and today's (6.18), held in one place (DESIGN.md
 * decision 5). Code asks the profile; it never tests a version number.
 */

import {
  F_SEAL_EXEC, F_SEAL_FUTURE_WRITE, F_SEAL_GROW, F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_WRITE,
} from '../abi/fcntl.js';
import { BINPRM_BUF_SIZE_4_18, BINPRM_BUF_SIZE_6_18 } from '../abi/limits.js';
import { MFD_ALLOW_SEALING, MFD_CLOEXEC, MFD_EXEC, MFD_HUGETLB, MFD_NOEXEC_SEAL } from '../abi/misc.js';

export interface KernelProfile {
  readonly name: '4.18' | '6.18';
  /** The Linux version, to compare with SYSCALL_SINCE. */
  readonly version: readonly [number, number];
  /** uname -r. */
  readonly release: string;
  /** include/uapi/linux/binfmts.h BINPRM_BUF_SIZE: 128 in 4.18, 256 since 5.1. */
  readonly binprmBufSize: number;
  /** fs/binfmt_script.c: since 5.0 a #! line whose interpreter path was cut by the buffer gives ENOEXEC. */
  readonly scriptRefusesTruncatedInterp: boolean;
  /** fs/exec.c: since 5.18 an empty argv becomes argv = { "" } (argc 1). */
  readonly emptyArgvBecomesEmptyString: boolean;
  /** arch/x86 elf: before 5.8, a missing PT_GNU_STACK or an executable one implies READ_IMPLIES_EXEC. */
  readonly readImpliesExecWithoutGnuStack: boolean;
  /** kernel/umh.c: 4.18's fork_usermode_blob, or 5.9's usermode_driver (umd_load_blob...). */
  readonly umhModel: 'fork_usermode_blob' | 'usermode_driver';
  /** fs/binfmt_misc.c (5.12+): flag P also sets AT_FLAGS_PRESERVE_ARGV0 in AT_FLAGS. */
  readonly miscPreserveArgv0InAtFlags: boolean;
  /**
   * fs/exec.c (6.14+ bprm->comm_from_dentry): execveat(fd, "", AT_EMPTY_PATH)
   * names the task after the file's dentry, not "<fd>" from "/dev/fd/<fd>".
   */
  readonly commFromDentryForEmptyPath: boolean;
  /** include/uapi/linux/auxvec.h: AT_RSEQ_FEATURE_SIZE / AT_RSEQ_ALIGN (6.3+) and AT_MINSIGSTKSZ (5.14+ on x86). */
  readonly auxvRseqAndMinsigstksz: boolean;
  /**
   * fs/binfmt_elf.c maximum_alignment(): since 5.10 (ce81bb256a22) an ET_DYN
   * is placed at the largest power-of-two PT_LOAD p_align; 4.18 ignores
   * p_align and places it on a page.
   */
  readonly elfHonoursPAlign: boolean;
  /** fs/exec.c (6.14+): execveat's AT_EXECVE_CHECK (bprm->is_check): every check of an exec, then 0 without running it. */
  readonly execveCheck: boolean;
  /** mm/memfd.c MFD_ALL_FLAGS: MFD_NOEXEC_SEAL and MFD_EXEC came in 6.3. */
  readonly memfdFlags: number;
  /** include/uapi/linux/fcntl.h F_ALL_SEALS: F_SEAL_FUTURE_WRITE came in 5.1, F_SEAL_EXEC in 6.3. */
  readonly memfdSeals: number;
}

export const PROFILE_4_18: KernelProfile = Object.freeze({
  name: '4.18',
  version: [4, 18] as const,
  release: '4.18.0-kemu',
  binprmBufSize: BINPRM_BUF_SIZE_4_18,
  scriptRefusesTruncatedInterp: false,
  emptyArgvBecomesEmptyString: false,
  readImpliesExecWithoutGnuStack: true,
  umhModel: 'fork_usermode_blob',
  miscPreserveArgv0InAtFlags: false,
  commFromDentryForEmptyPath: false,
  auxvRseqAndMinsigstksz: false,
  elfHonoursPAlign: false,
  execveCheck: false,
  memfdFlags: MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB,
  memfdSeals: F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE,
});

export const PROFILE_6_18: KernelProfile = Object.freeze({
  name: '6.18',
  version: [6, 18] as const,
  release: '6.18.0-kemu',
  binprmBufSize: BINPRM_BUF_SIZE_6_18,
  scriptRefusesTruncatedInterp: true,
  emptyArgvBecomesEmptyString: true,
  readImpliesExecWithoutGnuStack: false,
  umhModel: 'usermode_driver',
  miscPreserveArgv0InAtFlags: true,
  commFromDentryForEmptyPath: true,
  auxvRseqAndMinsigstksz: true,
  elfHonoursPAlign: true,
  execveCheck: true,
  memfdFlags: MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC,
  memfdSeals: F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC,
});

export const PROFILES: Readonly<Record<string, KernelProfile>> = { '4.18': PROFILE_4_18, '6.18': PROFILE_6_18 };

/**
 * The Linux version that brought each x86-64 system call newer than 4.18
 * (from each syscall's merge; 4.18 itself ended with 334, rseq). A kernel
 * older than the entry answers ENOSYS, as that Linux's sys_call_table
 * (sys_ni_syscall) did, whether or not kemu implements the call.
 */
export const SYSCALL_SINCE: ReadonlyMap<number, readonly [number, number]> = new Map<number, readonly [number, number]>([
  [335, [6, 11]], // uretprobe
  [336, [6, 16]], // uprobe
  [424, [5, 1]], // pidfd_send_signal
  [425, [5, 1]], [426, [5, 1]], [427, [5, 1]], // io_uring_setup, io_uring_enter, io_uring_register
  [428, [5, 2]], [429, [5, 2]], [430, [5, 2]], [431, [5, 2]], [432, [5, 2]], [433, [5, 2]], // open_tree .. fspick
  [434, [5, 3]], // pidfd_open
  [435, [5, 3]], // clone3
  [436, [5, 9]], // close_range
  [437, [5, 6]], // openat2
  [438, [5, 6]], // pidfd_getfd
  [439, [5, 8]], // faccessat2
  [440, [5, 10]], // process_madvise
  [441, [5, 11]], // epoll_pwait2
  [442, [5, 12]], // mount_setattr
  [443, [5, 14]], // quotactl_fd
  [444, [5, 13]], [445, [5, 13]], [446, [5, 13]], // landlock_*
  [447, [5, 14]], // memfd_secret
  [448, [5, 15]], // process_mrelease
  [449, [5, 16]], // futex_waitv
  [450, [5, 17]], // set_mempolicy_home_node
  [451, [6, 5]], // cachestat
  [452, [6, 6]], [453, [6, 6]], // fchmodat2, map_shadow_stack
  [454, [6, 7]], [455, [6, 7]], [456, [6, 7]], // futex_wake, futex_wait, futex_requeue
  [457, [6, 8]], [458, [6, 8]], [459, [6, 8]], [460, [6, 8]], [461, [6, 8]], // statmount, listmount, lsm_*
  [462, [6, 10]], // mseal
  [463, [6, 13]], [464, [6, 13]], [465, [6, 13]], [466, [6, 13]], // setxattrat .. removexattrat
  [467, [6, 15]], // open_tree_attr
  [468, [6, 17]], [469, [6, 17]], // file_getattr, file_setattr
  [470, [6, 19]], // listns
]);

/** The lowest number in SYSCALL_SINCE: every syscall below it is in both profiles. */
const FIRST_SINCE = Math.min(...SYSCALL_SINCE.keys());

/** Whether the profile's Linux has system call `nr` (see SYSCALL_SINCE). */
export function has_syscall(p: KernelProfile, nr: number): boolean {
  if (nr < FIRST_SINCE) return true; // the common case, without a map lookup
  const since = SYSCALL_SINCE.get(nr);
  if (!since) return true;
  return p.version[0] > since[0] || (p.version[0] === since[0] && p.version[1] >= since[1]);
}
