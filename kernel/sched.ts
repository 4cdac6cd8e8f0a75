/**
 * The scheduler: Linux kernel/sched/core.c, much reduced, on Node's one
 * thread (DESIGN.md decision 3).
 *
 * Runnable tasks wait in one FIFO run queue. Each gets a slice (an
 * instruction budget for the interpreter, wall time for both engines);
 * within its slice a task runs until it sleeps, exits or spends the budget,
 * with pending signals taken on every return to user space (Linux
 * exit_to_user_mode_loop). Between slices the loop yields to Node's event
 * loop every few milliseconds, so host timers, host I/O and host code that
 * awaits guest I/O all make progress; with nothing runnable it waits for a
 * wake-up instead of spinning.
 */

import type { CpuExit, RunBudget } from '../emulator/engine.js';
import { RAX, RIP } from '../emulator/regs.js';
import {
  __NR_brk, __NR_clone, __NR_clone3, __NR_execve, __NR_execveat, __NR_fork, __NR_mmap, __NR_mremap, __NR_vfork,
} from '../abi/syscalls.js';
import { out_of_memory } from './oom_kill.js';
import {
  FPE_INTDIV, ILL_ILLOPN, SEGV_ACCERR, SEGV_MAPERR, SI_KERNEL, SIGFPE, SIGILL, SIGSEGV, SIGTRAP, TRAP_BRKPT, TRAP_TRACE
} from '../abi/signal.js';
import type { Kernel } from './kernel.js';
import { finish_wait } from './wait.js';
import { do_signal, force_sig_fault } from './signal_deliver.js';
import { do_syscall_64 } from './syscalls/dispatch.js';
import type { Task } from './task.js';
import { signal_pending } from './signal.js';
import { ktime_get_ms } from './ktime.js';

/** Yield to Node's event loop at least this often (ms) while guests run. */
const YIELD_MS = 10;
/**
 * Linux `current`: the task whose code or syscall runs now, on whichever
 * kernel (there is one CPU: Node's thread). Files that may sleep and have
 * no kernel at hand (the host's stdin) ask here.
 */
let current: Task | null = null;
export const get_current = (): Task | null => current;

/** The syscalls after which the OOM killer checks the guest memory limit. */
const MEMORY_SYSCALLS = new Set([__NR_brk, __NR_mmap, __NR_mremap, __NR_clone, __NR_clone3, __NR_fork, __NR_vfork,
  __NR_execve, __NR_execveat]);

/** How often a slice reads the clock, in returns from the CPU (see runSlice). */
const SYSCALLS_PER_CLOCK = 16;

/** How many slices a task runs at once when no other task is runnable. */
const LONE_SLICES = 5;

export class Scheduler {
  private readonly runqueue: Task[] = [];
  private loop: Promise<void> | null = null;
  private idleWaiter: (() => void) | null = null;
  /** Context switches so far (for tests and --trace sched). */
  switches = 0;

  constructor(
    private readonly k: Kernel,
    private readonly sliceInstructions: number,
    public sliceMs: number,
  ) {}

  /** Put a runnable task at the tail of the run queue. */
  enqueue(t: Task): void {
    if (t.on_rq || t.state !== 'runnable') return;
    t.on_rq = true;
    this.runqueue.push(t);
    this.kick();
  }

  /**
   * Linux wake_up_process(): a sleeping task becomes runnable (it leaves
   * every wait queue and its timer is cancelled). Returns false if it was
   * not asleep.
   */
  wake_up_process(t: Task): boolean {
    if (t.state !== 'sleeping') return false;
    finish_wait(t);
    t.state = 'runnable';
    t.sleep_past_return = false;
    this.enqueue(t);
    return true;
  }

  /** Wake the loop if it waits for something to run. */
  kick(): void {
    const w = this.idleWaiter;
    this.idleWaiter = null;
    w?.();
  }

  /**
   * Run tasks until none is alive (every task has exited). Concurrent
   * callers share one loop; a loop that ended starts again when called.
   */
  run(): Promise<void> {
    // A caller may have made a task runnable without waking it (host code
    // that forgot wake_up_new_task): it joins the queue, and an idle loop wakes.
    this.sweep();
    this.loop ??= this.schedule().finally(() => { this.loop = null; });
    return this.loop;
  }

  private async schedule(): Promise<void> {
    // Never run guests inside the caller's synchronous code (it may be about to wait on a queue).
    await new Promise<void>((resolve) => setImmediate(resolve));
    let lastYield = ktime_get_ms();
    for (;;) {
      let t = this.runqueue.shift();
      if (!t) {
        this.sweep();
        t = this.runqueue.shift();
      }
      if (!t) {
        if (!this.anyAlive()) return;
        await this.idle();
        lastYield = ktime_get_ms();
        continue;
      }
      t.on_rq = false;
      if (t.state !== 'runnable' || !t.cpu) continue;
      this.switches++;
      this.runSlice(t);
      if (t.state === 'runnable' && t.cpu) this.enqueue(t);
      if (ktime_get_ms() - lastYield >= YIELD_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        this.sweep(); // host code may have made tasks while we were away
        lastYield = ktime_get_ms();
      }
    }
  }

  /** Tasks made runnable behind the scheduler's back (a new task after its exec) join the queue. */
  private sweep(): void {
    for (const t of this.k.tasks.values()) if (t.state === 'runnable' && t.cpu && !t.on_rq) this.enqueue(t);
  }

