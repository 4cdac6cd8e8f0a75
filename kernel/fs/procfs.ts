/**
 * procfs: Linux fs/proc/. Files are generated when read, from the task
 * that reads them, as Linux's are: /proc/self (a link to the caller's
 * pid), one directory per process (proc_pid.ts), and the system-wide
 * files programs read while they start (cpuinfo, meminfo, mounts,
 * sys/kernel/...). The mount is nosuid,nodev,noexec as on a distribution.
 *
 * Fixed entries live in a small proc_dir_entry tree (proc_mkdir,
 * proc_create), so other parts of kemu can add theirs (binfmt_misc mounts
 * its own filesystem on /proc/sys/fs/binfmt_misc, which exists for that).
 */

import type { Task } from '../task.js';
import { newSuperBlock, PROC_SUPER_MAGIC, type Inode } from './inode.js';
import { ProcDir, ProcLink, proc_create, proc_mkdir, procText } from './proc_base.js';
import { cpuinfoText, meminfoText, uptimeText, versionText } from './proc_misc.js';
import { ProcPidDir } from './proc_pid.js';

export { ProcDir, ProcFile, ProcLink, ProcMagicLink, proc_create, proc_mkdir, procText } from './proc_base.js';

/** How procfs finds tasks: the kernel's table and the task making the call. */
export interface ProcContext {
  current(): Task | null;
  task(pid: number): Task | null;
  pids(): number[];
  /** uname -r, for /proc/sys/kernel/osrelease and /proc/version. */
  release?(): string;
}

export class ProcRoot extends ProcDir {
  /** pid directories handed out, so one pid keeps one inode while it lives. */
  private readonly pidDirs = new WeakMap<Task, ProcPidDir>();

  constructor(private readonly ctx: ProcContext,
    sb = newSuperBlock('proc', { noexec: true, nosuid: true, nodev: true, revalidate: true, magic: PROC_SUPER_MAGIC })) {
    super(sb, 0o555);
    const release = (): string => ctx.release?.() ?? '6.18.0-kemu';
    proc_create(this, 'self', new ProcLink(sb, () => (ctx.current() ? String(ctx.current()!.tgid) : null)));
    proc_create(this, 'thread-self', new ProcLink(sb, () => {
      const t = ctx.current();
      return t ? `${t.tgid}/task/${t.pid}` : null;
    }));
    proc_create(this, 'mounts', new ProcLink(sb, () => 'self/mounts'));
    proc_create(this, 'cpuinfo', procText(sb, cpuinfoText));
    proc_create(this, 'meminfo', procText(sb, meminfoText));
    proc_create(this, 'uptime', procText(sb, uptimeText));
    proc_create(this, 'version', procText(sb, () => versionText(release())));
    proc_create(this, 'filesystems', procText(sb, () => 'nodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\n'));
    const sys = proc_mkdir(this, 'sys');
    const kern = proc_mkdir(sys, 'kernel');
    proc_create(kern, 'ostype', procText(sb, () => 'Linux\n'));
    proc_create(kern, 'osrelease', procText(sb, () => release() + '\n'));
    proc_create(kern, 'hostname', procText(sb, () => 'kemu\n', 0o644));
    proc_create(kern, 'pid_max', procText(sb, () => '4194304\n', 0o644));
    proc_create(kern, 'ngroups_max', procText(sb, () => '65536\n'));
    const fs = proc_mkdir(sys, 'fs');
    proc_create(fs, 'nr_open', procText(sb, () => '1048576\n', 0o644));
    proc_mkdir(fs, 'binfmt_misc');
    const vm = proc_mkdir(sys, 'vm');
    proc_create(vm, 'overcommit_memory', procText(sb, () => '0\n', 0o644));
  }

  override lookup(name: string): Inode | null {
    const fixed = this.subdir.get(name);
    if (fixed) return fixed;
    if (!/^[1-9][0-9]*$/.test(name)) return null;
    const t = this.ctx.task(Number(name));
    // Any thread's id finds it (Linux proc_pid_lookup); only group leaders are listed.
    return t && t.state !== 'dead' ? this.pidDir(t) : null;
  }

  override entries(): Array<[string, Inode]> {
    const out = [...this.subdir];
    for (const pid of this.ctx.pids()) { // the kernel lists thread-group leaders only
      const dir = this.lookup(String(pid));
      if (dir) out.push([String(pid), dir]);
    }
    return out;
  }

  private pidDir(t: Task): ProcPidDir {
    let d = this.pidDirs.get(t);
    if (!d) { d = new ProcPidDir(this.i_sb, t); this.pidDirs.set(t, d); }
    return d;
  }
}
