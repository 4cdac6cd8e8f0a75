/**
 * Unicorn 2 ABI numbers used by the unicorn engine (include/unicorn/unicorn.h
 * and include/unicorn/x86.h of Unicorn 2.0; the enums only grow at their
 * ends, so 2.1 keeps these values). Numbers only: this module imports nothing.
 */

export const UC_API_MAJOR = 2;

export const UC_ARCH_X86 = 4;
export const UC_MODE_64 = 1 << 3;

/** uc_err */
export const UC_ERR_OK = 0;
export const UC_ERR_NOMEM = 1;
export const UC_ERR_READ_UNMAPPED = 6;
export const UC_ERR_WRITE_UNMAPPED = 7;
export const UC_ERR_FETCH_UNMAPPED = 8;
export const UC_ERR_INSN_INVALID = 10;
export const UC_ERR_MAP = 11;
export const UC_ERR_WRITE_PROT = 12;
export const UC_ERR_READ_PROT = 13;
export const UC_ERR_FETCH_PROT = 14;
export const UC_ERR_EXCEPTION = 21;

/** uc_mem_type, as a UC_HOOK_MEM_INVALID callback receives it. */
export const UC_MEM_READ_UNMAPPED = 19;
export const UC_MEM_WRITE_UNMAPPED = 20;
export const UC_MEM_FETCH_UNMAPPED = 21;
export const UC_MEM_WRITE_PROT = 22;
export const UC_MEM_READ_PROT = 23;
export const UC_MEM_FETCH_PROT = 24;

/** uc_hook_type */
export const UC_HOOK_INTR = 1 << 0;
export const UC_HOOK_INSN = 1 << 1;
export const UC_HOOK_MEM_READ_UNMAPPED = 1 << 4;
export const UC_HOOK_MEM_WRITE_UNMAPPED = 1 << 5;
export const UC_HOOK_MEM_FETCH_UNMAPPED = 1 << 6;
export const UC_HOOK_MEM_READ_PROT = 1 << 7;
export const UC_HOOK_MEM_WRITE_PROT = 1 << 8;
export const UC_HOOK_MEM_FETCH_PROT = 1 << 9;
export const UC_HOOK_MEM_READ = 1 << 10;
export const UC_HOOK_MEM_WRITE = 1 << 11;
export const UC_HOOK_MEM_INVALID =
  UC_HOOK_MEM_READ_UNMAPPED | UC_HOOK_MEM_WRITE_UNMAPPED | UC_HOOK_MEM_FETCH_UNMAPPED |
  UC_HOOK_MEM_READ_PROT | UC_HOOK_MEM_WRITE_PROT | UC_HOOK_MEM_FETCH_PROT;

/** uc_x86_insn: the instructions hooked. */
export const UC_X86_INS_CPUID = 113;
export const UC_X86_INS_SYSCALL = 699;

/** uc_control_type and the UC_CTL() encoding: type | nr_args << 26 | rw << 30. */
export const UC_CTL_TB_REMOVE_CACHE = 9;
const UC_CTL_IO_WRITE = 1;
export function UC_CTL_WRITE(type: number, nr: number): number {
  return (type | (nr << 26) | (UC_CTL_IO_WRITE << 30)) >>> 0;
}

/** uc_x86_reg */
export const UC_X86_REG_CS = 11;
export const UC_X86_REG_EFLAGS = 25;
export const UC_X86_REG_FPSW = 31;
export const UC_X86_REG_RAX = 35;
export const UC_X86_REG_RBP = 36;
export const UC_X86_REG_RBX = 37;
export const UC_X86_REG_RCX = 38;
export const UC_X86_REG_RDI = 39;
export const UC_X86_REG_RDX = 40;
export const UC_X86_REG_RIP = 41;
export const UC_X86_REG_RSI = 43;
export const UC_X86_REG_RSP = 44;
export const UC_X86_REG_SS = 49;
export const UC_X86_REG_CR4 = 54;
export const UC_X86_REG_R8 = 106; // R8..R15 follow
export const UC_X86_REG_ST0 = 114; // ST0..ST7 follow (stack-relative, 10 bytes)
export const UC_X86_REG_XMM0 = 122; // XMM0..XMM31 follow (16 bytes)
export const UC_X86_REG_GDTR = 243;
export const UC_X86_REG_FPCW = 246;
export const UC_X86_REG_FPTAG = 247;
export const UC_X86_REG_MXCSR = 249;
export const UC_X86_REG_FS_BASE = 250;
export const UC_X86_REG_GS_BASE = 251;

/** x86 exception vectors as UC_HOOK_INTR reports them (Intel SDM vol. 3 table 6-1). */
export const X86_DE = 0;
export const X86_DB = 1;
export const X86_BP = 3;
export const X86_UD = 6;
export const X86_DF = 8;
export const X86_GP = 13;
export const X86_MF = 16;
export const X86_XM = 19;
