/**
 * Sending and delivering signals: Linux kernel/signal.c (prepare_signal,
 * __send_signal_locked, complete_signal, force_sig_info_to_task,
 * get_signal, do_notify_parent, do_signal_stop) and
 * arch/x86/kernel/signal.c (arch_do_signal_or_restart, handle_signal).
 *
 * A signal sent to a thread (tkill, a fault) waits in task.pending; one
 * sent to a process (kill) in signal.shared_pending, taken by whichever
 * thread does not block it. Delivery happens on the way back to user space
 * (the scheduler calls do_signal): a handler gets a frame on the guest
 * stack (signal_frame.ts); SIG_DFL terminates, dumps core, stops,
 * continues or ignores.
 */

import { EINTR, ERESTART_RESTARTBLOCK, ERESTARTNOHAND, ERESTARTSYS, ESRCH } from '../abi/errno.js';
import { RLIMIT_CORE } from '../abi/process.js';
import {
  CLD_CONTINUED, CLD_DUMPED, CLD_EXITED, CLD_KILLED, CLD_STOPPED, SA_NOCLDSTOP, SA_NOCLDWAIT, SA_NODEFER, SA_RESETHAND,
  SA_RESTART, SI_KERNEL, SI_USER, SIG_DFL, SIG_IGN, SIG_KERNEL_STOP_MASK, sig_kernel_coredump, sig_kernel_ignore,
  sig_kernel_stop, SIGCHLD, SIGCONT, SIGKILL, sigmask, SIGSEGV, SIGSTOP,
} from '../abi/signal.js';
import { RAX, RIP } from '../emulator/regs.js';
import { do_group_exit } from './exit.js';
import type { Kernel } from './kernel.js';
import {
  _NSIG, collect_signal, flush_sigqueue_mask, legacy_queue, next_signal, sig_ignored, type KSigInfo, type SigAction,
  type SigPending,
} from './signal.js';
import { setup_rt_frame } from './signal_frame.js';
import { SIGNAL_GROUP_EXIT, SIGNAL_STOP_CONTINUED, SIGNAL_STOP_STOPPED, type Task } from './task.js';

export type PidType = 'thread' | 'process';

/** A signal about to be handled by a guest handler (Linux struct ksignal). */
export interface KSignal {
  sig: number;
  info: KSigInfo;
  ka: SigAction;
}

/** Linux kernel/signal.c prepare_signal(): job-control side effects; false when the signal is dropped. */
function prepare_signal(k: Kernel, sig: number, p: Task): boolean {
  const signal = p.signal;
  if (signal.flags & SIGNAL_GROUP_EXIT) return false; // the process is dying already
  if (sig_kernel_stop(sig)) {
    flush_sigqueue_mask(signal.shared_pending, sigmask(SIGCONT));
    for (const t of signal.threads) flush_sigqueue_mask(t.pending, sigmask(SIGCONT));
  } else if (sig === SIGCONT) {
    flush_sigqueue_mask(signal.shared_pending, SIG_KERNEL_STOP_MASK);
    const wasStopped = (signal.flags & SIGNAL_STOP_STOPPED) !== 0 || signal.stop_code !== 0;
    for (const t of signal.threads) {
      flush_sigqueue_mask(t.pending, SIG_KERNEL_STOP_MASK);
      t.jobctl_stop_pending = false;
      if (t.state === 'stopped') { t.state = 'runnable'; k.wake_up_new_task(t); }
    }
    if (wasStopped) {
      signal.flags = (signal.flags & ~SIGNAL_STOP_STOPPED) | SIGNAL_STOP_CONTINUED;
      signal.stop_code = 0;
      do_notify_parent_cldstop(k, p.group_leader, CLD_CONTINUED);
    }
  }
  return !sig_ignored(p, sig);
}

/** Linux wants_signal(): `t` can take `sig` now. */
function wants_signal(sig: number, t: Task): boolean {
  if ((t.blocked & sigmask(sig)) && !(t.sigwait_set & sigmask(sig))) return false;
  if (t.exiting) return false;
  if (sig === SIGKILL) return true;
  return t.state !== 'stopped';
}

/** Linux signal_wake_up(): a sleeping task notices the signal (a killable sleep only a fatal one). */
export function signal_wake_up(k: Kernel, t: Task, fatal: boolean): void {
  if (t.state === 'sleeping' && (!t.killable_only || fatal)) k.wake_up_process(t);
  else if (fatal && t.state === 'stopped') { t.state = 'runnable'; k.wake_up_new_task(t); }
}

