/**
 * binfmt_script: `#!` interpreter scripts. Linux fs/binfmt_script.c
 * load_script, as 4.18 parses the line (reference 2.1) and as 5.0+ does
 * (2.2: a cut interpreter path is refused), chosen by the kernel profile.
 *
 * The line is "#!", optional spaces/tabs, the interpreter path, then at
 * most ONE argument: everything after the separating spaces/tabs, inner
 * spaces included, trailing spaces/tabs trimmed. Only space and tab
 * separate; a NUL ends the line. argv becomes
 * [interpreter, (argument), script path, argv[1..]].
 */

import { ENOENT, ENOEXEC } from '../abi/errno.js';
import { latin1, latin1Bytes } from '../kernel/fs/namei.js';
import { BINPRM_FLAGS_PATH_INACCESSIBLE, type LinuxBinfmt, type LinuxBinprm } from './binprm.js';
import { copy_strings_kernel, remove_arg_zero } from './exec_args.js';
import { bprm_change_interp, open_exec, prepare_binprm, release_exec_file } from './exec_mm.js';
import { search_binary_handler } from './formats.js';
import { traceNote } from './trace_exec.js';

const spacetab = (c: number | undefined): boolean => c === 0x20 || c === 0x09;

export interface ScriptLine {
  name: Uint8Array;
  arg: Uint8Array | null;
}

/** The C string starting at `i` (up to the first NUL, or the end). */
function cstr(b: Uint8Array, i: number): Uint8Array {
  const nul = b.indexOf(0, i);
  return b.slice(i, nul < 0 ? b.length : nul);
}

/** strchr: the first `c` before the first NUL, or -1. */
function strchr(b: Uint8Array, c: number): number {
  for (let i = 0; i < b.length && b[i] !== 0; i++) if (b[i] === c) return i;
  return -1;
}

/**
 * Linux 4.18 parsing, on a copy of the buffer as the kernel edits it in
 * place: the last byte forced to NUL; the line ends at the first '\n'
 * before a NUL, else at the last byte; spaces/tabs before that end become
 * NULs; a cut interpreter path is exec'd as it is.
 */
export function parseScript418(buf: Uint8Array): ScriptLine | null {
  const b = buf.slice();
  b[b.length - 1] = 0;
  let cp = strchr(b, 0x0a);
  if (cp < 0) cp = b.length - 1;
  b[cp] = 0;
  while (cp > 0) {
    cp--;
    if (spacetab(b[cp])) b[cp] = 0;
    else break;
  }
  for (cp = 2; spacetab(b[cp]); cp++);
  if (b[cp] === 0) return null; // no interpreter name
  const nameStart = cp;
  while (b[cp] !== 0 && !spacetab(b[cp])) cp++;
  const name = b.slice(nameStart, cp);
  while (spacetab(b[cp])) b[cp++] = 0;
  return { name, arg: b[cp] ? cstr(b, cp) : null };
}

/**
 * Linux 5.0+ parsing: without a '\n' in the buffer, a space, tab or NUL
 * must follow the interpreter path somewhere, or the path is taken as cut
 * and the script refused (ENOEXEC); an all-blank buffer is refused too.
 */
export function parseScript5(buf: Uint8Array): ScriptLine | null {
  const bufEnd = buf.length - 1;
  const nextNonSpacetab = (i: number, end: number): number => {
    for (; i < end; i++) if (!spacetab(buf[i])) return i;
    return -1;
  };
  const nextTerminator = (i: number, end: number): number => {
    for (; i < end; i++) if (spacetab(buf[i]) || buf[i] === 0) return i;
    return -1;
  };
  let iEnd = buf.indexOf(0x0a);
  if (iEnd < 0) {
    iEnd = nextNonSpacetab(2, bufEnd);
    if (iEnd < 0) return null; // the whole buffer is spaces/tabs
    if (nextTerminator(iEnd, bufEnd) < 0) return null; // the interpreter path was cut
    iEnd = bufEnd;
  }
  while (spacetab(buf[iEnd - 1])) iEnd--;
  const iName = nextNonSpacetab(2, iEnd);
  if (iName < 0 || iName === iEnd) return null; // no interpreter name
  const iSep = nextTerminator(iName, iEnd);
  const iArg = iSep >= 0 && buf[iSep] !== 0 ? nextNonSpacetab(iSep, iEnd) : -1;
  // The kernel NUL-terminates at i_end and i_sep; the strings are C strings from there.
  const b = buf.slice(0, iEnd);
  if (iSep >= 0) b[iSep] = 0;
  return { name: cstr(b, iName), arg: iArg >= 0 ? cstr(b, iArg) : null };
}

/** Linux fs/binfmt_script.c load_script. */
function load_script(bprm: LinuxBinprm): number {
  const buf = bprm.buf;
  if (buf[0] !== 0x23 || buf[1] !== 0x21) return -ENOEXEC; // "#!"
  const modern = bprm.kernel.profile.scriptRefusesTruncatedInterp;
  let line: ScriptLine | null;
  if (modern) {
    // 5.x parses while it still holds the file, so its ENOEXEC lets the next handler try.
    line = parseScript5(buf);
    if (!line) return -ENOEXEC;
    if (bprm.interp_flags & BINPRM_FLAGS_PATH_INACCESSIBLE) return -ENOENT;
    release(bprm);
  } else {
    // 4.18 releases the file first: from here on its ENOEXEC is final.
    if (bprm.interp_flags & BINPRM_FLAGS_PATH_INACCESSIBLE) return -ENOENT;
    release(bprm);
    line = parseScript418(buf);
    if (!line) return -ENOEXEC;
  }
  traceNote(bprm.kernel, `#! interpreter "${latin1(line.name)}"${line.arg ? ` argument "${latin1(line.arg)}"` : ''}`);
  // Splice in, in reverse: the script's path for argv[0], the argument, the interpreter.
  let r = remove_arg_zero(bprm);
  if (r < 0) return r;
  r = copy_strings_kernel(1, [latin1Bytes(bprm.interp)], bprm);
  if (r < 0) return r;
  bprm.argc++;
  if (line.arg) {
    r = copy_strings_kernel(1, [line.arg], bprm);
    if (r < 0) return r;
    bprm.argc++;
  }
  r = copy_strings_kernel(1, [line.name], bprm);
  if (r < 0) return r;
  bprm.argc++;
  const name = latin1(line.name);
  bprm_change_interp(name, bprm);
  const file = open_exec(bprm.task, name);
  if (typeof file === 'number') return file;
  bprm.file = file;
  r = prepare_binprm(bprm);
  if (r < 0) return r;
  return search_binary_handler(bprm);
}

function release(bprm: LinuxBinprm): void {
  if (bprm.file) release_exec_file(bprm.file);
  bprm.file = null;
}

export const script_format: LinuxBinfmt = {
  name: 'binfmt_script',
  module: null,
  load_binary: load_script,
  load_shlib: null,
  core_dump: null,
  min_coredump: 0,
};
