/**
 * The binfmt handler list and its walk: Linux 4.18 fs/exec.c formats,
 * __register_binfmt, unregister_binfmt, search_binary_handler.
 *
 * Linux keeps one global list; kemu keeps one per kernel so that tests can
 * boot many kernels side by side.
 */

import { ELOOP, ENOENT, ENOEXEC } from '../abi/errno.js';
import { SIGSEGV, SI_KERNEL } from '../abi/signal.js';
import type { Kernel } from '../kernel/kernel.js';
import { force_sig_fault } from '../kernel/signal_deliver.js';
import type { LinuxBinfmt, LinuxBinprm } from './binprm.js';
import { traceEnter, traceLeave } from './trace_exec.js';

const formatsOf = new WeakMap<Kernel, LinuxBinfmt[]>();

/** The kernel's handler list, head first. */
export function formats(k: Kernel): LinuxBinfmt[] {
  let list = formatsOf.get(k);
  if (!list) formatsOf.set(k, (list = []));
  return list;
}

/** Linux fs/exec.c __register_binfmt: `insert` puts it at the head, otherwise the tail. */
export function __register_binfmt(k: Kernel, fmt: LinuxBinfmt, insert: boolean): void {
  const list = formats(k);
  if (insert) list.unshift(fmt);
  else list.push(fmt);
}

/** Linux include/linux/binfmts.h register_binfmt: append at the tail. Returns the disposer. */
export function register_binfmt(k: Kernel, fmt: LinuxBinfmt): () => void {
  __register_binfmt(k, fmt, false);
  return () => unregister_binfmt(k, fmt);
}

/** Linux include/linux/binfmts.h insert_binfmt: add at the head. Returns the disposer. */
export function insert_binfmt(k: Kernel, fmt: LinuxBinfmt): () => void {
  __register_binfmt(k, fmt, true);
  return () => unregister_binfmt(k, fmt);
}

export function unregister_binfmt(k: Kernel, fmt: LinuxBinfmt): void {
  const list = formats(k);
  const i = list.indexOf(fmt);
  if (i >= 0) list.splice(i, 1);
}

/**
 * Linux kernel/kmod.c request_module, as search_binary_handler uses it:
 * asked for "binfmt-XXXX" when no handler claimed a non-printable file.
 * It normally fails (returns non-zero); a test may install a hook that
 * registers a handler and returns 0.
 */
export type RequestModule = (k: Kernel, name: string) => number;
const requestModuleOf = new WeakMap<Kernel, RequestModule>();

export function set_request_module(k: Kernel, fn: RequestModule | null): void {
  if (fn) requestModuleOf.set(k, fn);
  else requestModuleOf.delete(k);
}

/** Linux fs/exec.c printable(): TAB, LF and 0x20..0x7e. */
const printable = (c: number): boolean => c === 0x09 || c === 0x0a || (c >= 0x20 && c <= 0x7e);

/**
 * Linux 4.18 fs/exec.c search_binary_handler(): offer the file to each
 * handler in turn. -ENOEXEC means "not mine, try the next" unless the
 * handler consumed bprm->file; any other result ends the walk. A failure
 * after the point of no return (bprm->mm gone) kills the task with SIGSEGV.
 */
export function search_binary_handler(bprm: LinuxBinprm): number {
  const k = bprm.kernel;
  // Linux 4.18: "This allows 4 levels of binfmt rewrites before failing hard."
  // Counting the code, depth > 5 fails: five nested #! scripts work, six give ELOOP.
  if (bprm.recursion_depth > 5) return -ELOOP;
  let retval = -ENOENT;
  for (let pass = 0; pass < 2; pass++) {
    for (const fmt of [...formats(k)]) {
      bprm.recursion_depth++;
      traceEnter(k, `${fmt.name}.load_binary`, { depth: bprm.recursion_depth, interp: bprm.interp });
      retval = fmt.load_binary(bprm);
      traceLeave(k, retval);
      bprm.recursion_depth--;
      if (retval < 0 && !bprm.mm) {
        // Past the point of no return: the old image is gone.
        force_sig_fault(bprm.task, SIGSEGV, SI_KERNEL, 0n);
        return retval;
      }
      if (retval !== -ENOEXEC || !bprm.file) return retval;
    }
    if (pass === 1) break;
    // Linux 4.18: with CONFIG_MODULES, try once to load a module for this format.
    const b = bprm.buf;
    if (printable(b[0]!) && printable(b[1]!) && printable(b[2]!) && printable(b[3]!)) break;
    const name = `binfmt-${(b[2]! | (b[3]! << 8)).toString(16).padStart(4, '0')}`;
    const req = requestModuleOf.get(k);
    traceEnter(k, `request_module("${name}")`, {});
    const r = req ? req(k, name) : -ENOENT;
    traceLeave(k, r);
    if (r < 0) break;
  }
  return retval;
}