/** Linux complete_signal(): choose the thread to wake; a fatal signal kills the whole group at once. */
function complete_signal(k: Kernel, sig: number, p: Task, type: PidType): void {
  let t: Task | null = null;
  if (wants_signal(sig, p)) t = p;
  else if (type === 'process') for (const th of p.signal.threads) if (wants_signal(sig, th)) { t = th; break; }
  if (!t) return;
  const signal = p.signal;
  const handler = p.sighand.action[sig]!.handler;
  const fatal = !sig_kernel_ignore(sig) && !sig_kernel_stop(sig) && handler === SIG_DFL;
  // Linux: not fatal to a thread that blocks it (one in rt_sigtimedwait waits for it: real_blocked).
  if (fatal && !(signal.flags & SIGNAL_GROUP_EXIT) && !(t.blocked & sigmask(sig)) && !sig_kernel_coredump(sig)) {
    signal.flags = SIGNAL_GROUP_EXIT;
    signal.group_exit_code = sig;
    for (const th of signal.threads) {
      th.pending.signal |= sigmask(SIGKILL);
      th.jobctl_stop_pending = false;
      signal_wake_up(k, th, true);
    }
    return;
  }
  signal_wake_up(k, t, sig === SIGKILL);
}

/**
 * Linux __send_signal_locked(): queue `info` for a thread or its process
 * and wake whoever should take it. Standard signals already pending are
 * not queued again; real-time ones queue.
 */
export function send_signal_info(k: Kernel, sig: number, info: KSigInfo, p: Task, type: PidType): void {
  if (sig < 1 || sig > _NSIG || !p.alive || p.exiting) return;
  if (!prepare_signal(k, sig, p)) return;
  const pending: SigPending = type === 'process' ? p.signal.shared_pending : p.pending;
  if (legacy_queue(pending, sig)) return;
  pending.signal |= sigmask(sig);
  pending.list.push(info);
  complete_signal(k, sig, p, type);
}

/** kill(2)'s siginfo: SI_USER from `sender` (Linux prepare_kill_siginfo). */
export function kill_info(sig: number, sender: Task | null, code = SI_USER): KSigInfo {
  return { signo: sig, errno: 0, code, pid: sender ? sender.tgid : 0, uid: sender ? sender.cred.uid : 0 };
}

/**
 * Linux kill_pid(): host code (a module, the admin) sends `sig` to the
 * process holding `pid`, as the kernel would (SI_KERNEL). Returns 0, or
 * -ESRCH when there is no such process.
 */
export function kill_pid(k: Kernel, pid: number, sig: number): number {
  const p = k.tasks.get(pid);
  if (!p || p.state === 'dead') return -ESRCH;
  send_signal_info(k, sig, { signo: sig, errno: 0, code: SI_KERNEL }, p.group_leader.state === 'dead' ? p : p.group_leader, 'process');
  return 0;
}

/** Linux send_sig(sig, p, 0): to one thread, as if `current` had sent it (SIGPIPE from a pipe write). */
export function send_sig(k: Kernel, sig: number, p: Task): void {
  send_signal_info(k, sig, kill_info(sig, k.current), p, 'thread');
}

/**
 * Compatibility shim for callers outside kernel/ (binfmt kills a task past
 * the point of no return with force_sig_fault): a process-directed signal
 * from the kernel.
 */
export function send_signal(t: Task, sig: number): void {
  send_signal_info(t.kernel, sig, { signo: sig, errno: 0, code: SI_KERNEL }, t, 'process');
}

/**
 * Linux force_sig_info_to_task(): a synchronous fault signal cannot be
 * blocked or ignored; if it is, the handler is reset to SIG_DFL and the
 * signal unblocked, so the task dies rather than loop on the fault.
 */
export function force_sig_fault(t: Task, sig: number, code: number, addr: bigint, trapno?: number, err?: number): void {
  const act = t.sighand.action[sig]!;
  const blocked = (t.blocked & sigmask(sig)) !== 0n;
  if (blocked || act.handler === SIG_IGN) {
    act.handler = SIG_DFL;
    t.blocked &= ~sigmask(sig);
  }
  const info: KSigInfo = { signo: sig, errno: 0, code, addr };
  if (trapno !== undefined) info.trapno = trapno;
  if (err !== undefined) info.err = err;
  send_signal_info(t.kernel, sig, info, t, 'thread');
}

