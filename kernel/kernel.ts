/**
 * The kernel: tasks, the root filesystem, the syscall table and the
 * scheduler that runs tasks on Node's single thread (DESIGN.md decision 3).
 *
 * Layers above register what belongs to them (the exec syscalls from
 * binfmt/, modules from umh/) through the composition root in cli/.
 */

import type { Engine, CpuExit } from '../emulator/engine.js';
import { RIP } from '../emulator/regs.js';
import {
  FPE_INTDIV, ILL_ILLOPN, SEGV_ACCERR, SEGV_MAPERR, SI_KERNEL, SIGFPE, SIGILL, SIGSEGV, SIGTRAP,
} from '../abi/signal.js';
import { FilesStruct } from './fs/fdtable.js';
import type { SuperBlock } from './fs/inode.js';
import { init_mount_tree, type MountSource } from './fs/init_fs.js';
import { Dentry, ROOT_CRED, type FsStruct } from './fs/namei.js';
import { PROFILE_4_18, type KernelProfile } from './profile.js';
import { SigHand } from './signal.js';
import { do_syscall_64 } from './syscalls/dispatch.js';
import { buildSyscallTable } from './syscalls/table.js';
import type { SyscallEntry } from './syscalls/types.js';
import { Task, type ExitStatus } from './task.js';
import { force_sig_fault, handle_pending_signals } from './signal_deliver.js';
import { Tracer } from './trace.js';

export interface KernelOptions {
  engine: Engine;
  profile?: KernelProfile;
  tracer?: Tracer;
  /** Guest instructions per slice before another task may run. */
  sliceInstructions?: number;
  /** The root filesystem (default: an empty tmpfs); /proc, /dev and /tmp are mounted or made on it. */
  rootfs?: MountSource;
}

export class Kernel {
  readonly engine: Engine;
  readonly profile: KernelProfile;
  readonly tracer: Tracer;
  readonly tasks = new Map<number, Task>();
  /** The root filesystem's superblock and root dentry (kernel/fs/init_fs.ts). */
  readonly rootSb: SuperBlock;
  readonly root: Dentry;
  readonly syscalls: Array<SyscallEntry | undefined>;
  /** Syscall numbers already reported as unimplemented (each is reported once). */
  readonly reportedEnosys = new Set<number>();
  /** Where the kernel reports things to the user (unknown syscalls, unhandled signals). */
  log: (line: string) => void = (line) => process.stderr.write(`kemu: ${line}\n`);
  /** The task whose syscall or fault is being handled (Linux `current`). */
  current: Task | null = null;
  private nextPid = 1;
  private readonly slice: number;
  private idleWaiter: (() => void) | null = null;

  constructor(opts: KernelOptions) {
    this.engine = opts.engine;
    this.profile = opts.profile ?? PROFILE_4_18;
    this.tracer = opts.tracer ?? new Tracer();
    this.slice = opts.sliceInstructions ?? 1_000_000;
    this.root = init_mount_tree({
      current: () => this.current,
      task: (pid) => this.tasks.get(pid) ?? null,
      pids: () => [...this.tasks.values()].filter((t) => t.pid === t.tgid && t.state !== 'dead').map((t) => t.pid),
      release: () => this.profile.release,
    }, opts.rootfs);
    this.rootSb = this.root.d_inode.i_sb;
    this.syscalls = buildSyscallTable();
  }

  /** Put `entry` in the syscall table (layers above add theirs, e.g. execve). */
  registerSyscall(entry: SyscallEntry): void {
    this.syscalls[entry.nr] = entry;
  }

  /**
   * A new task with no address space yet (like a kernel thread about to
   * exec), root credentials, the root as cwd, and an empty fd table.
   */
  createTask(parent: Task | null = null): Task {
    const pid = this.nextPid++;
    const fs: FsStruct = { root: this.root, pwd: this.root, umask: 0o022 };
    const t = new Task(pid, pid, new FilesStruct(), fs, { ...ROOT_CRED }, new SigHand(), parent);
    this.tasks.set(pid, t);
    return t;
  }

  /** Wake the scheduler if it is idle (a sleeping task became runnable). */
  kick(): void {
    const w = this.idleWaiter;
    this.idleWaiter = null;
    w?.();
  }

  /** Run every task until none is left runnable or sleeping. */
  async run(): Promise<void> {
    let lastYield = Date.now();
    for (;;) {
      let ran = false;
      for (const t of [...this.tasks.values()]) {
        if (t.state !== 'runnable' || !t.cpu) continue;
        ran = true;
        this.runSlice(t);
      }
      if (!ran) {
        if (![...this.tasks.values()].some((t) => t.state === 'sleeping')) return;
        await new Promise<void>((resolve) => { this.idleWaiter = resolve; });
        lastYield = Date.now();
      } else if (Date.now() - lastYield > 20) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = Date.now();
      }
    }
  }

  /** Run `t` until it exits; resolves with how it ended. */
  async waitForExit(t: Task): Promise<ExitStatus> {
    if (t.exitStatus) return t.exitStatus;
    const done = new Promise<ExitStatus>((resolve) => t.onExit.push(resolve));
    await this.run();
    return done;
  }

  /** One scheduling slice of `t`, then whatever its stop asks for. */
  runSlice(t: Task): void {
    // A signal may be pending before the task ever ran (an exec that failed past its point of no return).
    if (t.pending) {
      this.current = t;
      handle_pending_signals(this, t);
      if (t.state !== 'runnable') return;
    }
    const exit = t.cpu!.run({ instructions: this.slice, timeoutMs: 20 });
    this.current = t;
    this.handleCpuExit(t, exit);
    if (t.state !== 'zombie' && t.state !== 'dead') handle_pending_signals(this, t);
  }

  private handleCpuExit(t: Task, exit: CpuExit): void {
    switch (exit.kind) {
      case 'syscall': do_syscall_64(this, t); break;
      case 'budget': break;
      // Linux arch/x86/mm/fault.c: a user page fault becomes SIGSEGV with
      // si_addr the faulting address, MAPERR if nothing was mapped there.
      case 'fault': force_sig_fault(t, SIGSEGV, exit.mapped ? SEGV_ACCERR : SEGV_MAPERR, exit.addr); break;
      case 'ud': force_sig_fault(t, SIGILL, ILL_ILLOPN, t.cpu!.getReg(RIP)); break;
      case 'de': force_sig_fault(t, SIGFPE, FPE_INTDIV, t.cpu!.getReg(RIP)); break;
      case 'int3': force_sig_fault(t, SIGTRAP, SI_KERNEL, 0n); break;
      // Linux arch/x86/kernel/traps.c do_general_protection: SIGSEGV, si_code SI_KERNEL, si_addr 0.
      case 'gp': case 'hlt': force_sig_fault(t, SIGSEGV, SI_KERNEL, 0n); break;
    }
  }
}
