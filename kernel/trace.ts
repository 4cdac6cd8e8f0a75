/**
 * The tracepoint bus (DESIGN.md decision 8): exec steps, the binfmt walk,
 * syscalls, signals, exits and the user-mode helper's life all go through
 * one `emit`. With no subscriber an event costs one property check, and
 * callers that build costly payloads test `enabled(topic)` first.
 */

export type TraceTopic = 'syscall' | 'exec' | 'signal' | 'exit' | 'umh' | 'sched';

export type TraceListener = (topic: TraceTopic, data: Record<string, unknown>) => void;

export class Tracer {
  private readonly listeners = new Map<TraceTopic, TraceListener[]>();

  enabled(topic: TraceTopic): boolean {
    return this.listeners.has(topic);
  }

  /** Subscribe; returns the disposer. */
  on(topic: TraceTopic, fn: TraceListener): () => void {
    const list = this.listeners.get(topic) ?? [];
    list.push(fn);
    this.listeners.set(topic, list);
    return () => {
      const l = this.listeners.get(topic)?.filter((f) => f !== fn) ?? [];
      if (l.length) this.listeners.set(topic, l);
      else this.listeners.delete(topic);
    };
  }

  emit(topic: TraceTopic, data: Record<string, unknown>): void {
    const list = this.listeners.get(topic);
    if (list) for (const fn of list) fn(topic, data);
  }
}
