/**
 * Where Unicorn, not the interpreter, is wrong: each known Unicorn deviation
 * from the real CPU, with the native evidence that decides it (a program run
 * on this machine's CPU; tests/emulator/lockstep-native.test.ts re-runs each
 * one). The lockstep harness (lockstep-cpu.ts) accepts a divergence that one
 * of these explains instead of reporting it; the interpreter keeps the real
 * CPU's behaviour.
 */

import type { Insn } from './insn.js';
import type { Divergence } from './lockstep.js';

export interface LockstepException {
  /** Short name, counted in the lockstep report. */
  name: string;
  /** What Unicorn does and what the real CPU does. */
  why: string;
  /** Whether this divergence is this deviation. */
  matches(i: Insn, d: Divergence): boolean;
}

export const EXCEPTIONS: LockstepException[] = [];

/** The name of the exception that explains `d`, or null. */
export function excepted(i: Insn, d: Divergence): string | null {
  for (const e of EXCEPTIONS) if (e.matches(i, d)) return e.name;
  return null;
}