/** Linux force_sigsegv(): a frame could not be built; SIGSEGV with its handler reset if that was the signal. */
function force_sigsegv(t: Task, sig: number): void {
  if (sig === SIGSEGV) t.sighand.action[SIGSEGV]!.handler = SIG_DFL;
  force_sig_fault(t, SIGSEGV, SI_KERNEL, 0n);
}

/** Linux dequeue_signal(): the thread's own signals first, then the process's. */
function dequeue_signal(t: Task): KSigInfo | null {
  let sig = next_signal(t.pending.signal, t.blocked);
  if (sig) return collect_signal(t.pending, sig);
  sig = next_signal(t.signal.shared_pending.signal, t.blocked);
  return sig ? collect_signal(t.signal.shared_pending, sig) : null;
}

/** Linux is_current_pgrp_orphaned(): no member has a parent in another group of the same session. */
function pgrp_orphaned(k: Kernel, t: Task): boolean {
  const { pgrp, session } = t.signal;
  for (const p of k.tasks.values()) {
    if (!p.alive || !p.isLeader || p.signal.pgrp !== pgrp) continue;
    const q = p.parent;
    if (q && q.signal.pgrp !== pgrp && q.signal.session === session) return false;
  }
  return true;
}

/**
 * Linux do_signal_stop(): the thread stops; the first to stop starts the
 * group stop, the last tells the parent (CLD_STOPPED) and wait(WUNTRACED).
 */
function do_signal_stop(k: Kernel, t: Task, sig: number): void {
  const signal = t.signal;
  if (!t.jobctl_stop_pending) {
    signal.stop_code = sig;
    signal.stop_reported = false;
    signal.flags &= ~SIGNAL_STOP_CONTINUED;
    for (const th of signal.threads) if (th !== t) { th.jobctl_stop_pending = true; signal_wake_up(k, th, false); }
  }
  t.jobctl_stop_pending = false;
  t.state = 'stopped';
  if ([...signal.threads].every((th) => th.state === 'stopped') && !(signal.flags & SIGNAL_STOP_STOPPED)) {
    signal.flags |= SIGNAL_STOP_STOPPED;
    do_notify_parent_cldstop(k, t.group_leader, CLD_STOPPED);
  }
}

/** Linux get_signal(): the next signal with a guest handler, after acting on the default ones before it. */
function get_signal(k: Kernel, t: Task): KSignal | null {
  for (;;) {
    if (t.jobctl_stop_pending) { do_signal_stop(k, t, t.signal.stop_code); return null; }
    const info = dequeue_signal(t);
    if (!info) return null;
    const sig = info.signo;
    const ka = t.sighand.action[sig]!;
    if (ka.handler === SIG_IGN && sig !== SIGKILL && sig !== SIGSTOP) continue;
    if (ka.handler !== SIG_DFL && sig !== SIGKILL && sig !== SIGSTOP) {
      const act = { ...ka };
      if (ka.flags & BigInt(SA_RESETHAND)) ka.handler = SIG_DFL;
      return { sig, info, ka: act };
    }
    if (sig_kernel_ignore(sig)) continue;
    if (sig_kernel_stop(sig)) {
      // Linux: TSTP, TTIN and TTOU do nothing to an orphaned process group.
      if (sig !== SIGSTOP && pgrp_orphaned(k, t)) continue;
      do_signal_stop(k, t, sig);
      return null;
    }
    // Death. A core is "dumped" only when RLIMIT_CORE allows one (kemu writes no file).
    const core = sig_kernel_coredump(sig) && t.signal.rlim[RLIMIT_CORE]![0] > 0n;
    k.tracer.emit('signal', { event: 'fatal', task: t, pid: t.pid, sig, action: core ? 'core' : 'term', info });
    do_group_exit(k, t, sig | (core ? 0x80 : 0));
    return null;
  }
}

/**
 * Linux arch/x86/kernel/signal.c arch_do_signal_or_restart(): deliver one
 * signal to a handler, or act on the default ones; an interrupted syscall
 * is restarted or ends with EINTR as handle_signal decides.
 */
export function do_signal(k: Kernel, t: Task): void {
  const ksig = get_signal(k, t);
  if (ksig && t.alive) { handle_signal(k, t, ksig); return; }
  // No handler ran: an interrupted syscall simply runs again (its RIP is backed up already).
  if (t.restore_sigmask) {
    t.restore_sigmask = false;
    t.blocked = t.saved_sigmask;
  }
}

