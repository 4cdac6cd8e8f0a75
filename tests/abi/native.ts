/**
 * Helpers for checking abi/ against the C headers and glibc of this machine:
 * compile a small C program with gcc and read what it prints. Used only when
 * gcc is on PATH; the tests skip otherwise.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function haveTool(name: string, arg = '--version'): boolean {
  const r = spawnSync(name, [arg], { stdio: 'ignore' });
  return r.status === 0;
}

/** Headers the constant checks see: glibc's view plus the uapi headers it does not pull in. */
export const C_HEADERS = [
  'errno.h', 'fcntl.h', 'unistd.h', 'signal.h', 'sys/mman.h', 'sys/stat.h', 'sys/wait.h',
  'sys/resource.h', 'sys/personality.h', 'sys/prctl.h', 'sys/auxv.h', 'sys/ioctl.h',
  'sys/random.h', 'sys/syscall.h', 'sys/eventfd.h', 'sys/signalfd.h', 'sys/timerfd.h',
  'sys/epoll.h', 'sys/uio.h', 'sys/utsname.h', 'sys/times.h', 'sys/sysinfo.h', 'poll.h',
  'time.h', 'limits.h', 'elf.h', 'sched.h', 'dirent.h', 'stddef.h', 'stdio.h', 'string.h',
  'linux/futex.h', 'linux/limits.h', 'linux/openat2.h', 'linux/close_range.h',
  'linux/memfd.h', 'asm/prctl.h', 'linux/auxvec.h', 'linux/sched.h',
];

/**
 * Compile and run a C program whose main body is made of the given chunks,
 * one chunk per item. When a chunk fails to compile (a name glibc lacks or
 * defines as an expression over an incomplete type), drop it and try again.
 * Returns the program's stdout and the indices of the chunks that were kept.
 */
export function runC(chunks: string[], headers = C_HEADERS): { stdout: string; kept: number[] } {
  const dir = mkdtempSync(join(tmpdir(), 'kemu-abi-'));
  try {
    let kept = chunks.map((_, i) => i);
    for (let attempt = 0; attempt < 8; attempt++) {
      const lines = ['#define _GNU_SOURCE', ...headers.map((h) => `#include <${h}>`), 'int main(void) {'];
      const chunkAtLine = new Map<number, number>();
      for (const i of kept) {
        for (const l of chunks[i]!.split('\n')) {
          lines.push(l);
          chunkAtLine.set(lines.length, i);
        }
      }
      lines.push('return 0; }');
      const src = join(dir, 'p.c');
      const exe = join(dir, 'p');
      writeFileSync(src, lines.join('\n') + '\n');
      const cc = spawnSync('gcc', ['-w', '-o', exe, src], { encoding: 'utf8' });
      if (cc.status === 0) {
        const run = spawnSync(exe, [], { encoding: 'utf8' });
        return { stdout: run.stdout, kept };
      }
      const bad = new Set<number>();
      for (const m of cc.stderr.matchAll(/p\.c:(\d+):\d+: error/g)) {
        const i = chunkAtLine.get(Number(m[1]));
        if (i !== undefined) bad.add(i);
      }
      if (bad.size === 0) throw new Error(`gcc failed:\n${cc.stderr}`);
      kept = kept.filter((i) => !bad.has(i));
    }
    throw new Error('gcc kept failing');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One chunk printing NAME and its value as unsigned 64-bit, if the macro exists. */
export function macroChunk(name: string, requireMacro = true): string {
  const p = `printf("%s %llu\\n", "${name}", (unsigned long long)(${name}));`;
  return requireMacro ? `#ifdef ${name}\n${p}\n#endif` : p;
}

export function parseNameValues(stdout: string): Map<string, bigint> {
  const m = new Map<string, bigint>();
  for (const line of stdout.split('\n')) {
    const [name, value] = line.split(' ');
    if (name && value) m.set(name, BigInt(value));
  }
  return m;
}
