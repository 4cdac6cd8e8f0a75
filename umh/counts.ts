/**
 * What the kernel holds, counted: tasks, open files and pages, as a test
 * compares them before and after a helper's life (nothing left behind)
 * and as `kemu umh --trace umh` may print them. Linux keeps these as
 * nr_threads, files_stat.nr_files (/proc/sys/fs/file-nr) and the page
 * counters of /proc/meminfo; kemu has no global counters of its own, so
 * they are gathered:
 *
 * - tasks: every task the kernel knows (zombies included);
 * - files: every distinct open file reachable from a task (its fds, its
 *   exe_file) plus every file umh/ made for the kernel itself (the blob's
 *   shmem file, the module's pipe ends, the driver file) while any
 *   reference to it remains: a pipe end a module forgot to fput counts;
 * - pages: the pages mapped in every distinct address space, plus those
 *   buffered in counted pipes and held by counted unlinked files.
 */

import { PAGE_SIZE } from '../abi/limits.js';
import type { File } from '../kernel/fs/file.js';
import { TmpfsFile } from '../kernel/fs/tmpfs.js';
import type { Kernel } from '../kernel/kernel.js';
import type { MmStruct } from '../kernel/mm/mm_struct.js';
import { PipeFile, type PipeInodeInfo } from '../kernel/pipe/pipe.js';

export interface KernelCounts {
  tasks: number;
  files: number;
  pages: number;
}

const tracked = new WeakMap<Kernel, Set<File>>();

/** Count `f` (a file the kernel made for itself) for as long as a reference to it remains. */
export function track_file(k: Kernel, f: File): void {
  let s = tracked.get(k);
  if (!s) tracked.set(k, (s = new Set()));
  s.add(f);
}

export function kernel_counts(k: Kernel): KernelCounts {
  const files = new Set<File>();
  const mms = new Set<MmStruct>();
  for (const t of k.tasks.values()) {
    for (const fd of t.files.openFds()) files.add(t.files.get(fd)!);
    if (t.exe_file) files.add(t.exe_file);
    if (t.mm) mms.add(t.mm);
  }
  const mine = tracked.get(k);
  if (mine) {
    for (const f of mine) {
      if (f.f_count > 0) files.add(f);
      else mine.delete(f);
    }
  }
  let pages = 0;
  for (const mm of mms) pages += mm.total_vm;
  const pipes = new Set<PipeInodeInfo>();
  for (const f of files) {
    if (f instanceof PipeFile) pipes.add(f.pipe);
    else if (f.f_inode instanceof TmpfsFile && f.f_inode.i_nlink === 0) pages += Math.ceil(f.f_inode.size() / PAGE_SIZE);
  }
  for (const p of pipes) pages += p.bufs.length;
  return { tasks: k.tasks.size, files: files.size, pages };
}
