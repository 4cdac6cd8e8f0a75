/**
 * Linux errno values for x86-64 (the generic numbering) and glibc's message
 * text for each. Guest-visible failures are these numbers, negated in RAX.
 *
 * Values and messages were generated from this machine's headers and glibc
 * 2.36 strerror() (see tests/abi/errno.test.ts, which re-checks natively).
 */

// Linux include/uapi/asm-generic/errno-base.h
export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EINTR = 4;
export const EIO = 5;
export const ENXIO = 6;
export const E2BIG = 7;
export const ENOEXEC = 8;
export const EBADF = 9;
export const ECHILD = 10;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const ENOTBLK = 15;
export const EBUSY = 16;
export const EEXIST = 17;
export const EXDEV = 18;
export const ENODEV = 19;
export const ENOTDIR = 20;
export const EISDIR = 21;
export const EINVAL = 22;
export const ENFILE = 23;
export const EMFILE = 24;
export const ENOTTY = 25;
export const ETXTBSY = 26;
export const EFBIG = 27;
export const ENOSPC = 28;
export const ESPIPE = 29;
export const EROFS = 30;
export const EMLINK = 31;
export const EPIPE = 32;
export const EDOM = 33;
export const ERANGE = 34;

// Linux include/uapi/asm-generic/errno.h
export const EDEADLK = 35;
export const ENAMETOOLONG = 36;
export const ENOLCK = 37;
export const ENOSYS = 38;
export const ENOTEMPTY = 39;
export const ELOOP = 40;
export const ENOMSG = 42;
export const EIDRM = 43;
export const ECHRNG = 44;
export const EL2NSYNC = 45;
export const EL3HLT = 46;
export const EL3RST = 47;
export const ELNRNG = 48;
export const EUNATCH = 49;
export const ENOCSI = 50;
export const EL2HLT = 51;
export const EBADE = 52;
export const EBADR = 53;
export const EXFULL = 54;
export const ENOANO = 55;
export const EBADRQC = 56;
export const EBADSLT = 57;
export const EBFONT = 59;
export const ENOSTR = 60;
export const ENODATA = 61;
export const ETIME = 62;
export const ENOSR = 63;
export const ENONET = 64;
export const ENOPKG = 65;
export const EREMOTE = 66;
export const ENOLINK = 67;
export const EADV = 68;
export const ESRMNT = 69;
export const ECOMM = 70;
export const EPROTO = 71;
export const EMULTIHOP = 72;
export const EDOTDOT = 73;
export const EBADMSG = 74;
export const EOVERFLOW = 75;
export const ENOTUNIQ = 76;
export const EBADFD = 77;
export const EREMCHG = 78;
export const ELIBACC = 79;
export const ELIBBAD = 80;
export const ELIBSCN = 81;
export const ELIBMAX = 82;
export const ELIBEXEC = 83;
export const EILSEQ = 84;
export const ERESTART = 85;
export const ESTRPIPE = 86;
export const EUSERS = 87;
export const ENOTSOCK = 88;
export const EDESTADDRREQ = 89;
export const EMSGSIZE = 90;
export const EPROTOTYPE = 91;
export const ENOPROTOOPT = 92;
export const EPROTONOSUPPORT = 93;
export const ESOCKTNOSUPPORT = 94;
export const EOPNOTSUPP = 95;
export const EPFNOSUPPORT = 96;
export const EAFNOSUPPORT = 97;
export const EADDRINUSE = 98;
export const EADDRNOTAVAIL = 99;
export const ENETDOWN = 100;
export const ENETUNREACH = 101;
export const ENETRESET = 102;
export const ECONNABORTED = 103;
export const ECONNRESET = 104;
export const ENOBUFS = 105;
export const EISCONN = 106;
export const ENOTCONN = 107;
export const ESHUTDOWN = 108;
export const ETOOMANYREFS = 109;
export const ETIMEDOUT = 110;
export const ECONNREFUSED = 111;
export const EHOSTDOWN = 112;
export const EHOSTUNREACH = 113;
export const EALREADY = 114;
export const EINPROGRESS = 115;
export const ESTALE = 116;
export const EUCLEAN = 117;
export const ENOTNAM = 118;
export const ENAVAIL = 119;
export const EISNAM = 120;
export const EREMOTEIO = 121;
export const EDQUOT = 122;
export const ENOMEDIUM = 123;
export const EMEDIUMTYPE = 124;
export const ECANCELED = 125;
export const ENOKEY = 126;
export const EKEYEXPIRED = 127;
export const EKEYREVOKED = 128;
export const EKEYREJECTED = 129;
export const EOWNERDEAD = 130;
export const ENOTRECOVERABLE = 131;
export const ERFKILL = 132;
export const EHWPOISON = 133;
export const EWOULDBLOCK = EAGAIN;
export const EDEADLOCK = EDEADLK;
/** glibc's alias (bits/errno.h); the kernel itself uses EOPNOTSUPP. */
export const ENOTSUP = EOPNOTSUPP;

