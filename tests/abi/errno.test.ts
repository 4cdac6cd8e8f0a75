/**
 * abi/errno.ts. Values marked "checked natively" were printed by a C program
 * compiled with gcc on Linux 6.18 / glibc 2.36 (native.test.ts re-checks every
 * one when gcc is present; these hold without it).
 */
import { expect } from 'chai';
import * as errno from '../../abi/errno.js';
import { E2BIG, EAGAIN, EHWPOISON, ELOOP, ENOENT, ENOEXEC, ENOSYS, ERESTARTSYS, EWOULDBLOCK,
  errnoName, strerror } from '../../abi/errno.js';

describe('abi/errno', function () {
  it('has the Linux x86-64 numbers (checked natively)', function () {
    expect([errno.EPERM, ENOENT, E2BIG, ENOEXEC, errno.EFAULT, errno.ETXTBSY, ENOSYS, ELOOP])
      .to.deep.equal([1, 2, 7, 8, 14, 26, 38, 40]);
    expect([errno.ENOTSUP, errno.EOPNOTSUPP, errno.ECANCELED, EHWPOISON]).to.deep.equal([95, 95, 125, 133]);
    expect(EWOULDBLOCK).to.equal(EAGAIN);
    expect(errno.EDEADLOCK).to.equal(errno.EDEADLK);
  });

  it('has the kernel-internal restart codes 512..516', function () {
    expect([ERESTARTSYS, errno.ERESTARTNOINTR, errno.ERESTARTNOHAND, errno.ENOIOCTLCMD,
      errno.ERESTART_RESTARTBLOCK]).to.deep.equal([512, 513, 514, 515, 516]);
  });

  it('names every errno 1..133 except the holes at 41 and 58', function () {
    for (let e = 1; e <= 133; e++) {
      const name = errnoName(e);
      if (e === 41 || e === 58) expect(name, `errno ${e}`).to.equal(`E?${e}`);
      else expect((errno as Record<string, unknown>)[name], `${name} is ${e}`).to.equal(e);
    }
  });

  it('names canonical values, negated values, internal codes and unknowns', function () {
    expect(errnoName(ENOENT)).to.equal('ENOENT');
    expect(errnoName(-ENOEXEC)).to.equal('ENOEXEC');
    expect(errnoName(EAGAIN)).to.equal('EAGAIN');
    expect(errnoName(ERESTARTSYS)).to.equal('ERESTARTSYS');
    expect(errnoName(999)).to.equal('E?999');
    expect(errnoName(0)).to.equal('E?0');
  });

  it("gives glibc's strerror text (checked natively)", function () {
    expect(strerror(ENOENT)).to.equal('No such file or directory');
    expect(strerror(ENOEXEC)).to.equal('Exec format error');
    expect(strerror(E2BIG)).to.equal('Argument list too long');
    expect(strerror(errno.EACCES)).to.equal('Permission denied');
    expect(strerror(ELOOP)).to.equal('Too many levels of symbolic links');
    expect(strerror(errno.ETXTBSY)).to.equal('Text file busy');
    expect(strerror(0)).to.equal('Success');
    expect(strerror(41)).to.equal('Unknown error 41');
    expect(strerror(ERESTARTSYS)).to.equal('Unknown error 512');
    expect(strerror(-ENOENT)).to.equal('No such file or directory');
  });

  it('recognizes raw syscall returns that encode an error', function () {
    expect(errno.IS_ERR_VALUE(-ENOENT)).to.equal(true);
    expect(errno.IS_ERR_VALUE(-4095n)).to.equal(true);
    expect(errno.IS_ERR_VALUE(-4096)).to.equal(false);
    expect(errno.IS_ERR_VALUE(0)).to.equal(false);
  });
});
