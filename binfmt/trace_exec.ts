/**
 * Tracepoints of the exec path, for `kemu run --trace exec`: each kernel
 * function the exec enters, what it returned, and notes along the way.
 * They cost one Map lookup when nobody listens.
 */

import type { Kernel } from '../kernel/kernel.js';

export function traceEnter(k: Kernel, fn: string, data: Record<string, unknown> = {}): void {
  if (k.tracer.enabled('exec')) k.tracer.emit('exec', { kind: 'enter', fn, ...data });
}

export function traceLeave(k: Kernel, retval: number | string): void {
  if (k.tracer.enabled('exec')) k.tracer.emit('exec', { kind: 'leave', retval });
}

export function traceNote(k: Kernel, text: string): void {
  if (k.tracer.enabled('exec')) k.tracer.emit('exec', { kind: 'note', text });
}

/** Run `fn` between an enter and a leave event carrying its result. */
export function traced(k: Kernel, name: string, fn: () => number, data: Record<string, unknown> = {}): number {
  if (!k.tracer.enabled('exec')) return fn();
  traceEnter(k, name, data);
  const r = fn();
  traceLeave(k, r);
  return r;
}