/** The largest errno a guest can see (EHWPOISON). */
export const EMAX_USER = 133;
/** Linux include/linux/err.h: a syscall return in [-4095, -1] is an error. */
export const MAX_ERRNO = 4095;

// Linux include/linux/errno.h: kernel-internal, never seen by user space
// (the syscall-restart machinery turns them into EINTR or a restart).
export const ERESTARTSYS = 512;
export const ERESTARTNOINTR = 513;
/** Restart if no handler. */
export const ERESTARTNOHAND = 514;
/** No ioctl command: the ioctl layer turns it into ENOTTY. */
export const ENOIOCTLCMD = 515;
/** Restart by calling sys_restart_syscall. */
export const ERESTART_RESTARTBLOCK = 516;
/** Linux include/linux/errno.h: operation not supported (NFSv3 legacy, leaks to user space). */
export const ENOTSUPP = 524;

/** Names indexed by errno (1..133); holes at 41 and 58 are empty. */
const NAMES: readonly string[] = [
  "", // 0
  "EPERM", // 1
  "ENOENT", // 2
  "ESRCH", // 3
  "EINTR", // 4
  "EIO", // 5
  "ENXIO", // 6
  "E2BIG", // 7
  "ENOEXEC", // 8
  "EBADF", // 9
  "ECHILD", // 10
  "EAGAIN", // 11
  "ENOMEM", // 12
  "EACCES", // 13
  "EFAULT", // 14
  "ENOTBLK", // 15
  "EBUSY", // 16
  "EEXIST", // 17
  "EXDEV", // 18
  "ENODEV", // 19
  "ENOTDIR", // 20
  "EISDIR", // 21
  "EINVAL", // 22
  "ENFILE", // 23
  "EMFILE", // 24
  "ENOTTY", // 25
  "ETXTBSY", // 26
  "EFBIG", // 27
  "ENOSPC", // 28
  "ESPIPE", // 29
  "EROFS", // 30
  "EMLINK", // 31
  "EPIPE", // 32
  "EDOM", // 33
  "ERANGE", // 34
  "EDEADLK", // 35
  "ENAMETOOLONG", // 36
  "ENOLCK", // 37
  "ENOSYS", // 38
  "ENOTEMPTY", // 39
  "ELOOP", // 40
  "", // 41
  "ENOMSG", // 42
  "EIDRM", // 43
  "ECHRNG", // 44
  "EL2NSYNC", // 45
  "EL3HLT", // 46
  "EL3RST", // 47
  "ELNRNG", // 48
  "EUNATCH", // 49
  "ENOCSI", // 50
  "EL2HLT", // 51
  "EBADE", // 52
  "EBADR", // 53
  "EXFULL", // 54
  "ENOANO", // 55
  "EBADRQC", // 56
  "EBADSLT", // 57
  "", // 58
  "EBFONT", // 59
  "ENOSTR", // 60
  "ENODATA", // 61
  "ETIME", // 62
  "ENOSR", // 63
  "ENONET", // 64
  "ENOPKG", // 65
  "EREMOTE", // 66
  "ENOLINK", // 67
  "EADV", // 68
  "ESRMNT", // 69
  "ECOMM", // 70
  "EPROTO", // 71
  "EMULTIHOP", // 72
  "EDOTDOT", // 73
  "EBADMSG", // 74
  "EOVERFLOW", // 75
  "ENOTUNIQ", // 76
  "EBADFD", // 77
  "EREMCHG", // 78
  "ELIBACC", // 79
  "ELIBBAD", // 80
  "ELIBSCN", // 81
  "ELIBMAX", // 82
  "ELIBEXEC", // 83
  "EILSEQ", // 84
  "ERESTART", // 85
  "ESTRPIPE", // 86
  "EUSERS", // 87
  "ENOTSOCK", // 88
  "EDESTADDRREQ", // 89
  "EMSGSIZE", // 90
  "EPROTOTYPE", // 91
  "ENOPROTOOPT", // 92
  "EPROTONOSUPPORT", // 93
  "ESOCKTNOSUPPORT", // 94
  "EOPNOTSUPP", // 95
  "EPFNOSUPPORT", // 96
  "EAFNOSUPPORT", // 97
  "EADDRINUSE", // 98
  "EADDRNOTAVAIL", // 99
  "ENETDOWN", // 100
  "ENETUNREACH", // 101
  "ENETRESET", // 102
  "ECONNABORTED", // 103
  "ECONNRESET", // 104
  "ENOBUFS", // 105
  "EISCONN", // 106
  "ENOTCONN", // 107
  "ESHUTDOWN", // 108
  "ETOOMANYREFS", // 109
  "ETIMEDOUT", // 110
  "ECONNREFUSED", // 111
  "EHOSTDOWN", // 112
  "EHOSTUNREACH", // 113
  "EALREADY", // 114
  "EINPROGRESS", // 115
  "ESTALE", // 116
  "EUCLEAN", // 117
  "ENOTNAM", // 118
  "ENAVAIL", // 119
  "EISNAM", // 120
  "EREMOTEIO", // 121
  "EDQUOT", // 122
  "ENOMEDIUM", // 123
  "EMEDIUMTYPE", // 124
  "ECANCELED", // 125
  "ENOKEY", // 126
  "EKEYEXPIRED", // 127
  "EKEYREVOKED", // 128
  "EKEYREJECTED", // 129
  "EOWNERDEAD", // 130
  "ENOTRECOVERABLE", // 131
  "ERFKILL", // 132
  "EHWPOISON", // 133
];

