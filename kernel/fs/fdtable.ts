/**
 * A task's file descriptor table: Linux include/linux/fdtable.h
 * struct files_struct, fs/file.c (alloc_fd takes the lowest free number,
 * close-on-exec is a per-descriptor bit, do_close_on_exec at exec).
 */

import { EBADF, EMFILE } from '../../abi/errno.js';
import { fput, get_file, type File } from './file.js';

/** Linux RLIMIT_NOFILE default soft limit. */
export const NR_OPEN_DEFAULT = 1024;

interface FdEntry {
  file: File;
  cloexec: boolean;
}

export class FilesStruct {
  private readonly fds: Array<FdEntry | undefined> = [];
  /** Linux rlimit(RLIMIT_NOFILE): descriptors must stay below it. */
  nofile = NR_OPEN_DEFAULT;

  /** Linux fcheck/fget: the file at `fd`, or null. */
  get(fd: number): File | null {
    return (Number.isInteger(fd) && fd >= 0 && this.fds[fd]?.file) || null;
  }

  getCloexec(fd: number): boolean {
    return this.fds[fd]?.cloexec ?? false;
  }

  setCloexec(fd: number, on: boolean): void {
    const e = this.fds[fd];
    if (e) e.cloexec = on;
  }

  /** Linux get_unused_fd_flags: the lowest free fd >= `min`, or -EMFILE (reserves nothing: the kernel is single-threaded). */
  get_unused_fd(min = 0): number {
    let fd = min;
    while (fd < this.nofile && this.fds[fd]) fd++;
    return fd >= this.nofile ? -EMFILE : fd;
  }

  /** Linux get_unused_fd_flags + fd_install: lowest free fd >= `min`; takes the caller's reference. */
  install(file: File, cloexec = false, min = 0): number {
    const fd = this.get_unused_fd(min);
    if (fd < 0) return fd;
    this.fds[fd] = { file, cloexec };
    return fd;
  }

  /** Linux replace_fd / do_dup2: put `file` at `fd`, closing what was there; takes the caller's reference. */
  installAt(fd: number, file: File, cloexec = false): number {
    if (fd < 0 || fd >= this.nofile) return -EBADF;
    const old = this.fds[fd];
    this.fds[fd] = { file, cloexec };
    if (old) fput(old.file);
    return fd;
  }

  /** Linux close_fd. */
  close(fd: number): number {
    const e = this.fds[fd];
    if (!e) return -EBADF;
    this.fds[fd] = undefined;
    fput(e.file);
    return 0;
  }

  /**
   * Linux fs/file.c __range_close / __range_cloexec: close (or mark
   * close-on-exec) every open fd in [first, last].
   */
  closeRange(first: number, last: number, cloexecOnly: boolean): void {
    const end = Math.min(last, this.fds.length - 1);
    for (let fd = first; fd <= end; fd++) {
      if (!this.fds[fd]) continue;
      if (cloexecOnly) this.fds[fd]!.cloexec = true;
      else this.close(fd);
    }
  }

  /** Linux do_close_on_exec. */
  closeOnExec(): void {
    this.fds.forEach((e, fd) => { if (e?.cloexec) this.close(fd); });
  }

  /** Linux dup_fd: a copy sharing the open files (fork without CLONE_FILES, unshare_files). */
  dup(): FilesStruct {
    const copy = new FilesStruct();
    copy.nofile = this.nofile;
    this.fds.forEach((e, fd) => { if (e) copy.fds[fd] = { file: get_file(e.file), cloexec: e.cloexec }; });
    return copy;
  }

  /** Close everything (exit). */
  closeAll(): void {
    this.fds.forEach((e, fd) => { if (e) this.close(fd); });
  }

  /** Open descriptor numbers in order, for /proc/self/fd. */
  openFds(): number[] {
    const out: number[] = [];
    this.fds.forEach((e, fd) => { if (e) out.push(fd); });
    return out;
  }
}
