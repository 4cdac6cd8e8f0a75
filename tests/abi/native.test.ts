/**
 * Every number abi/ exports, compared with the same name in this machine's
 * C headers (glibc 2.36 + Linux uapi), and the struct layouts compared with
 * offsetof/sizeof. Skipped when gcc is not installed.
 */
import { expect } from 'chai';
import * as auxv from '../../abi/auxv.js';
import * as elf from '../../abi/elf.js';
import * as errno from '../../abi/errno.js';
import * as fcntl from '../../abi/fcntl.js';
import * as ioctl from '../../abi/ioctl.js';
import * as limits from '../../abi/limits.js';
import * as misc from '../../abi/misc.js';
import * as mman from '../../abi/mman.js';
import * as processAbi from '../../abi/process.js';
import * as signal from '../../abi/signal.js';
import * as stat from '../../abi/stat.js';
import * as syscalls from '../../abi/syscalls.js';
import { haveTool, macroChunk, parseNameValues, runC } from './native.js';

const MODULES: Record<string, Record<string, unknown>> = {
  auxv, elf, errno, fcntl, ioctl, limits, misc, mman, process: processAbi, signal, stat, syscalls,
};

/**
 * Names whose glibc macro is, by design, not the kernel's value: glibc
 * reserves two RT signals, counts signals from 1, has a larger termios, sizes
 * signal stacks at run time, defines O_LARGEFILE as 0 on 64-bit, folds
 * O_DIRECTORY into its __O_TMPFILE, and ends SHT_HIUSER at 0x8fffffff where
 * Linux's elf.h says 0xffffffff.
 */
const GLIBC_DIFFERS = new Set([
  'SIGRTMIN', 'SIGRTMAX', '_NSIG', 'NCCS', 'MINSIGSTKSZ', 'SIGSTKSZ', 'O_LARGEFILE', '__O_TMPFILE',
  'SHT_HIUSER',
]);

/** glibc names that are enum members without a macro of the same name. */
const ENUM_ONLY = [
  'UNAME26', 'ADDR_NO_RANDOMIZE', 'FDPIC_FUNCPTRS', 'MMAP_PAGE_ZERO', 'ADDR_COMPAT_LAYOUT',
  'READ_IMPLIES_EXEC', 'ADDR_LIMIT_32BIT', 'SHORT_INODE', 'WHOLE_SECONDS', 'STICKY_TIMEOUTS',
  'ADDR_LIMIT_3GB', 'PER_LINUX', 'PER_LINUX_32BIT', 'PER_LINUX32', 'PER_MASK',
  'P_ALL', 'P_PID', 'P_PGID', 'P_PIDFD',
];

function numericExports(): Map<string, { value: bigint; from: string }> {
  const out = new Map<string, { value: bigint; from: string }>();
  for (const [mod, ns] of Object.entries(MODULES)) {
    for (const [name, v] of Object.entries(ns)) {
      if (!/^_{0,2}[A-Z][A-Za-z0-9_]*$/.test(name) || GLIBC_DIFFERS.has(name)) continue;
      if (typeof v === 'number' && Number.isInteger(v)) out.set(name, { value: BigInt.asUintN(64, BigInt(v)), from: mod });
      else if (typeof v === 'bigint') out.set(name, { value: BigInt.asUintN(64, v), from: mod });
    }
  }
  return out;
}

