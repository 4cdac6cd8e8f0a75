/**
 * `--trace umh`: each step of a user-mode helper's life as one line on
 * stderr, named after the Linux function that takes it (umh/trace.ts
 * lists the events), so a reader can follow kernel/umh.c beside it.
 */

import type { Kernel } from '../kernel/kernel.js';

const name = (sig: number): string => ({ 9: 'SIGKILL', 11: 'SIGSEGV', 6: 'SIGABRT', 15: 'SIGTERM' } as Record<number, string>)[sig] ?? `signal ${sig}`;

export function formatUmhEvent(d: Record<string, unknown>): string {
  const e = String(d['event']);
  switch (e) {
    case 'shmem_file': return `shmem_kernel_file_setup("", ${d['size']}): an unlinked tmpfs file, S_IFREG|0777`;
    case 'umd_load_blob': return `umd_load_blob: "${d['name']}" (${d['size']} bytes, 0700) in a private tmpfs`;
    case 'umd_unload_blob': return `umd_unload_blob: "${d['name']}"`;
    case 'kernel_write': return `kernel_write: ${d['written']} bytes of the blob`;
    case 'pipes': return `umh_pipe_setup: pid ${d['pid']}: fd 0 = read end of ${d['to_umh']}, fd 1 = write end of ${d['from_umh']}`;
    case 'exec': return `${d['fn']} -> ${d['retval']} (pid ${d['pid']}, comm "${d['comm']}")`;
    case 'fork_failed': return `kernel_thread -> ${d['retval']}`;
    case 'exit': return `helper pid ${d['pid']} ${d['signal'] ? `killed by ${name(Number(d['signal']))}` : `exited with status ${d['code']}`}`;
    case 'eof': return `module: EOF on ${d['pipe']} (the helper is gone)`;
    case 'epipe': return `module: EPIPE on ${d['pipe']} (the helper is gone)`;
    case 'kill': return `kill pid ${d['pid']} with ${name(Number(d['sig']))}`;
    case 'insmod': return `insmod ${d['name']} -> ${d['retval']}`;
    case 'rmmod': return `rmmod ${d['name']} -> ${d['retval']}`;
    case 'printk': return String(d['msg']);
    default: return `${e} ${JSON.stringify(d)}`;
  }
}

/** Print every 'umh' tracepoint through `out`; returns the disposer. */
export function attachUmhTrace(k: Kernel, out: (line: string) => void): () => void {
  return k.tracer.on('umh', (_topic, d) => out(`umh: ${formatUmhEvent(d)}`));
}
