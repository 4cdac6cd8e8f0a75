/**
 * Smaller groups: arch_prctl codes, clock ids, getrandom flags, poll events,
 * struct utsname and the common small structs (timespec, iovec, pollfd).
 */

// Linux arch/x86/include/uapi/asm/prctl.h
export const ARCH_SET_GS = 0x1001;
export const ARCH_SET_FS = 0x1002;
export const ARCH_GET_FS = 0x1003;
export const ARCH_GET_GS = 0x1004;
export const ARCH_GET_CPUID = 0x1011;
export const ARCH_SET_CPUID = 0x1012;
export const ARCH_GET_XCOMP_SUPP = 0x1021;
export const ARCH_GET_XCOMP_PERM = 0x1022;
export const ARCH_REQ_XCOMP_PERM = 0x1023;
export const ARCH_GET_XCOMP_GUEST_PERM = 0x1024;
export const ARCH_REQ_XCOMP_GUEST_PERM = 0x1025;
export const ARCH_XCOMP_TILECFG = 17;
export const ARCH_XCOMP_TILEDATA = 18;
export const ARCH_MAP_VDSO_X32 = 0x2001;
export const ARCH_MAP_VDSO_32 = 0x2002;
export const ARCH_MAP_VDSO_64 = 0x2003;
export const ARCH_GET_UNTAG_MASK = 0x4001;
export const ARCH_ENABLE_TAGGED_ADDR = 0x4002;
export const ARCH_GET_MAX_TAG_BITS = 0x4003;
export const ARCH_FORCE_TAGGED_SVA = 0x4004;
export const ARCH_SHSTK_ENABLE = 0x5001;
export const ARCH_SHSTK_DISABLE = 0x5002;
export const ARCH_SHSTK_LOCK = 0x5003;
export const ARCH_SHSTK_UNLOCK = 0x5004;
export const ARCH_SHSTK_STATUS = 0x5005;

// Linux include/uapi/linux/time.h
export const CLOCK_REALTIME = 0;
export const CLOCK_MONOTONIC = 1;
export const CLOCK_PROCESS_CPUTIME_ID = 2;
export const CLOCK_THREAD_CPUTIME_ID = 3;
export const CLOCK_MONOTONIC_RAW = 4;
export const CLOCK_REALTIME_COARSE = 5;
export const CLOCK_MONOTONIC_COARSE = 6;
export const CLOCK_BOOTTIME = 7;
export const CLOCK_REALTIME_ALARM = 8;
export const CLOCK_BOOTTIME_ALARM = 9;
export const CLOCK_TAI = 11;
export const MAX_CLOCKS = 16;
/** clock_nanosleep / timerfd_settime: the time is absolute. */
export const TIMER_ABSTIME = 0x01;

// Linux include/uapi/linux/random.h
export const GRND_NONBLOCK = 0x0001;
export const GRND_RANDOM = 0x0002;
export const GRND_INSECURE = 0x0004;

// Linux include/uapi/asm-generic/poll.h
export const POLLIN = 0x0001;
export const POLLPRI = 0x0002;
export const POLLOUT = 0x0004;
export const POLLERR = 0x0008;
export const POLLHUP = 0x0010;
export const POLLNVAL = 0x0020;
export const POLLRDNORM = 0x0040;
export const POLLRDBAND = 0x0080;
export const POLLWRNORM = 0x0100;
export const POLLWRBAND = 0x0200;
export const POLLMSG = 0x0400;
export const POLLREMOVE = 0x1000;
export const POLLRDHUP = 0x2000;

// Linux include/uapi/linux/eventfd.h, signalfd.h, timerfd.h, inotify.h,
// memfd.h, epoll.h: the creation flags are O_CLOEXEC / O_NONBLOCK bits
export const EFD_SEMAPHORE = 1;
export const EFD_CLOEXEC = 0o2000000;
export const EFD_NONBLOCK = 0o4000;
export const SFD_CLOEXEC = 0o2000000;
export const SFD_NONBLOCK = 0o4000;
export const TFD_CLOEXEC = 0o2000000;
export const TFD_NONBLOCK = 0o4000;
export const EPOLL_CLOEXEC = 0o2000000;
export const MFD_CLOEXEC = 0x0001;
export const MFD_ALLOW_SEALING = 0x0002;
export const MFD_HUGETLB = 0x0004;
export const MFD_NOEXEC_SEAL = 0x0008; // Linux 6.3
export const MFD_EXEC = 0x0010; // Linux 6.3

/**
 * struct new_utsname (uname(2)): six 65-byte NUL-terminated fields, 390
 * bytes. Linux include/uapi/linux/utsname.h
 */
export const NEW_UTS_FIELD_SIZE = 65;
export const UTSNAME = Object.freeze({
  sysname: 0, nodename: 65, release: 130, version: 195, machine: 260, domainname: 325,
  size: 390,
});

/** struct timespec / __kernel_timespec (16 bytes). Linux include/uapi/linux/time_types.h */
export const TIMESPEC = Object.freeze({ tv_sec: 0, tv_nsec: 8, size: 16 });
/** struct timeval (16 bytes). Linux include/uapi/linux/time.h */
export const TIMEVAL = Object.freeze({ tv_sec: 0, tv_usec: 8, size: 16 });
/** UTIME_NOW / UTIME_OMIT in tv_nsec for utimensat. Linux include/uapi/linux/stat.h */
export const UTIME_NOW = (1 << 30) - 1;
export const UTIME_OMIT = (1 << 30) - 2;
/** struct iovec (16 bytes). Linux include/uapi/linux/uio.h */
export const IOVEC = Object.freeze({ iov_base: 0, iov_len: 8, size: 16 });
/** struct pollfd (8 bytes). Linux include/uapi/asm-generic/poll.h */
export const POLLFD = Object.freeze({ fd: 0, events: 4, revents: 6, size: 8 });
/** struct tms for times(2): four clock_t. Linux include/uapi/linux/times.h */
export const TMS = Object.freeze({ tms_utime: 0, tms_stime: 8, tms_cutime: 16, tms_cstime: 24, size: 32 });
/** sizeof(struct sysinfo) on x86-64. Linux include/uapi/linux/sysinfo.h */
export const SIZEOF_SYSINFO = 112;
/** struct sysinfo's fields (loads is three unsigned longs). Linux include/uapi/linux/sysinfo.h */
export const SYSINFO = Object.freeze({
  uptime: 0, loads: 8, totalram: 32, freeram: 40, sharedram: 48, bufferram: 56, totalswap: 64, freeswap: 72,
  procs: 80, totalhigh: 88, freehigh: 96, mem_unit: 104, size: SIZEOF_SYSINFO,
});
/** Linux include/uapi/linux/sysinfo.h: loads are fixed point with 16 fraction bits. */
export const SI_LOAD_SHIFT = 16;
