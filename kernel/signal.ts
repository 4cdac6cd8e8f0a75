/**
 * Signals, the data: Linux include/linux/signal_types.h (struct sigpending,
 * struct sigqueue, struct k_sigaction), struct sighand_struct, and the
 * small predicates of kernel/signal.c (sig_ignored, signal_pending,
 * next_signal). Sending and delivery are in signal_deliver.ts, the frame a
 * handler runs on in signal_frame.ts.
 */

import {
  SIG_DFL, SIG_IGN, SIG_KERNEL_ONLY_MASK, sig_kernel_coredump, sig_kernel_ignore, sig_kernel_stop, sigmask,
  SIGBUS, SIGCONT, SIGFPE, SIGILL, SIGKILL, SIGRTMIN, SIGSEGV, SIGSTOP, SIGSYS, SIGTRAP,
} from '../abi/signal.js';
import type { Task } from './task.js';

export const _NSIG = 64;

/** Linux struct k_sigaction as rt_sigaction exchanges it (x86-64 layout: handler, flags, restorer, mask). */
export interface SigAction {
  handler: bigint;
  flags: bigint;
  restorer: bigint;
  mask: bigint;
}

/**
 * Linux kernel_siginfo: what a handler with SA_SIGINFO receives. Only the
 * fields its si_code uses are set; signal_frame.ts lays it out.
 */
export interface KSigInfo {
  signo: number;
  errno: number;
  code: number;
  /** kill, tkill, sigqueue, SIGCHLD: the sender (or child) and its uid. */
  pid?: number;
  uid?: number;
  /** SIGCHLD: exit code or signal; utime and stime in clock ticks. */
  status?: number;
  utime?: number;
  stime?: number;
  /** SIGSEGV, SIGBUS, SIGILL, SIGFPE: the faulting address. */
  addr?: bigint;
  /** rt_sigqueueinfo: si_value. */
  value?: bigint;
  /** Faults: the x86 trap number and error code, for the sigcontext (trapno, err, cr2). */
  trapno?: number;
  err?: number;
}

/** Linux struct sigpending: a set, and the queued siginfo of each signal in it. */
export interface SigPending {
  signal: bigint;
  list: KSigInfo[];
}

export function newSigPending(): SigPending {
  return { signal: 0n, list: [] };
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

/** Linux include/linux/signal.h SYNCHRONOUS_MASK: faults are taken before other signals. */
export const SYNCHRONOUS_MASK = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS].reduce((m, s) => m | sigmask(s), 0n);

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

/** Linux kernel/signal.c sig_handler_ignored(): SIG_IGN, or SIG_DFL of an ignore-by-default signal. */
export function sig_handler_ignored(handler: bigint, sig: number): boolean {
  return handler === SIG_IGN || (handler === SIG_DFL && sig_kernel_ignore(sig));
}

/**
 * Linux kernel/signal.c sig_ignored(): a signal that would be ignored is
 * dropped when sent, unless it is blocked (it may be unblocked later with
 * another handler in place).
 */
export function sig_ignored(t: Task, sig: number): boolean {
  if (sig === SIGKILL || sig === SIGSTOP) return false;
  if ((t.blocked & sigmask(sig)) !== 0n) return false;
  return sig_handler_ignored(t.sighand.action[sig]!.handler, sig);
}

/** The signals `t` could take now: its own and its process's, minus the blocked ones. */
export function deliverable(t: Task): bigint {
  return (t.pending.signal | t.signal.shared_pending.signal) & ~(t.blocked & ~UNBLOCKABLE);
}

/** Linux signal_pending(): a signal is waiting that would interrupt a sleep. */
export function signal_pending(t: Task): boolean {
  // Nothing pending at all, the common case on every return to user space: no mask arithmetic.
  if (t.pending.signal === 0n && t.signal.shared_pending.signal === 0n) return t.jobctl_stop_pending;
  return deliverable(t) !== 0n || t.jobctl_stop_pending;
}

/** Linux fatal_signal_pending(): SIGKILL is pending (or the group is already exiting). */
export function fatal_signal_pending(t: Task): boolean {
  return ((t.pending.signal | t.signal.shared_pending.signal) & sigmask(SIGKILL)) !== 0n;
}

/** Linux kernel/signal.c next_signal(): the lowest pending signal, synchronous (fault) ones first. */
export function next_signal(pending: bigint, blocked: bigint): number {
  const ready = pending & ~(blocked & ~UNBLOCKABLE);
  if (ready === 0n) return 0;
  const sync = ready & SYNCHRONOUS_MASK;
  const pick = sync !== 0n ? sync : ready;
  for (let sig = 1; sig <= _NSIG; sig++) if (pick & sigmask(sig)) return sig;
  return 0;
}

/** Linux legacy_queue(): a standard signal already pending is not queued twice; real-time ones queue. */
export function legacy_queue(p: SigPending, sig: number): boolean {
  return sig < SIGRTMIN && (p.signal & sigmask(sig)) !== 0n;
}

/** Linux collect_signal(): take the first queued siginfo of `sig` out of `p`. */
export function collect_signal(p: SigPending, sig: number): KSigInfo {
  const i = p.list.findIndex((q) => q.signo === sig);
  const info = i >= 0 ? p.list.splice(i, 1)[0]! : { signo: sig, errno: 0, code: 0 };
  if (!p.list.some((q) => q.signo === sig)) p.signal &= ~sigmask(sig);
  return info;
}

/**
 * Linux dequeue_signal() limited to `mask` (rt_sigtimedwait takes the
 * signals it waits for, blocked or not): the thread's own first.
 */
export function dequeue_signal_mask(t: Task, mask: bigint): KSigInfo | null {
  const others = ~mask & ((1n << 64n) - 1n);
  let sig = next_signal(t.pending.signal, others);
  if (sig) return collect_signal(t.pending, sig);
  sig = next_signal(t.signal.shared_pending.signal, others);
  return sig ? collect_signal(t.signal.shared_pending, sig) : null;
}

/** Linux flush_sigqueue_mask(): drop every pending `mask` signal from `p`. */
export function flush_sigqueue_mask(p: SigPending, mask: bigint): void {
  p.signal &= ~mask;
  p.list = p.list.filter((q) => (sigmask(q.signo) & mask) === 0n);
}

export { SIG_DFL, SIG_IGN };