/** glibc 2.36 strerror() text indexed by errno (1..133). */
const MESSAGES: readonly string[] = [
  "Success", // 0
  "Operation not permitted", // 1 EPERM
  "No such file or directory", // 2 ENOENT
  "No such process", // 3 ESRCH
  "Interrupted system call", // 4 EINTR
  "Input/output error", // 5 EIO
  "No such device or address", // 6 ENXIO
  "Argument list too long", // 7 E2BIG
  "Exec format error", // 8 ENOEXEC
  "Bad file descriptor", // 9 EBADF
  "No child processes", // 10 ECHILD
  "Resource temporarily unavailable", // 11 EAGAIN
  "Cannot allocate memory", // 12 ENOMEM
  "Permission denied", // 13 EACCES
  "Bad address", // 14 EFAULT
  "Block device required", // 15 ENOTBLK
  "Device or resource busy", // 16 EBUSY
  "File exists", // 17 EEXIST
  "Invalid cross-device link", // 18 EXDEV
  "No such device", // 19 ENODEV
  "Not a directory", // 20 ENOTDIR
  "Is a directory", // 21 EISDIR
  "Invalid argument", // 22 EINVAL
  "Too many open files in system", // 23 ENFILE
  "Too many open files", // 24 EMFILE
  "Inappropriate ioctl for device", // 25 ENOTTY
  "Text file busy", // 26 ETXTBSY
  "File too large", // 27 EFBIG
  "No space left on device", // 28 ENOSPC
  "Illegal seek", // 29 ESPIPE
  "Read-only file system", // 30 EROFS
  "Too many links", // 31 EMLINK
  "Broken pipe", // 32 EPIPE
  "Numerical argument out of domain", // 33 EDOM
  "Numerical result out of range", // 34 ERANGE
  "Resource deadlock avoided", // 35 EDEADLK
  "File name too long", // 36 ENAMETOOLONG
  "No locks available", // 37 ENOLCK
  "Function not implemented", // 38 ENOSYS
  "Directory not empty", // 39 ENOTEMPTY
  "Too many levels of symbolic links", // 40 ELOOP
  "Unknown error 41", // 41
  "No message of desired type", // 42 ENOMSG
  "Identifier removed", // 43 EIDRM
  "Channel number out of range", // 44 ECHRNG
  "Level 2 not synchronized", // 45 EL2NSYNC
  "Level 3 halted", // 46 EL3HLT
  "Level 3 reset", // 47 EL3RST
  "Link number out of range", // 48 ELNRNG
  "Protocol driver not attached", // 49 EUNATCH
  "No CSI structure available", // 50 ENOCSI
  "Level 2 halted", // 51 EL2HLT
  "Invalid exchange", // 52 EBADE
  "Invalid request descriptor", // 53 EBADR
  "Exchange full", // 54 EXFULL
  "No anode", // 55 ENOANO
  "Invalid request code", // 56 EBADRQC
  "Invalid slot", // 57 EBADSLT
  "Unknown error 58", // 58
  "Bad font file format", // 59 EBFONT
  "Device not a stream", // 60 ENOSTR
  "No data available", // 61 ENODATA
  "Timer expired", // 62 ETIME
  "Out of streams resources", // 63 ENOSR
  "Machine is not on the network", // 64 ENONET
  "Package not installed", // 65 ENOPKG
  "Object is remote", // 66 EREMOTE
  "Link has been severed", // 67 ENOLINK
  "Advertise error", // 68 EADV
  "Srmount error", // 69 ESRMNT
  "Communication error on send", // 70 ECOMM
  "Protocol error", // 71 EPROTO
  "Multihop attempted", // 72 EMULTIHOP
  "RFS specific error", // 73 EDOTDOT
  "Bad message", // 74 EBADMSG
  "Value too large for defined data type", // 75 EOVERFLOW
  "Name not unique on network", // 76 ENOTUNIQ
  "File descriptor in bad state", // 77 EBADFD
  "Remote address changed", // 78 EREMCHG
  "Can not access a needed shared library", // 79 ELIBACC
  "Accessing a corrupted shared library", // 80 ELIBBAD
  ".lib section in a.out corrupted", // 81 ELIBSCN
  "Attempting to link in too many shared libraries", // 82 ELIBMAX
  "Cannot exec a shared library directly", // 83 ELIBEXEC
  "Invalid or incomplete multibyte or wide character", // 84 EILSEQ
  "Interrupted system call should be restarted", // 85 ERESTART
  "Streams pipe error", // 86 ESTRPIPE
  "Too many users", // 87 EUSERS
  "Socket operation on non-socket", // 88 ENOTSOCK
  "Destination address required", // 89 EDESTADDRREQ
  "Message too long", // 90 EMSGSIZE
  "Protocol wrong type for socket", // 91 EPROTOTYPE
  "Protocol not available", // 92 ENOPROTOOPT
  "Protocol not supported", // 93 EPROTONOSUPPORT
  "Socket type not supported", // 94 ESOCKTNOSUPPORT
  "Operation not supported", // 95 EOPNOTSUPP
  "Protocol family not supported", // 96 EPFNOSUPPORT
  "Address family not supported by protocol", // 97 EAFNOSUPPORT
  "Address already in use", // 98 EADDRINUSE
  "Cannot assign requested address", // 99 EADDRNOTAVAIL
  "Network is down", // 100 ENETDOWN
  "Network is unreachable", // 101 ENETUNREACH
  "Network dropped connection on reset", // 102 ENETRESET
  "Software caused connection abort", // 103 ECONNABORTED
  "Connection reset by peer", // 104 ECONNRESET
  "No buffer space available", // 105 ENOBUFS
  "Transport endpoint is already connected", // 106 EISCONN
  "Transport endpoint is not connected", // 107 ENOTCONN
  "Cannot send after transport endpoint shutdown", // 108 ESHUTDOWN
  "Too many references: cannot splice", // 109 ETOOMANYREFS
  "Connection timed out", // 110 ETIMEDOUT
  "Connection refused", // 111 ECONNREFUSED
  "Host is down", // 112 EHOSTDOWN
  "No route to host", // 113 EHOSTUNREACH
  "Operation already in progress", // 114 EALREADY
  "Operation now in progress", // 115 EINPROGRESS
  "Stale file handle", // 116 ESTALE
  "Structure needs cleaning", // 117 EUCLEAN
  "Not a XENIX named type file", // 118 ENOTNAM
  "No XENIX semaphores available", // 119 ENAVAIL
  "Is a named type file", // 120 EISNAM
  "Remote I/O error", // 121 EREMOTEIO
  "Disk quota exceeded", // 122 EDQUOT
  "No medium found", // 123 ENOMEDIUM
  "Wrong medium type", // 124 EMEDIUMTYPE
  "Operation canceled", // 125 ECANCELED
  "Required key not available", // 126 ENOKEY
  "Key has expired", // 127 EKEYEXPIRED
  "Key has been revoked", // 128 EKEYREVOKED
  "Key was rejected by service", // 129 EKEYREJECTED
  "Owner died", // 130 EOWNERDEAD
  "State not recoverable", // 131 ENOTRECOVERABLE
  "Operation not possible due to RF-kill", // 132 ERFKILL
  "Memory page has hardware error", // 133 EHWPOISON
];

