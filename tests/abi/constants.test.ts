/**
 * Spot checks of the smaller abi/ files. Numbers marked "checked natively"
 * were printed by gcc-compiled C on this machine (Linux 6.18, glibc 2.36);
 * native.test.ts re-checks all of them whenever gcc is present.
 */
import { expect } from 'chai';
import { AT_EXECFN, AT_HWCAP2, AT_MINSIGSTKSZ, AT_NULL, AT_RANDOM, AT_SYSINFO_EHDR, auxvName } from '../../abi/auxv.js';
import * as fcntl from '../../abi/fcntl.js';
import * as ioctl from '../../abi/ioctl.js';
import * as limits from '../../abi/limits.js';
import { ARCH_SET_FS, GRND_NONBLOCK, UTSNAME } from '../../abi/misc.js';
import { MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_GROWSDOWN, MAP_PRIVATE, PROT_EXEC } from '../../abi/mman.js';
import * as proc from '../../abi/process.js';
import * as sig from '../../abi/signal.js';
import { STAT, STATX, dev_major, dev_minor, fs_umode_to_dtype, new_encode_dev, DT_DIR } from '../../abi/stat.js';

describe('abi/fcntl', function () {
  it('has the x86-64 open flags and *at flags (checked natively)', function () {
    expect(fcntl.O_CLOEXEC).to.equal(0o2000000);
    expect(fcntl.O_DIRECTORY).to.equal(0o200000);
    expect(fcntl.O_NOFOLLOW).to.equal(0o400000);
    expect(fcntl.O_PATH).to.equal(0o10000000);
    expect(fcntl.O_TMPFILE).to.equal(0o20200000);
    expect(fcntl.AT_FDCWD).to.equal(-100);
    expect(fcntl.AT_EMPTY_PATH).to.equal(0x1000);
    expect(fcntl.AT_SYMLINK_NOFOLLOW).to.equal(0x100);
    expect([fcntl.F_DUPFD_CLOEXEC, fcntl.F_SETPIPE_SZ, fcntl.F_GETPIPE_SZ]).to.deep.equal([1030, 1031, 1032]);
  });

  it('classifies file modes', function () {
    expect(fcntl.S_ISREG(0o100755)).to.equal(true);
    expect(fcntl.S_ISDIR(0o100755)).to.equal(false);
    expect(fcntl.S_ISLNK(fcntl.S_IFLNK | 0o777)).to.equal(true);
    expect(fs_umode_to_dtype(fcntl.S_IFDIR | 0o755)).to.equal(DT_DIR);
  });
});

describe('abi/stat', function () {
  it('lays out struct stat in 144 bytes with st_size at 48 (checked natively)', function () {
    expect(STAT.size).to.equal(144);
    expect([STAT.st_nlink, STAT.st_mode, STAT.st_size, STAT.st_blocks, STAT.st_mtime]).to.deep.equal([16, 24, 48, 64, 88]);
    expect([STATX.size, STATX.stx_mode, STATX.stx_ino, STATX.stx_mtime]).to.deep.equal([256, 28, 32, 112]);
  });

  it('encodes dev_t as stat() reports it', function () {
    const dev = new_encode_dev(8, 1); // /dev/sda1
    expect(dev).to.equal(0x801);
    expect([dev_major(dev), dev_minor(dev)]).to.deep.equal([8, 1]);
    const big = new_encode_dev(259, 0x12345);
    expect([dev_major(big), dev_minor(big)]).to.deep.equal([259, 0x12345]);
  });
});

describe('abi/auxv', function () {
  it('has the Linux a_type values and names them', function () {
    expect([AT_NULL, AT_RANDOM, AT_HWCAP2, AT_EXECFN, AT_SYSINFO_EHDR, AT_MINSIGSTKSZ]).to.deep.equal([0, 25, 26, 31, 33, 51]);
    expect(auxvName(AT_RANDOM)).to.equal('AT_RANDOM');
    expect(auxvName(99)).to.equal('AT_?99');
  });
});

describe('abi/limits', function () {
  it('has the exec limits of both kernel profiles', function () {
    expect(limits.MAX_ARG_STRLEN).to.equal(131072);
    expect(limits.MAX_ARG_STRINGS).to.equal(0x7fffffff);
    expect(limits.BINPRM_BUF_SIZE_4_18).to.equal(128);
    expect(limits.BINPRM_BUF_SIZE_6_18).to.equal(256);
    expect([limits.PATH_MAX, limits.NAME_MAX, limits.PIPE_BUF, limits.TASK_COMM_LEN]).to.deep.equal([4096, 255, 4096, 16]);
  });

  it('puts the stack top and the PIE base where gdb shows them without ASLR', function () {
    expect(limits.STACK_TOP).to.equal(0x7ffffffff000n);
    expect(limits.ELF_ET_DYN_BASE).to.equal(0x555555554aaan);
    expect(limits.ELF_ET_DYN_BASE & limits.PAGE_MASK).to.equal(0x555555554000n);
  });
});

