/**
 * Kernel modules: Linux kernel/module.c (load_module, do_init_module,
 * delete_module, try_module_get / module_put, /proc/modules) and
 * kernel/kmod.c (request_module), reduced to what a module written in
 * TypeScript needs: a name, init and exit, maybe an embedded blob (as
 * bpfilter.ko carries its helper between bpfilter_umh_start and _end).
 *
 * A module is loaded once per kernel. init runs while the module is
 * COMING; a failure unloads it again and insmod returns the error. rmmod
 * refuses a module that is not LIVE (-EBUSY), one that is in use
 * (-EWOULDBLOCK, refcount > 0) or one without exit (-EBUSY, Linux without
 * O_TRUNC forcing), then runs exit while it is GOING. Like kfree after
 * kmalloc, exit must give back what init took: kill its helper, put its
 * pipes (the seed's words).
 */

import { EBUSY, EEXIST, ENOENT, EWOULDBLOCK } from '../abi/errno.js';
import type { Kernel } from '../kernel/kernel.js';
import { umh_trace } from './trace.js';

/** What a module provides (Linux struct module's init and exit, module_init / module_exit). */
export interface KernelModule {
  /** Its name as lsmod shows it (Linux: MODULE_NAME_LEN 56, [a-z0-9_]). */
  readonly name: string;
  /** Data the module embeds (a helper's ELF blob); counted in its size. */
  readonly blob?: Uint8Array;
  /** module_init: 0 or -errno. Awaited; may start helpers and talk to them. */
  init(k: Kernel): number | Promise<number>;
  /** module_exit: release everything init and later calls took. Without it rmmod gives -EBUSY. */
  exit?(k: Kernel): void | Promise<void>;
}

/** Linux enum module_state. */
export type ModuleState = 'coming' | 'live' | 'going';

/** A loaded module: Linux struct module's bookkeeping. */
export interface Module {
  readonly mod: KernelModule;
  state: ModuleState;
  /** Linux module_refcount(): users holding it through try_module_get. */
  refcnt: number;
}

/** One line of lsmod (Linux /proc/modules: name, size, refcount, state). */
export interface LsmodEntry {
  name: string;
  size: number;
  refcnt: number;
  state: 'Live' | 'Loading' | 'Unloading';
}

/** Linux's `modules` list, per kernel. */
const loaded = new WeakMap<Kernel, Map<string, Module>>();
/** What modprobe could load (Linux /lib/modules/$(uname -r)): a per-kernel directory. */
const available = new WeakMap<Kernel, Map<string, KernelModule>>();

function modules(k: Kernel): Map<string, Module> {
  let m = loaded.get(k);
  if (!m) loaded.set(k, (m = new Map()));
  return m;
}

/** Linux find_module(): the loaded module `name` (in any state), or null. */
export function find_module(k: Kernel, name: string): Module | null {
  return modules(k).get(name) ?? null;
}

/**
 * insmod (Linux load_module -> do_init_module): add the module, run its
 * init. Returns 0, -EEXIST when a module of that name is loaded (or being
 * loaded), or init's error (the module is then gone again).
 */
export async function insmod(k: Kernel, mod: KernelModule): Promise<number> {
  const mods = modules(k);
  // kernel/module.c add_unformed_module(): a name already there is -EEXIST.
  if (mods.has(mod.name)) return -EEXIST;
  const m: Module = { mod, state: 'coming', refcnt: 0 };
  mods.set(mod.name, m);
  const ret = await mod.init(k);
  // do_init_module(): a failed init frees the module; insmod gets its error.
  if (ret < 0) {
    mods.delete(mod.name);
    umh_trace(k, 'insmod', { name: mod.name, retval: ret });
    return ret;
  }
  m.state = 'live';
  umh_trace(k, 'insmod', { name: mod.name, retval: 0 });
  return 0;
}

/**
 * rmmod (Linux delete_module): run the module's exit and drop it.
 * Returns 0, -ENOENT (not loaded), -EBUSY (not live, or no exit
 * function), -EWOULDBLOCK (still in use: try_stop_module).
 */
export async function rmmod(k: Kernel, name: string): Promise<number> {
  const m = find_module(k, name);
  if (!m) return -ENOENT;
  // kernel/module.c delete_module(): "Doing init or already dying?"
  if (m.state !== 'live') return -EBUSY;
  // "If it has an init func, it must have an exit func to unload."
  if (!m.mod.exit) return -EBUSY;
  if (m.refcnt > 0) return -EWOULDBLOCK;
  m.state = 'going';
  await m.mod.exit(k);
  modules(k).delete(name);
  umh_trace(k, 'rmmod', { name, retval: 0 });
  return 0;
}

/** lsmod: the loaded modules, most recently loaded first (the order of /proc/modules). */
export function lsmod(k: Kernel): LsmodEntry[] {
  const state = { coming: 'Loading', live: 'Live', going: 'Unloading' } as const;
  return [...modules(k).values()].reverse().map((m) => ({
    name: m.mod.name, size: m.mod.blob?.length ?? 0, refcnt: m.refcnt, state: state[m.state],
  }));
}

/** lsmod's text: "Module  Size  Used by" and a line per module, as lsmod(8) prints /proc/modules. */
export function format_lsmod(k: Kernel): string {
  const lines = ['Module                  Size  Used by'];
  for (const e of lsmod(k)) lines.push(`${e.name.padEnd(19)} ${String(e.size).padStart(8)}  ${e.refcnt}`);
  return lines.join('\n') + '\n';
}

/** Linux try_module_get(): hold a live module so rmmod cannot take it away; false when it is not live. */
export function try_module_get(k: Kernel, name: string): boolean {
  const m = find_module(k, name);
  if (!m || m.state !== 'live') return false;
  m.refcnt++;
  return true;
}

/** Linux module_put(). */
export function module_put(k: Kernel, name: string): void {
  const m = find_module(k, name);
  if (m && m.refcnt > 0) m.refcnt--;
}

/** Make `mod` available to request_module (as installing a .ko under /lib/modules does). */
export function depmod(k: Kernel, mod: KernelModule): void {
  let a = available.get(k);
  if (!a) available.set(k, (a = new Map()));
  a.set(mod.name, mod);
}

/**
 * Linux request_module(name) (kernel/kmod.c): 0 when the module is loaded
 * already or modprobe loads it now (from what depmod made available), its
 * init's error if that fails. With nothing to load kemu returns -ENOENT,
 * what a missing modprobe gives (Linux with modprobe present would return
 * its exit status, a positive wait status).
 */
export async function request_module(k: Kernel, name: string): Promise<number> {
  if (find_module(k, name)) return 0;
  const mod = available.get(k)?.get(name);
  if (!mod) return -ENOENT;
  const r = await insmod(k, mod);
  return r === -EEXIST ? 0 : r;
}
