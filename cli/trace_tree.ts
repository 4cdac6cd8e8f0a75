/**
 * `--trace exec`: the exec path as an indented tree of the kernel functions
 * entered, what each returned, and notes (point of no return, the stack
 * built), to read beside Linux's fs/exec.c.
 */

import { errnoName } from '../abi/errno.js';
import type { Kernel } from '../kernel/kernel.js';

function describe(data: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, v] of Object.entries(data)) {
    if (key === 'kind' || key === 'fn' || v === undefined) continue;
    parts.push(`${key}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  }
  return parts.length ? ` ${parts.join(' ')}` : '';
}

export function attachExecTrace(k: Kernel, write: (line: string) => void): () => void {
  let depth = 0;
  const pad = (): string => '  '.repeat(depth);
  return k.tracer.on('exec', (_topic, d) => {
    if (d.kind === 'enter') {
      write(`${pad()}${d.fn as string}${describe(d)}`);
      depth++;
    } else if (d.kind === 'leave') {
      depth = Math.max(0, depth - 1);
      const r = d.retval as number;
      write(`${pad()}= ${r}${typeof r === 'number' && r < 0 ? ` (${errnoName(-r)})` : ''}`);
    } else {
      write(`${pad()}# ${d.text as string}`);
    }
  });
}