describe('abi/mman', function () {
  it('has the x86-64 mmap flags (checked natively)', function () {
    expect([PROT_EXEC, MAP_PRIVATE, MAP_ANONYMOUS, MAP_GROWSDOWN, MAP_FIXED_NOREPLACE])
      .to.deep.equal([4, 2, 0x20, 0x100, 0x100000]);
  });
});

describe('abi/signal', function () {
  it('has the x86 numbers and SA_RESTORER (checked natively)', function () {
    expect([sig.SIGKILL, sig.SIGSEGV, sig.SIGCHLD, sig.SIGSTOP, sig.SIGSYS]).to.deep.equal([9, 11, 17, 19, 31]);
    expect(sig.SA_RESTORER).to.equal(0x04000000);
    expect([sig.SIGRTMIN, sig.SIGRTMAX, sig._NSIG]).to.deep.equal([32, 64, 64]);
  });

  it('names signals as strace and describes them as strsignal', function () {
    expect(sig.signalName(11)).to.equal('SIGSEGV');
    expect(sig.signalName(29)).to.equal('SIGIO');
    expect(sig.signalName(32)).to.equal('SIGRTMIN');
    expect(sig.signalName(34)).to.equal('SIGRT_2');
    expect(sig.signalName(0)).to.equal('SIG?0');
    expect(sig.SIGNAL_DESCRIPTIONS[sig.SIGSEGV]).to.equal('Segmentation fault');
    expect(sig.strsignal(sig.SIGKILL)).to.equal('Killed');
    expect(sig.strsignal(34)).to.equal('Real-time signal 0');
    expect(sig.strsignal(32)).to.equal('Unknown signal 32');
  });

  it('classifies default actions as Linux does', function () {
    expect(sig.sig_kernel_coredump(sig.SIGSEGV)).to.equal(true);
    expect(sig.sig_kernel_coredump(sig.SIGTERM)).to.equal(false);
    expect(sig.sig_kernel_ignore(sig.SIGCHLD)).to.equal(true);
    expect(sig.sig_kernel_stop(sig.SIGTSTP)).to.equal(true);
    expect(sig.sig_kernel_only(sig.SIGKILL)).to.equal(true);
    expect(sig.sig_kernel_only(40)).to.equal(false);
    expect(sig.sigmask(64)).to.equal(1n << 63n);
  });
});

describe('abi/process', function () {
  it('encodes and decodes wait statuses like glibc', function () {
    const exited = proc.W_EXITCODE(3, 0);
    expect([proc.WIFEXITED(exited), proc.WEXITSTATUS(exited), proc.WIFSIGNALED(exited)]).to.deep.equal([true, 3, false]);
    const killed = sig.SIGSEGV | proc.WCOREFLAG;
    expect([proc.WIFSIGNALED(killed), proc.WTERMSIG(killed), proc.WCOREDUMP(killed)]).to.deep.equal([true, 11, true]);
    const stopped = proc.W_STOPCODE(sig.SIGSTOP);
    expect([proc.WIFSTOPPED(stopped), proc.WSTOPSIG(stopped), proc.WIFSIGNALED(stopped)]).to.deep.equal([true, 19, false]);
    expect(proc.WIFCONTINUED(proc.W_CONTINUED)).to.equal(true);
  });

  it('has the personality bits cleared on setuid exec', function () {
    expect(proc.ADDR_NO_RANDOMIZE).to.equal(0x0040000);
    expect(proc.PER_CLEAR_ON_SETID).to.equal(0x0040000 | 0x0400000 | 0x0200000 | 0x0100000);
  });
});

describe('abi/ioctl and misc', function () {
  it('encodes ioctl numbers with _IOC as asm-generic/ioctl.h does', function () {
    expect(ioctl._IOR('T', 0x2a, ioctl.TERMIOS2.size)).to.equal(ioctl.TCGETS2);
    expect(ioctl._IOW('T', 0x31, 4)).to.equal(ioctl.TIOCSPTLCK);
    expect(ioctl._IOC_SIZE(ioctl.TCGETS2)).to.equal(44);
    expect([ioctl.TCGETS, ioctl.TIOCGWINSZ, ioctl.FIONREAD]).to.deep.equal([0x5401, 0x5413, 0x541b]);
  });

  it('has arch_prctl codes, getrandom flags and the utsname size', function () {
    expect(ARCH_SET_FS).to.equal(0x1002);
    expect(GRND_NONBLOCK).to.equal(1);
    expect(UTSNAME.size).to.equal(390);
  });
});
