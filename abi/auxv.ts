/**
 * Auxiliary vector entry types: the (a_type, a_val) pairs that
 * create_elf_tables() puts above envp on a new program's stack.
 */

// Linux include/uapi/linux/auxvec.h
/** End of vector. */
export const AT_NULL = 0;
/** Entry should be ignored. */
export const AT_IGNORE = 1;
/** File descriptor of program (binfmt_misc 'O' flag). */
export const AT_EXECFD = 2;
/** Address of the program headers in the loaded image. */
export const AT_PHDR = 3;
/** Size of one program header entry. */
export const AT_PHENT = 4;
/** Number of program headers. */
export const AT_PHNUM = 5;
/** System page size. */
export const AT_PAGESZ = 6;
/** Base address of the interpreter (0 when there is none). */
export const AT_BASE = 7;
/** Flags (always 0 on Linux). */
export const AT_FLAGS = 8;
/** Entry point of the program (not of the interpreter). */
export const AT_ENTRY = 9;
/** Program is not ELF. */
export const AT_NOTELF = 10;
/** Real uid. */
export const AT_UID = 11;
/** Effective uid. */
export const AT_EUID = 12;
/** Real gid. */
export const AT_GID = 13;
/** Effective gid. */
export const AT_EGID = 14;
/** Address of a string naming the CPU ("x86_64"). */
export const AT_PLATFORM = 15;
/** Arch-dependent hints at CPU capabilities (CPUID.1:EDX on x86). */
export const AT_HWCAP = 16;
/** Frequency at which times() increments (USER_HZ, 100). */
export const AT_CLKTCK = 17;
/** Secure mode (setuid exec): the loader ignores LD_* variables. */
export const AT_SECURE = 23;
/** Address of a string naming the real platform. */
export const AT_BASE_PLATFORM = 24;
/** Address of 16 random bytes (stack protector / pointer guard seed). */
export const AT_RANDOM = 25;
/** Extension of AT_HWCAP. */
export const AT_HWCAP2 = 26;
/** rseq supported feature size (Linux 6.3). */
export const AT_RSEQ_FEATURE_SIZE = 27;
/** rseq allocation alignment (Linux 6.3). */
export const AT_RSEQ_ALIGN = 28;
/** Extension of AT_HWCAP (Linux 6.13). */
export const AT_HWCAP3 = 29;
/** Extension of AT_HWCAP (Linux 6.13). */
export const AT_HWCAP4 = 30;
/** Address of the filename passed to execve (the string on the stack). */
export const AT_EXECFN = 31;
/** Minimal stack size for signal delivery (x86 since Linux 5.14). */
export const AT_MINSIGSTKSZ = 51;

// Linux arch/x86/include/uapi/asm/auxvec.h
/** i386 only: entry of the vsyscall page. Not emitted for 64-bit tasks. */
export const AT_SYSINFO = 32;
/** Address of the vDSO's ELF header. */
export const AT_SYSINFO_EHDR = 33;

/** Names indexed by a_type, for tracing and tests ('AT_RANDOM' for 25). */
export const AUXV_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'AT_NULL', 1: 'AT_IGNORE', 2: 'AT_EXECFD', 3: 'AT_PHDR', 4: 'AT_PHENT',
  5: 'AT_PHNUM', 6: 'AT_PAGESZ', 7: 'AT_BASE', 8: 'AT_FLAGS', 9: 'AT_ENTRY',
  10: 'AT_NOTELF', 11: 'AT_UID', 12: 'AT_EUID', 13: 'AT_GID', 14: 'AT_EGID',
  15: 'AT_PLATFORM', 16: 'AT_HWCAP', 17: 'AT_CLKTCK', 23: 'AT_SECURE',
  24: 'AT_BASE_PLATFORM', 25: 'AT_RANDOM', 26: 'AT_HWCAP2',
  27: 'AT_RSEQ_FEATURE_SIZE', 28: 'AT_RSEQ_ALIGN', 29: 'AT_HWCAP3',
  30: 'AT_HWCAP4', 31: 'AT_EXECFN', 32: 'AT_SYSINFO', 33: 'AT_SYSINFO_EHDR',
  51: 'AT_MINSIGSTKSZ',
});

/** 'AT_RANDOM' for 25, 'AT_?<n>' for an unknown type. */
export function auxvName(type: number): string {
  return AUXV_NAMES[type] ?? `AT_?${type}`;
}
