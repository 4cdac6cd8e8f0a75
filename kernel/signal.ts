/**
 * Signals: Linux kernel/signal.c. This first cut keeps handlers, the mask
 * and pending bits exactly, and delivers default actions (terminate, core,
 * ignore). Running a guest handler on a signal frame is not built yet: a
 * signal caught by a guest handler is reported and ends the task as the
 * default action would, never silently dropped.
 */

import {
  SIG_DFL, SIG_IGN, SIG_KERNEL_ONLY_MASK, sig_kernel_coredump, sig_kernel_ignore, sig_kernel_stop, SIGCONT,
} from '../abi/signal.js';

export const _NSIG = 64;

/** Linux struct k_sigaction as rt_sigaction exchanges it (x86-64 layout: handler, flags, restorer, mask). */
export interface SigAction {
  handler: bigint;
  flags: bigint;
  restorer: bigint;
  mask: bigint;
}

/** Linux struct sighand_struct: the handlers a thread group shares. */
export class SigHand {
  readonly action: SigAction[] = [];
  constructor() {
    for (let i = 0; i <= _NSIG; i++) this.action.push(defaultAction());
  }
  clone(): SigHand {
    const c = new SigHand();
    this.action.forEach((a, i) => { c.action[i] = { ...a }; });
    return c;
  }
}

export function defaultAction(): SigAction {
  return { handler: SIG_DFL, flags: 0n, restorer: 0n, mask: 0n };
}

/** SIGKILL and SIGSTOP can be neither caught, blocked nor ignored. */
export const UNBLOCKABLE = SIG_KERNEL_ONLY_MASK;

/** Linux kernel/signal.c sig_kernel_* classes: what SIG_DFL does. */
export type DefaultAct = 'term' | 'core' | 'ignore' | 'stop' | 'cont';

export function sig_default_action(sig: number): DefaultAct {
  if (sig === SIGCONT) return 'cont';
  if (sig_kernel_ignore(sig)) return 'ignore';
  if (sig_kernel_stop(sig)) return 'stop';
  return sig_kernel_coredump(sig) ? 'core' : 'term';
}

/**
 * Linux kernel/signal.c flush_signal_handlers(t, force_default): every
 * caught signal goes back to SIG_DFL; SIG_IGN stays unless force_default
 * (the user-mode helper's child resets everything).
 */
export function flush_signal_handlers(sighand: SigHand, force_default: boolean): void {
  for (let i = 1; i <= _NSIG; i++) {
    const a = sighand.action[i]!;
    if (force_default || a.handler !== SIG_IGN) sighand.action[i] = defaultAction();
    else { a.flags = 0n; a.restorer = 0n; a.mask = 0n; }
  }
}

export { SIG_DFL, SIG_IGN };
