/**
 * ioctl request numbers for terminals, pipes and files, the _IOC encoding
 * they are built with, and the kernel's termios/winsize layouts.
 */

// Linux include/uapi/asm-generic/ioctl.h: request encoding (x86 uses these)
export const _IOC_NRBITS = 8;
export const _IOC_TYPEBITS = 8;
export const _IOC_SIZEBITS = 14;
export const _IOC_DIRBITS = 2;
export const _IOC_NRSHIFT = 0;
export const _IOC_TYPESHIFT = _IOC_NRSHIFT + _IOC_NRBITS;
export const _IOC_SIZESHIFT = _IOC_TYPESHIFT + _IOC_TYPEBITS;
export const _IOC_DIRSHIFT = _IOC_SIZESHIFT + _IOC_SIZEBITS;
export const _IOC_NONE = 0;
export const _IOC_WRITE = 1;
export const _IOC_READ = 2;

/** Build a request number; type is a character code ('T') or its value. */
export function _IOC(dir: number, type: string | number, nr: number, size: number): number {
  const t = typeof type === 'string' ? type.charCodeAt(0) : type;
  return ((dir << _IOC_DIRSHIFT) | (t << _IOC_TYPESHIFT) | (nr << _IOC_NRSHIFT) |
    (size << _IOC_SIZESHIFT)) >>> 0;
}
export const _IO = (type: string | number, nr: number): number => _IOC(_IOC_NONE, type, nr, 0);
export const _IOR = (type: string | number, nr: number, size: number): number =>
  _IOC(_IOC_READ, type, nr, size);
export const _IOW = (type: string | number, nr: number, size: number): number =>
  _IOC(_IOC_WRITE, type, nr, size);
export const _IOWR = (type: string | number, nr: number, size: number): number =>
  _IOC(_IOC_READ | _IOC_WRITE, type, nr, size);
export const _IOC_DIR = (nr: number): number => (nr >>> _IOC_DIRSHIFT) & 0x3;
export const _IOC_TYPE = (nr: number): number => (nr >>> _IOC_TYPESHIFT) & 0xff;
export const _IOC_NR = (nr: number): number => (nr >>> _IOC_NRSHIFT) & 0xff;
export const _IOC_SIZE = (nr: number): number => (nr >>> _IOC_SIZESHIFT) & 0x3fff;

// Linux include/uapi/asm-generic/ioctls.h (x86 uses the generic numbers)
export const TCGETS = 0x5401;
export const TCSETS = 0x5402;
export const TCSETSW = 0x5403;
export const TCSETSF = 0x5404;
export const TCGETA = 0x5405;
export const TCSETA = 0x5406;
export const TCSETAW = 0x5407;
export const TCSETAF = 0x5408;
export const TCSBRK = 0x5409;
export const TCXONC = 0x540a;
export const TCFLSH = 0x540b;
export const TIOCEXCL = 0x540c;
export const TIOCNXCL = 0x540d;
export const TIOCSCTTY = 0x540e;
export const TIOCGPGRP = 0x540f;
export const TIOCSPGRP = 0x5410;
export const TIOCOUTQ = 0x5411;
export const TIOCSTI = 0x5412;
export const TIOCGWINSZ = 0x5413;
export const TIOCSWINSZ = 0x5414;
export const TIOCMGET = 0x5415;
export const TIOCMBIS = 0x5416;
export const TIOCMBIC = 0x5417;
export const TIOCMSET = 0x5418;
/** Bytes available to read (pipes, sockets, ttys). */
export const FIONREAD = 0x541b;
export const TIOCINQ = FIONREAD;
export const TIOCLINUX = 0x541c;
export const TIOCCONS = 0x541d;
export const TIOCPKT = 0x5420;
export const FIONBIO = 0x5421;
export const TIOCNOTTY = 0x5422;
export const TIOCSETD = 0x5423;
export const TIOCGETD = 0x5424;
export const TCSBRKP = 0x5425;
export const TIOCSBRK = 0x5427;
export const TIOCCBRK = 0x5428;
export const TIOCGSID = 0x5429;
export const TCGETS2 = 0x802c542a; // _IOR('T', 0x2A, struct termios2)
export const TCSETS2 = 0x402c542b; // _IOW('T', 0x2B, struct termios2)
export const TIOCGPTN = 0x80045430; // _IOR('T', 0x30, unsigned int)
export const TIOCSPTLCK = 0x40045431; // _IOW('T', 0x31, int)
export const TIOCGPTPEER = 0x5441; // _IO('T', 0x41)
export const TIOCVHANGUP = 0x5437;
export const FIONCLEX = 0x5450;
export const FIOCLEX = 0x5451;
export const FIOASYNC = 0x5452;
export const FIOQSIZE = 0x5460;

// Linux include/uapi/linux/fs.h
export const FIGETBSZ = 0x2; // _IO(0x00, 2)

/**
 * The kernel's struct termios (36 bytes, NCCS 19) that TCGETS copies. glibc's
 * struct termios is bigger (60 bytes, NCCS 32, with speeds): glibc converts.
 * Linux include/uapi/asm-generic/termbits.h
 */
export const TERMIOS = Object.freeze({
  c_iflag: 0, c_oflag: 4, c_cflag: 8, c_lflag: 12, c_line: 16, c_cc: 17, size: 36,
});
export const NCCS = 19;
/** struct termios2 (TCGETS2): termios plus c_ispeed 36, c_ospeed 40. */
export const TERMIOS2 = Object.freeze({ ...TERMIOS, c_ispeed: 36, c_ospeed: 40, size: 44 });

/** struct winsize (TIOCGWINSZ): four u16. Linux include/uapi/asm-generic/termios.h */
export const WINSIZE = Object.freeze({ ws_row: 0, ws_col: 2, ws_xpixel: 4, ws_ypixel: 6, size: 8 });