/** Linux handle_signal(): the syscall-restart decision, the frame, then the mask. */
function handle_signal(k: Kernel, t: Task, ksig: KSignal): void {
  const cpu = t.cpu!;
  const rb = t.restart_block;
  if (rb) {
    t.restart_block = null;
    rb.cleanup?.();
    const eintr = (v: number): void => { cpu.setReg(RAX, BigInt.asUintN(64, BigInt(v))); cpu.setReg(RIP, cpu.getReg(RIP) + 2n); };
    if (rb.result !== undefined) eintr(rb.result);
    else if (rb.code === ERESTART_RESTARTBLOCK || rb.code === ERESTARTNOHAND) eintr(-EINTR);
    else if (rb.code === ERESTARTSYS && !(ksig.ka.flags & BigInt(SA_RESTART))) eintr(-EINTR);
    // ERESTARTSYS with SA_RESTART and ERESTARTNOINTR: RIP stays on the syscall, which runs again after the handler.
  }
  const oldmask = t.restore_sigmask ? t.saved_sigmask : t.blocked;
  if (setup_rt_frame(k, t, ksig, oldmask) < 0) {
    force_sigsegv(t, ksig.sig);
    return;
  }
  // Linux signal_delivered(): the handler runs with its sa_mask and, unless SA_NODEFER, its own signal blocked.
  t.restore_sigmask = false;
  let blocked = t.blocked | ksig.ka.mask;
  if (!(ksig.ka.flags & BigInt(SA_NODEFER))) blocked |= sigmask(ksig.sig);
  t.blocked = blocked & ~(sigmask(SIGKILL) | sigmask(SIGSTOP));
  k.tracer.emit('signal', { event: 'deliver', task: t, pid: t.pid, sig: ksig.sig, info: ksig.info });
}

/** The SIGCHLD siginfo for `tsk`'s wait status word `code`. */
function chld_info(tsk: Task, sig: number, code: number): KSigInfo {
  const info: KSigInfo = { signo: sig, errno: 0, code: CLD_EXITED, pid: tsk.tgid, uid: tsk.cred.uid, utime: 0, stime: 0 };
  if (code & 0x80) { info.code = CLD_DUMPED; info.status = code & 0x7f; }
  else if (code & 0x7f) { info.code = CLD_KILLED; info.status = code & 0x7f; }
  else info.status = (code >> 8) & 0xff;
  info.utime = Math.round(tsk.utime_ms / 10);
  return info;
}

/**
 * Linux do_notify_parent(): a process ended; send its parent `sig`
 * (normally SIGCHLD) and wake its wait4. Returns true when the child is to
 * be reaped at once: the parent ignores SIGCHLD or set SA_NOCLDWAIT.
 */
export function do_notify_parent(k: Kernel, tsk: Task, sig: number): boolean {
  const parent = tsk.parent;
  if (!parent) return true;
  const info = chld_info(tsk, sig, tsk.exit_code);
  const act = parent.sighand.action[SIGCHLD]!;
  let autoreap = false;
  if (sig === SIGCHLD && (act.handler === SIG_IGN || (act.flags & BigInt(SA_NOCLDWAIT)))) {
    autoreap = true;
    if (act.handler === SIG_IGN) sig = 0;
  }
  if (sig > 0 && sig <= _NSIG) send_signal_info(k, sig, { ...info, signo: sig }, parent, 'process');
  parent.signal.wait_chldexit.wake_up();
  return autoreap;
}

/** Linux do_notify_parent_cldstop(): the child stopped or continued; SIGCHLD unless SA_NOCLDSTOP. */
export function do_notify_parent_cldstop(k: Kernel, tsk: Task, why: number): void {
  const parent = tsk.parent;
  if (!parent) return;
  const info: KSigInfo = {
    signo: SIGCHLD, errno: 0, code: why, pid: tsk.tgid, uid: tsk.cred.uid,
    status: why === CLD_CONTINUED ? SIGCONT : tsk.signal.stop_code, utime: 0, stime: 0,
  };
  const act = parent.sighand.action[SIGCHLD]!;
  if (act.handler !== SIG_IGN && !(act.flags & BigInt(SA_NOCLDSTOP))) send_signal_info(k, SIGCHLD, info, parent, 'process');
  parent.signal.wait_chldexit.wake_up();
}
