/**
 * Cases known to differ from native Linux, each with its cause: the data
 * behind docs/compat.md's failure list. A listed case must still differ
 * (so a fix shows up as a failing test until its entry is removed), and
 * docs/compat.md must name every entry.
 */

export interface KnownFailure {
  /** Why kemu's result differs from Linux's. */
  cause: string;
  /** The engines it differs under; every engine when absent. */
  engines?: readonly string[];
}

/** Busybox cases (tests/compat/busybox_cases.ts) that differ, by name. */
export const BUSYBOX_KNOWN: Readonly<Record<string, KnownFailure>> = {
};

/** Dynamic Debian binary cases (tests/compat/dynamic_cases.ts) that differ, by name. */
export const DYNAMIC_KNOWN: Readonly<Record<string, KnownFailure>> = {
};

/** Whether `name` is a known failure under `engine`. */
export function knownFailure(table: Readonly<Record<string, KnownFailure>>, name: string, engine: string): KnownFailure | null {
  const k = table[name];
  return k && (!k.engines || k.engines.includes(engine)) ? k : null;
}
