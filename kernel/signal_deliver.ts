/**
 * Sending and delivering signals: Linux kernel/signal.c send_signal,
 * force_sig_fault, get_signal, and kernel/exit.c do_group_exit.
 */

import { SIG_DFL, SIG_IGN, sigmask, signalName, SIGKILL } from '../abi/signal.js';
import type { Kernel } from './kernel.js';
import { do_group_exit } from './exit.js';
import { sig_default_action, UNBLOCKABLE, _NSIG } from './signal.js';
import type { Task } from './task.js';

/** Fault details for the siginfo a handler would receive (si_code name, si_addr). */
export interface FaultInfo {
  code: number;
  addr: bigint;
}

const faultInfo = new WeakMap<Task, Map<number, FaultInfo>>();

/** Make `sig` pending for `t` and wake it if it sleeps (Linux send_signal + signal_wake_up). */
export function send_signal(t: Task, sig: number): void {
  if (sig < 1 || sig > _NSIG || t.state === 'zombie' || t.state === 'dead') return;
  t.pending |= sigmask(sig);
  if (t.state === 'sleeping' && ((sigmask(sig) & ~t.blocked) | (sigmask(sig) & UNBLOCKABLE))) t.wake?.();
}

/**
 * Linux kernel/signal.c force_sig_info_to_task: a synchronous fault signal
 * cannot be blocked or ignored; if it is, the handler is reset to SIG_DFL
 * and the signal unblocked, so the task dies rather than loop on the fault.
 */
export function force_sig_fault(t: Task, sig: number, code: number, addr: bigint): void {
  const act = t.sighand.action[sig]!;
  const blocked = (t.blocked & sigmask(sig)) !== 0n;
  if (blocked || act.handler === SIG_IGN) {
    act.handler = SIG_DFL;
    t.blocked &= ~sigmask(sig);
  }
  let m = faultInfo.get(t);
  if (!m) faultInfo.set(t, (m = new Map()));
  m.set(sig, { code, addr });
  send_signal(t, sig);
}

/** The lowest-numbered pending, unblocked signal, or 0 (Linux next_signal: synchronous ones first is implied by numbering here). */
function next_signal(t: Task): number {
  const ready = t.pending & (~t.blocked | UNBLOCKABLE);
  if (ready === 0n) return 0;
  for (let sig = 1; sig <= _NSIG; sig++) if (ready & sigmask(sig)) return sig;
  return 0;
}

/**
 * Linux kernel/signal.c get_signal: take pending signals one at a time and
 * act on them. Default actions: terminate (with core for the core class),
 * ignore, stop/continue (treated as ignore until job control exists).
 */
export function handle_pending_signals(k: Kernel, t: Task): void {
  for (;;) {
    const sig = next_signal(t);
    if (!sig) return;
    t.pending &= ~sigmask(sig);
    const act = t.sighand.action[sig]!;
    if (act.handler === SIG_IGN && sig !== SIGKILL) continue;
    if (act.handler !== SIG_DFL && sig !== SIGKILL) {
      // Handler frames arrive with the signals issue; until then the task ends
      // as SIG_DFL would for this signal, and the user is told why.
      k.log(`pid ${t.pid}: ${signalName(sig)} has a guest handler, which kemu cannot run yet; applying the default action`);
    }
    const what = sig_default_action(sig);
    if (what === 'ignore' || what === 'stop' || what === 'cont') continue;
    k.tracer.emit('signal', { pid: t.pid, sig, action: what, info: faultInfo.get(t)?.get(sig) });
    do_group_exit(k, t, { code: 0, signal: sig, core: what === 'core' });
    return;
  }
}
