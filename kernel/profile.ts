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
  /** mm/memfd.c MFD_ALL_FLAGS: MFD_NOEXEC_SEAL and MFD_EXEC came in 6.3. */
  readonly memfdFlags: number;
  /** include/uapi/linux/fcntl.h F_ALL_SEALS: F_SEAL_FUTURE_WRITE came in 5.1, F_SEAL_EXEC in 6.3. */
  readonly memfdSeals: number;
}

export const PROFILE_4_18: KernelProfile = Object.freeze({
  name: '4.18',
  release: '4.18.0-kemu',
  binprmBufSize: BINPRM_BUF_SIZE_4_18,
  scriptRefusesTruncatedInterp: false,
  emptyArgvBecomesEmptyString: false,
  readImpliesExecWithoutGnuStack: true,
  umhModel: 'fork_usermode_blob',
  miscPreserveArgv0InAtFlags: false,
  commFromDentryForEmptyPath: false,
  auxvRseqAndMinsigstksz: false,
  memfdFlags: MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB,
  memfdSeals: F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE,
});

export const PROFILE_6_18: KernelProfile = Object.freeze({
  name: '6.18',
  release: '6.18.0-kemu',
  binprmBufSize: BINPRM_BUF_SIZE_6_18,
  scriptRefusesTruncatedInterp: true,
  emptyArgvBecomesEmptyString: true,
  readImpliesExecWithoutGnuStack: false,
  umhModel: 'usermode_driver',
  miscPreserveArgv0InAtFlags: true,
  commFromDentryForEmptyPath: true,
  auxvRseqAndMinsigstksz: true,
  memfdFlags: MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC,
  memfdSeals: F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC,
});

export const PROFILES: Readonly<Record<string, KernelProfile>> = { '4.18': PROFILE_4_18, '6.18': PROFILE_6_18 };