const INTERNAL_NAMES: Readonly<Record<number, string>> = {
  512: 'ERESTARTSYS',
  513: 'ERESTARTNOINTR',
  514: 'ERESTARTNOHAND',
  515: 'ENOIOCTLCMD',
  516: 'ERESTART_RESTARTBLOCK',
  524: 'ENOTSUPP',
};

/**
 * The Linux name of an errno: 'ENOENT' for 2. Accepts a negated value
 * (-2, as found in RAX) too. Kernel-internal codes get their kernel name
 * ('ERESTARTSYS'), as strace prints them; anything else is 'E?<n>'.
 */
export function errnoName(e: number): string {
  const n = Math.abs(e);
  if (Number.isInteger(n)) {
    const name = n < NAMES.length ? NAMES[n] : INTERNAL_NAMES[n];
    if (name) return name;
  }
  return `E?${e}`;
}

/**
 * glibc's strerror() text: 'No such file or directory' for ENOENT.
 * Accepts a negated value too. 0 is 'Success'; numbers glibc does not know,
 * including the kernel-internal ones, are 'Unknown error <n>' as in glibc.
 */
export function strerror(e: number): string {
  const n = Math.abs(e);
  if (Number.isInteger(n) && n < MESSAGES.length) return MESSAGES[n]!;
  return `Unknown error ${e}`;
}

/** True for a raw syscall return that encodes an error (-4095..-1). */
export function IS_ERR_VALUE(ret: number | bigint): boolean {
  const r = typeof ret === 'bigint' ? ret : BigInt(ret);
  return r < 0n && r >= -BigInt(MAX_ERRNO);
}