  private anyAlive(): boolean {
    for (const t of this.k.tasks.values()) if (t.state === 'runnable' || t.state === 'sleeping' || t.state === 'stopped') return true;
    return false;
  }

  /** Wait for a wake-up, keeping Node alive meanwhile: a guest that sleeps forever hangs, as on Linux. */
  private idle(): Promise<void> {
    return new Promise<void>((resolve) => {
      const keepalive = setInterval(() => {}, 1 << 30);
      this.idleWaiter = () => { clearInterval(keepalive); resolve(); };
    });
  }

  /**
   * One slice of `t`: signals first (they may end or stop it), then guest
   * code until it sleeps, exits, or the slice is spent. A task with nobody
   * waiting for the CPU gets a slice LONE_SLICES times longer: there is no
   * one to be fair to (Linux would not switch either), only Node's event
   * loop to visit, and every engine stop and restart costs time.
   */
  runSlice(t: Task): void {
    const k = this.k;
    const start = ktime_get_ms();
    const alone = this.runqueue.length === 0;
    const ms = alone ? this.sliceMs * LONE_SLICES : this.sliceMs;
    const budget: RunBudget = { instructions: alone ? this.sliceInstructions * LONE_SLICES : this.sliceInstructions, timeoutMs: ms };
    current = t;
    for (let exits = 1; ; exits++) {
      k.current = t;
      if (t.restore_sigmask || signal_pending(t)) do_signal(k, t);
      if (t.state !== 'runnable' || !t.cpu) break;
      const exit = t.cpu.run(budget);
      k.current = t;
      if (exit.kind === 'syscall') this.syscall(t);
      else if (exit.kind === 'budget') break;
      else this.handleCpuExit(t, exit);
      if (t.state !== 'runnable') break;
      // The clock costs as much as a cheap syscall: read it every SYSCALLS_PER_CLOCK exits, so
      // the slice may run over by that many syscalls (microseconds, unless they are slow ones).
      if (exits % SYSCALLS_PER_CLOCK === 0 && ktime_get_ms() - start >= ms) break;
    }
    t.utime_ms += ktime_get_ms() - start;
    if (t.state === 'runnable' && t.cpu && signal_pending(t)) do_signal(k, t);
    // Outside a task's slice there is no `current`: host code runs as kernel code.
    current = null;
    k.current = null;
  }

  /** The guest executed `syscall`: do it; one that can grow guest memory may push it past the limit. */
  private syscall(t: Task): void {
    const cpu = t.cpu!;
    const nr = cpu.getRegHi(RAX) === 0 ? cpu.getRegLo(RAX) : -1;
    do_syscall_64(this.k, t);
    if (MEMORY_SYSCALLS.has(nr)) out_of_memory(this.k);
  }

  /** A fault or trap the CPU stopped on (runSlice handles `syscall` and `budget` itself). */
  private handleCpuExit(t: Task, exit: CpuExit): void {
    switch (exit.kind) {
      // Linux arch/x86/mm/fault.c: a user page fault becomes SIGSEGV with
      // si_addr the faulting address, MAPERR if nothing was mapped there.
      // trapno 14 and the error code (user 4, write 2, present 1) go to the sigcontext.
      case 'fault': {
        // A write to memory shared copy-on-write since fork: copy, and run the instruction again.
        if (exit.mapped && exit.access === 'write' && t.mm?.cow_fault(Number(exit.addr))) break;
        // Below the stack: it grows (Linux do_user_addr_fault -> expand_stack), and the instruction runs again.
        if (!exit.mapped && t.mm?.expand_stack(Number(exit.addr), t.rlimStack)) break;
        const err = 4 | (exit.access === 'write' ? 2 : 0) | (exit.mapped ? 1 : 0) | (exit.access === 'exec' ? 16 : 0);
        force_sig_fault(t, SIGSEGV, exit.mapped ? SEGV_ACCERR : SEGV_MAPERR, exit.addr, 14, err);
        break;
      }
      // arch/x86/kernel/traps.c: #UD is trap 6, #DE trap 0, #BP trap 3, #GP trap 13.
      case 'ud': force_sig_fault(t, SIGILL, ILL_ILLOPN, t.cpu!.getReg(RIP), 6, 0); break;
      case 'de': force_sig_fault(t, SIGFPE, FPE_INTDIV, t.cpu!.getReg(RIP), 0, 0); break;
      case 'int3': force_sig_fault(t, SIGTRAP, SI_KERNEL, 0n, 3, 0); break;
      // Linux arch/x86/kernel/traps.c exc_debug_user -> send_sigtrap(regs, 0, get_si_code(dr6)):
      // TF's single-step is DR_STEP, TRAP_TRACE; icebp leaves DR6 empty, TRAP_BRKPT; si_addr the RIP after it, trapno 1.
      case 'db': force_sig_fault(t, SIGTRAP, exit.icebp ? TRAP_BRKPT : TRAP_TRACE, t.cpu!.getReg(RIP), 1, 0); break;
      // Linux arch/x86/kernel/traps.c do_general_protection: SIGSEGV, si_code SI_KERNEL, si_addr 0.
      case 'gp': case 'hlt': force_sig_fault(t, SIGSEGV, SI_KERNEL, 0n, 13, 0); break;
    }
  }
}
