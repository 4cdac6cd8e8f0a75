/**
 * The CPU model both engines report through CPUID (DESIGN.md: report a
 * coherent model, since glibc and musl pick their routines by it): a
 * family 6 "GenuineIntel" CPU with exactly what the interp engine
 * implements: x87, TSC, CX8, CMOV, CLFSH, MMX, FXSR, SSE, SSE2, CX16, POPCNT,
 * SYSCALL, NX, LM and LAHF in long mode. No SSE3+, no AVX, no XSAVE/OSXSAVE
 * (so no xgetbv), no BMI (leaf 7 is zero).
 *
 * This set is also glibc 2.36's "x86-64-baseline" ISA level
 * (sysdeps/x86/get-isa-level.h: CMOV, CX8, FPU, FXSR, MMX, SSE, SSE2), which
 * Debian 12's libc.so.6 requires of the CPU before it runs anything.
 *
 * The unicorn engine answers CPUID from here too (a CPUID hook): Unicorn
 * 2.0's own answer lacks FPU and MMX whatever CPU model it is given (its
 * x86_reg_reset hard-codes CPUID.1:EDX; unicorn-engine/unicorn issue 1787),
 * and one model for both engines keeps their runs comparable in lockstep.
 */

function str4(s: string): number {
  return (s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 24)) >>> 0;
}

const BRAND = 'kemu x86-64 TypeScript interpreter'.padEnd(48, '\0');

/** CPUID.1:EDX, which Linux also hands a task as AT_HWCAP (arch/x86/include/asm/elf.h ELF_HWCAP). */
export const CPUID_EDX1 = ((1 << 0) /* FPU */ | (1 << 4) /* TSC */ | (1 << 8) /* CX8 */ | (1 << 15) /* CMOV */
  | (1 << 19) /* CLFSH (clflush; EBX gives its line size) */ | (1 << 23) /* MMX */ | (1 << 24) /* FXSR */
  | (1 << 25) /* SSE */ | (1 << 26) /* SSE2 */) >>> 0;
const ECX1 = (1 << 13) /* CX16 */ | (1 << 23) /* POPCNT */;

/** One cache level for leaf 4: type (1 data, 2 instruction, 3 unified), level, ways, sets, 64-byte lines. */
function leaf4(type: number, level: number, ways: number, sets: number, shared: number): number[] {
  const eax = type | (level << 5) | (1 << 8) /* self-initialising */ | ((shared - 1) << 14);
  const ebx = (63) | (0 << 12) | ((ways - 1) << 22);
  return [eax, ebx, sets - 1, 0];
}

// glibc sizes its memcpy/memset thresholds from these (sysdeps/x86/dl-cacheinfo.h).
const CACHES = [
  leaf4(1, 1, 8, 64, 1), // L1d 32 KiB
  leaf4(2, 1, 8, 64, 1), // L1i 32 KiB
  leaf4(3, 2, 8, 1024, 1), // L2 512 KiB
  leaf4(3, 3, 16, 8192, 1), // L3 8 MiB
];

/** EAX, EBX, ECX, EDX of CPUID leaf `leaf`, subleaf `sub`, as unsigned 32-bit numbers. */
export function cpuidLeaf(leaf: number, sub: number): [number, number, number, number] {
  const r = raw(leaf >>> 0, sub >>> 0);
  return [r[0]! >>> 0, r[1]! >>> 0, r[2]! >>> 0, r[3]! >>> 0];
}

function raw(leaf: number, sub: number): number[] {
  switch (leaf) {
    case 0: return [7, str4('Genu'), str4('ntel'), str4('ineI')];
    case 1: return [0x000306a9 /* family 6 model 58 stepping 9 */, 0x00010800 /* 1 logical CPU, clflush 64 */, ECX1, CPUID_EDX1];
    case 2: return [0x00feff01, 0, 0, 0]; // "use leaf 4"
    case 4: return sub < CACHES.length ? CACHES[sub]! : [0, 0, 0, 0];
    case 0x80000000: return [0x80000008, 0, 0, 0];
    case 0x80000001: return [0, 0, 1 /* LAHF/SAHF in long mode */, (1 << 11) /* SYSCALL */ | (1 << 20) /* NX */ | (1 << 29) /* LM */];
    case 0x80000002: case 0x80000003: case 0x80000004: {
      const o = (leaf - 0x80000002) * 16;
      return [0, 1, 2, 3].map((k) => str4(BRAND.slice(o + 4 * k, o + 4 * k + 4)));
    }
    case 0x80000006: return [0, 0, (512 << 16) | (8 << 12) | 64, 0];
    case 0x80000008: return [0x3027 /* 39 physical, 48 linear address bits */, 0, 0, 0];
    default: return [0, 0, 0, 0]; // leaf 7 included: no extended features
  }
}
