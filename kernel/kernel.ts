/**
 * The kernel: tasks, the root filesystem, the syscall table and the
 * scheduler that runs tasks on Node's single thread (DESIGN.md decision 3).
 *
 * Layers above register what belongs to them (the exec syscalls from
 * binfmt/, modules from umh/) through the composition root in cli/.
 */

import type { Engine } from '../emulator/engine.js';
import { FilesStruct } from './fs/fdtable.js';
import type { SuperBlock } from './fs/inode.js';
import { init_mount_tree, type MountSource } from './fs/init_fs.js';
import { Dentry, ROOT_CRED, type FsStruct } from './fs/namei.js';
import { PROFILE_4_18, type KernelProfile } from './profile.js';
import { Scheduler } from './sched.js';
import { SigHand } from './signal.js';
import { buildSyscallTable } from './syscalls/table.js';
import type { SyscallEntry } from './syscalls/types.js';
import { SignalStruct, Task, type ExitStatus } from './task.js';
import { Tracer } from './trace.js';
import './pipe/fifo.js'; // registers fifo_open for FIFO nodes (specialOpen.fifo)

export interface KernelOptions {
  engine: Engine;
  profile?: KernelProfile;
  tracer?: Tracer;
  /** Guest instructions per slice before another task may run. */
  sliceInstructions?: number;
  /** The root filesystem (default: an empty tmpfs); /proc, /dev and /tmp are mounted or made on it. */
  rootfs?: MountSource;
  /** Wall-clock milliseconds per slice before another task may run. */
  sliceMs?: number;
  /** Guest memory limit in pages, all address spaces together; past it the OOM killer runs (oom_kill.ts). */
  memoryLimitPages?: number;
  /** Most tasks (threads included) alive at once; fork and clone past it give EAGAIN. */
  maxTasks?: number;
}

/**
 * Linux kernel/fork.c max_threads is sized from memory; kemu's default
 * bounds host memory instead (each task holds a CPU engine instance).
 */
export const DEFAULT_MAX_TASKS = 4096;
/** The default guest memory limit: 2 GiB of pages (see oom_kill.ts for what is counted). */
export const DEFAULT_MEMORY_LIMIT_PAGES = 512 * 1024;

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
  readonly sched: Scheduler;
  memoryLimitPages: number;
  maxTasks: number;
  /** Linux kernel/pid.c alloc_pid: the next pid to try (pids are never reused while in use). */
  private nextPid = 1;

  constructor(opts: KernelOptions) {
    this.engine = opts.engine;
    this.profile = opts.profile ?? PROFILE_4_18;
    this.tracer = opts.tracer ?? new Tracer();
    this.sched = new Scheduler(this, opts.sliceInstructions ?? 1_000_000, opts.sliceMs ?? 20);
    this.memoryLimitPages = opts.memoryLimitPages ?? DEFAULT_MEMORY_LIMIT_PAGES;
    this.maxTasks = opts.maxTasks ?? DEFAULT_MAX_TASKS;
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

  /** Linux alloc_pid(): the next free pid (wrapping at PID_MAX_DEFAULT 32768 to 300, as Linux). */
  alloc_pid(): number {
    for (;;) {
      const pid = this.nextPid++;
      if (this.nextPid >= 32768) this.nextPid = 300;
      if (!this.tasks.has(pid)) return pid;
    }
  }

  /**
   * A new task with no address space yet (like a kernel thread about to
   * exec): its own process, root credentials, the root as cwd, an empty fd
   * table. With no parent it is reaped as soon as it exits; its status goes
   * to its onExit callbacks. It runs once it has a CPU (after an exec).
   */
  createTask(parent: Task | null = null): Task {
    const pid = this.alloc_pid();
    const fs: FsStruct = { root: this.root, pwd: this.root, umask: 0o022 };
    const signal = new SignalStruct(parent ? parent.signal.pgrp : 0, parent ? parent.signal.session : 0);
    const t = new Task(this, pid, pid, new FilesStruct(), fs, { ...ROOT_CRED }, new SigHand(), parent, signal);
    signal.threads.add(t);
    if (parent) parent.children.add(t);
    this.tasks.set(pid, t);
    return t;
  }

  /** Linux find_task_by_vpid(). */
  find_task_by_vpid(pid: number): Task | null {
    return this.tasks.get(pid) ?? null;
  }

  /** Linux wake_up_process(). */
  wake_up_process(t: Task): boolean {
    return this.sched.wake_up_process(t);
  }

  /** Linux wake_up_new_task(): a task made by fork (or by host code after its exec) joins the run queue. */
  wake_up_new_task(t: Task): void {
    this.sched.enqueue(t);
  }

  /** Wake the scheduler if it is idle. */
  kick(): void {
    this.sched.kick();
  }

  /** Run tasks until none is alive. */
  run(): Promise<void> {
    return this.sched.run();
  }

  /** Run until `t`'s process has ended; resolves with how it ended. */
  async waitForExit(t: Task): Promise<ExitStatus> {
    if (t.exitStatus) return t.exitStatus;
    const done = new Promise<ExitStatus>((resolve) => t.onExit.push(resolve));
    return Promise.race([done, this.run().then(() => done)]);
  }
}
