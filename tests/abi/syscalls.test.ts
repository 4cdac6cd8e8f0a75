/**
 * abi/syscalls.ts. Spot values were checked natively (asm/unistd_64.h on
 * this machine; numbers past 450 by calling them on the Linux 6.18 host,
 * which answers all up to 469 and ENOSYS for 470).
 */
import { expect } from 'chai';
import * as sc from '../../abi/syscalls.js';
import { SYSCALL_NAMES, SYSCALLS_WITHOUT_ENTRY, syscallName, syscallNumber } from '../../abi/syscalls.js';

describe('abi/syscalls', function () {
  it('has the x86-64 numbers (checked natively)', function () {
    expect([sc.__NR_read, sc.__NR_write, sc.__NR_open, sc.__NR_mmap, sc.__NR_brk]).to.deep.equal([0, 1, 2, 9, 12]);
    expect([sc.__NR_clone, sc.__NR_fork, sc.__NR_vfork, sc.__NR_execve, sc.__NR_exit, sc.__NR_wait4])
      .to.deep.equal([56, 57, 58, 59, 60, 61]);
    expect([sc.__NR_arch_prctl, sc.__NR_exit_group, sc.__NR_openat, sc.__NR_newfstatat])
      .to.deep.equal([158, 231, 257, 262]);
    expect([sc.__NR_execveat, sc.__NR_statx, sc.__NR_rseq, sc.__NR_clone3, sc.__NR_faccessat2])
      .to.deep.equal([322, 332, 334, 435, 439]);
    expect([sc.__NR_mseal, sc.__NR_file_setattr]).to.deep.equal([462, 469]);
  });

  it('indexes SYSCALL_NAMES by number, with holes as empty strings', function () {
    expect(SYSCALL_NAMES[0]).to.equal('read');
    expect(SYSCALL_NAMES[59]).to.equal('execve');
    expect(SYSCALL_NAMES[400]).to.equal('');
    expect(SYSCALL_NAMES.length).to.equal(sc.NR_syscalls);
  });

  it('agrees with every __NR_ constant, both ways', function () {
    const consts = Object.entries(sc).filter(([k]) => k.startsWith('__NR_'));
    for (const [k, v] of consts) expect(SYSCALL_NAMES[v as number], k).to.equal(k.slice(5));
    expect(SYSCALL_NAMES.filter((n) => n !== '').length).to.equal(consts.length);
  });

  it('leaves 337..423 unallocated (reserved so numbers match across arches)', function () {
    for (let nr = 337; nr <= 423; nr++) expect(SYSCALL_NAMES[nr], `nr ${nr}`).to.equal('');
  });

  it('names numbers as strace does and looks names up', function () {
    expect(syscallName(59)).to.equal('execve');
    expect(syscallName(400)).to.equal('syscall_400');
    expect(syscallName(-1)).to.equal('syscall_-1');
    expect(syscallNumber('execveat')).to.equal(322);
    expect(syscallNumber('no_such_call')).to.equal(-1);
  });

  it('marks the table entries Linux never implements for x86-64', function () {
    expect(SYSCALLS_WITHOUT_ENTRY.has(134), 'uselib').to.equal(true);
    expect(SYSCALLS_WITHOUT_ENTRY.has(205), 'set_thread_area').to.equal(true);
    expect(SYSCALLS_WITHOUT_ENTRY.has(59), 'execve').to.equal(false);
  });
});
