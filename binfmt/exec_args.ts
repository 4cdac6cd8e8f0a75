/**
 * Copying argv and envp into the new stack: Linux 4.18 fs/exec.c count(),
 * copy_strings(), copy_strings_kernel(), get_arg_page()'s size rule and
 * remove_arg_zero().
 *
 * Strings are pushed downwards from bprm->p, last to first, so that in
 * memory they read argv[0] .. argv[n-1] envp[0] .. envp[m-1] filename.
 */

import { E2BIG, EFAULT } from '../abi/errno.js';
import { ARG_MAX, MAX_ARG_STRINGS, MAX_ARG_STRLEN } from '../abi/limits.js';
import { STACK_TOP, pageAlignDown } from '../kernel/mm/mm_struct.js';
import type { MmStruct } from '../kernel/mm/mm_struct.js';
import { get_user_u64, strncpy_from_user } from '../kernel/mm/uaccess.js';
import type { LinuxBinprm } from './binprm.js';

/** Linux include/linux/resource.h _STK_LIM: 8 MiB. */
const _STK_LIM = 8 * 1024 * 1024;

/**
 * Where argv or envp come from: a guest array of string pointers (execve),
 * strings the kernel holds (kernel_execve, do_execve_file from a module), or
 * nothing (a NULL pointer, which Linux counts as zero strings).
 */
export type ArgSource =
  | { kind: 'user'; mm: MmStruct; addr: number }
  | { kind: 'kernel'; strings: readonly Uint8Array[] }
  | null;

/** Linux fs/exec.c count(): the number of strings, or -EFAULT / -E2BIG. */
export function count(src: ArgSource, max = MAX_ARG_STRINGS): number {
  if (!src) return 0;
  if (src.kind === 'kernel') return src.strings.length > max ? -E2BIG : src.strings.length;
  for (let i = 0; ; i++) {
    const p = get_user_u64(src.mm, src.addr + i * 8);
    if (p === null) return -EFAULT;
    if (p === 0n) return i;
    if (i >= max) return -E2BIG;
  }
}

/** The bytes of string `i` (without NUL), or -EFAULT / -E2BIG as copy_strings reports them. */
function fetchString(src: NonNullable<ArgSource>, i: number): Uint8Array | number {
  if (src.kind === 'kernel') {
    const s = src.strings[i]!;
    return s.length + 1 > MAX_ARG_STRLEN ? -E2BIG : s;
  }
  const p = get_user_u64(src.mm, src.addr + i * 8);
  if (p === null || p >= 0x8000_0000_0000n) return -EFAULT;
  // strnlen_user(str, MAX_ARG_STRLEN): the length counts the NUL.
  const s = strncpy_from_user(src.mm, Number(p), MAX_ARG_STRLEN - 1);
  if (s === null) return -EFAULT;
  if (s === 'toolong') return -E2BIG;
  return s;
}

/**
 * Linux 4.18 get_arg_page(): after the argument area grows to cover `pos`,
 * its size plus the pointers still to come must stay within ARG_MAX, or
 * within min(_STK_LIM / 4 * 3, RLIMIT_STACK / 4) when larger.
 */
function argAreaFits(bprm: LinuxBinprm, pos: number): boolean {
  const size = STACK_TOP - pageAlignDown(pos) + (bprm.argc + bprm.envc) * 8;
  if (size <= ARG_MAX) return true;
  return size <= Math.min(_STK_LIM / 4 * 3, bprm.rlim_stack.rlim_cur / 4);
}

/** Push `bytes` + NUL below bprm.p. */
function push(bprm: LinuxBinprm, bytes: Uint8Array): number {
  const len = bytes.length + 1;
  const pos = bprm.p - len;
  if (!argAreaFits(bprm, pos)) return -E2BIG;
  ensureArea(bprm, pos);
  const at = pos - bprm.argBase;
  bprm.argArea.set(bytes, at);
  bprm.argArea[at + bytes.length] = 0;
  bprm.p = pos;
  return 0;
}

function ensureArea(bprm: LinuxBinprm, pos: number): void {
  const need = STACK_TOP - pos;
  if (need <= bprm.argArea.length) return;
  const grown = new Uint8Array(Math.max(need, bprm.argArea.length * 2, 4096));
  grown.set(bprm.argArea, grown.length - bprm.argArea.length);
  bprm.argArea = grown;
  bprm.argBase = STACK_TOP - grown.length;
}

/** Linux fs/exec.c copy_strings(): strings argc-1 .. 0 of `src`, pushed below bprm->p. */
export function copy_strings(argc: number, src: ArgSource, bprm: LinuxBinprm): number {
  if (!src) return 0;
  for (let i = argc - 1; i >= 0; i--) {
    const s = fetchString(src, i);
    if (typeof s === 'number') return s;
    const r = push(bprm, s);
    if (r < 0) return r;
  }
  return 0;
}

/** Linux fs/exec.c copy_strings_kernel(): the same for strings the kernel holds. */
export function copy_strings_kernel(argc: number, argv: readonly Uint8Array[], bprm: LinuxBinprm): number {
  return copy_strings(argc, { kind: 'kernel', strings: argv }, bprm);
}

/**
 * Linux fs/exec.c remove_arg_zero(): drop argv[0] (the first string at
 * bprm->p) so a script handler can put the interpreter's arguments in its
 * place. A no-op when argc is 0.
 */
export function remove_arg_zero(bprm: LinuxBinprm): number {
  if (!bprm.argc) return 0;
  const at = bprm.p - bprm.argBase;
  const nul = bprm.argArea.indexOf(0, at);
  if (nul < 0) return -EFAULT;
  bprm.p += nul - at + 1;
  bprm.argc--;
  return 0;
}

/** The strings between bprm.p and STACK_TOP - 8, in memory order (argv..., envp..., filename). */
export function argStrings(bprm: LinuxBinprm): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = bprm.p - bprm.argBase;
  const end = STACK_TOP - 8 - bprm.argBase;
  while (at < end) {
    const nul = bprm.argArea.indexOf(0, at);
    out.push(bprm.argArea.subarray(at, nul));
    at = nul + 1;
  }
  return out;
}