describe('abi constants against the C headers of this machine', function () {
  before(function () {
    if (!haveTool('gcc')) this.skip();
  });

  it('has the value the headers give for every name both define', function () {
    const ours = numericExports();
    const enumOnly = new Set(ENUM_ONLY.filter((n) => ours.has(n)));
    const chunks = [...ours.keys()].map((n) => macroChunk(n, !enumOnly.has(n)));
    const { stdout } = runC(chunks);
    const theirs = parseNameValues(stdout);
    const mismatches: string[] = [];
    for (const [name, want] of theirs) {
      const got = ours.get(name)!;
      if (got.value !== want) mismatches.push(`${got.from}.${name}: got ${got.value}, want ${want}`);
    }
    expect(mismatches, mismatches.join('\n')).to.deep.equal([]);
    if (process.env['KEMU_ABI_VERBOSE']) console.log(`compared ${theirs.size} of ${ours.size} names`);
    // The comparison means something only if most names were found.
    expect(theirs.size, `only ${theirs.size} names compared`).to.be.greaterThan(600);
  });

  it('lays out struct stat, statx, utsname and friends as offsetof/sizeof say', function () {
    const layouts: Array<[string, Record<string, number>, string[]]> = [
      ['stat', stat.STAT, ['st_dev', 'st_ino', 'st_nlink', 'st_mode', 'st_uid', 'st_gid', 'st_rdev',
        'st_size', 'st_blksize', 'st_blocks']],
      ['statx', stat.STATX, ['stx_mask', 'stx_blksize', 'stx_attributes', 'stx_nlink', 'stx_uid',
        'stx_gid', 'stx_mode', 'stx_ino', 'stx_size', 'stx_blocks', 'stx_attributes_mask', 'stx_atime',
        'stx_btime', 'stx_ctime', 'stx_mtime', 'stx_rdev_major', 'stx_rdev_minor', 'stx_dev_major',
        'stx_dev_minor', 'stx_mnt_id', 'stx_dio_mem_align', 'stx_dio_offset_align']],
      ['utsname', misc.UTSNAME, ['sysname', 'nodename', 'release', 'version', 'machine', 'domainname']],
      ['iovec', misc.IOVEC, ['iov_base', 'iov_len']],
      ['pollfd', misc.POLLFD, ['fd', 'events', 'revents']],
      ['timespec', misc.TIMESPEC, ['tv_sec', 'tv_nsec']],
      ['timeval', misc.TIMEVAL, ['tv_sec', 'tv_usec']],
      ['tms', misc.TMS, ['tms_utime', 'tms_stime', 'tms_cutime', 'tms_cstime']],
      ['sysinfo', misc.SYSINFO, ['uptime', 'loads', 'totalram', 'freeram', 'sharedram', 'bufferram', 'totalswap',
        'freeswap', 'procs', 'totalhigh', 'freehigh', 'mem_unit']],
      ['winsize', ioctl.WINSIZE, ['ws_row', 'ws_col', 'ws_xpixel', 'ws_ypixel']],
      ['rlimit', processAbi.RLIMIT_STRUCT, ['rlim_cur', 'rlim_max']],
      ['Elf64_Ehdr', elf.ELF64_EHDR, Object.keys(elf.ELF64_EHDR)],
      ['Elf64_Phdr', elf.ELF64_PHDR, Object.keys(elf.ELF64_PHDR)],
      ['Elf64_Shdr', elf.ELF64_SHDR, Object.keys(elf.ELF64_SHDR)],
    ];
    const chunks: string[] = [];
    const want = new Map<string, number>();
    for (const [struct, offsets, fields] of layouts) {
      const type = struct.startsWith('Elf') ? struct : `struct ${struct}`;
      for (const f of fields) {
        chunks.push(`printf("%s %zu\\n", "${struct}.${f}", offsetof(${type}, ${f}));`);
        want.set(`${struct}.${f}`, offsets[f]!);
      }
      if ('size' in offsets) {
        chunks.push(`printf("%s %zu\\n", "${struct}.size", sizeof(${type}));`);
        want.set(`${struct}.size`, offsets['size']!);
      }
    }
    for (const [name, size] of [['rusage', processAbi.SIZEOF_RUSAGE], ['sysinfo', misc.SIZEOF_SYSINFO]] as const) {
      chunks.push(`printf("%s %zu\\n", "${name}.size", sizeof(struct ${name}));`);
      want.set(`${name}.size`, size);
    }
    const { stdout, kept } = runC(chunks);
    expect(kept.length, 'every offsetof compiled').to.equal(chunks.length);
    const got = parseNameValues(stdout);
    for (const [key, w] of want) expect(Number(got.get(key)), key).to.equal(w);
  });

  it('gives glibc strerror() text for errno 0..140', function () {
    const chunks = [];
    for (let e = 0; e <= 140; e++) chunks.push(`printf("%d\\t%s\\n", ${e}, strerror(${e}));`);
    const { stdout } = runC(chunks);
    for (const line of stdout.trim().split('\n')) {
      const [e, text] = line.split('\t');
      expect(errno.strerror(Number(e)), `strerror(${e})`).to.equal(text);
    }
  });

  it('gives glibc strsignal() text for signals 1..64', function () {
    const chunks = [];
    for (let s = 1; s <= 64; s++) chunks.push(`printf("%d\\t%s\\n", ${s}, strsignal(${s}));`);
    const { stdout } = runC(chunks);
    for (const line of stdout.trim().split('\n')) {
      const [s, text] = line.split('\t');
      expect(signal.strsignal(Number(s)), `strsignal(${s})`).to.equal(text);
    }
  });
});
