/**
 * The system-wide text files of /proc: Linux arch/x86/kernel/cpu/proc.c
 * (cpuinfo), fs/proc/meminfo.c, fs/proc/uptime.c, fs/proc/version.c.
 * kemu shows one CPU and a fixed amount of memory; the formats are
 * Linux's, so programs that parse them find what they expect.
 */

const startHr = process.hrtime.bigint();

/** One processor, flags as kemu's CPUs advertise them (no MMX, SSE2 and below). */
export function cpuinfoText(): string {
  const flags = 'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush fxsr sse sse2 syscall nx lm constant_tsc nopl pni cx16 popcnt hypervisor lahf_lm';
  const rows: Array<[string, string]> = [
    ['processor', '0'], ['vendor_id', 'GenuineIntel'], ['cpu family', '6'], ['model', '85'],
    ['model name', 'kemu virtual x86-64 CPU'], ['stepping', '0'], ['microcode', '0x1'],
    ['cpu MHz', '2000.000'], ['cache size', '4096 KB'], ['physical id', '0'], ['siblings', '1'],
    ['core id', '0'], ['cpu cores', '1'], ['apicid', '0'], ['initial apicid', '0'], ['fpu', 'yes'],
    ['fpu_exception', 'yes'], ['cpuid level', '13'], ['wp', 'yes'], ['flags', flags], ['bugs', ''],
    ['bogomips', '4000.00'], ['clflush size', '64'], ['cache_alignment', '64'],
    ['address sizes', '46 bits physical, 48 bits virtual'], ['power management', ''],
  ];
  // Linux pads each name with tabs to the second tab stop: "model name\t: ...", "cpu MHz\t\t: ...".
  return rows.map(([k, v]) => `${k}${k.length < 8 ? '\t\t' : '\t'}: ${v}`.replace(/ $/, '')).join('\n') + '\n\n';
}

/** The memory kemu reports, in kB: one set for /proc/meminfo and sysinfo(2), so the two agree. */
export const MEM_KB = { total: 2 * 1024 * 1024, free: 2 * 1024 * 1024 - 65536, buffers: 0, shmem: 0, swapTotal: 0, swapFree: 0 } as const;

/** Linux show_val_kb(): "Name:" padded to 16 columns, the value in 8, then " kB". */
export function meminfoText(): string {
  const kb = (name: string, v: number): string => `${(name + ':').padEnd(16)}${String(v).padStart(8)} kB\n`;
  const m = MEM_KB;
  return kb('MemTotal', m.total) + kb('MemFree', m.free) + kb('MemAvailable', m.total - 32768) +
    kb('Buffers', m.buffers) + kb('Cached', 16384) + kb('SwapCached', 0) + kb('Active', 16384) + kb('Inactive', 16384) +
    kb('Shmem', m.shmem) + kb('SwapTotal', m.swapTotal) + kb('SwapFree', m.swapFree);
}

/** Linux uptime_proc_show(): seconds since boot and idle seconds, two decimals each. */
export function uptimeText(): string {
  const s = Number(process.hrtime.bigint() - startHr) / 1e9 + 1;
  return `${s.toFixed(2)} ${(s * 0.9).toFixed(2)}\n`;
}

/** Linux version_proc_show(): "Linux version RELEASE (builder) #1 SMP ...". */
export function versionText(release: string): string {
  return `Linux version ${release} (kemu@kemu) (kemu) #1 SMP kemu\n`;
}
