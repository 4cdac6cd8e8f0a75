/**
 * The kernel's monotonic clock in milliseconds (Linux ktime_get(), in ms):
 * what slices, sleeps and timeouts are measured on. It reads
 * process.hrtime() rather than performance.now(): the `performance` global
 * loads node:perf_hooks and ten more modules on first use, a millisecond
 * or two of every start-up (docs/engine.md, "Start-up").
 */

/** Milliseconds on a monotonic clock with an arbitrary origin (fractional: nanosecond resolution). */
export function ktime_get_ms(): number {
  const t = process.hrtime();
  return t[0] * 1000 + t[1] / 1e6;
}
