/**
 * The x86-64 system call numbers (the "common" and "64" entries; the x32
 * entries 512..547 are not part of the 64-bit ABI).
 *
 * Linux arch/x86/entry/syscalls/syscall_64.tbl
 *
 * 0..450 were generated from this machine's asm/unistd_64.h; the later ones
 * from the table of Linux 6.19, each marked with the release that added it.
 * The host kernel (6.18) answers every number up to 469 and ENOSYS for 470.
 */

export const __NR_read = 0;
export const __NR_write = 1;
export const __NR_open = 2;
export const __NR_close = 3;
export const __NR_stat = 4;
export const __NR_fstat = 5;
export const __NR_lstat = 6;
export const __NR_poll = 7;
export const __NR_lseek = 8;
export const __NR_mmap = 9;
export const __NR_mprotect = 10;
export const __NR_munmap = 11;
export const __NR_brk = 12;
export const __NR_rt_sigaction = 13;
export const __NR_rt_sigprocmask = 14;
export const __NR_rt_sigreturn = 15;
export const __NR_ioctl = 16;
export const __NR_pread64 = 17;
export const __NR_pwrite64 = 18;
export const __NR_readv = 19;
export const __NR_writev = 20;
export const __NR_access = 21;
export const __NR_pipe = 22;
export const __NR_select = 23;
export const __NR_sched_yield = 24;
export const __NR_mremap = 25;
export const __NR_msync = 26;
export const __NR_mincore = 27;
export const __NR_madvise = 28;
export const __NR_shmget = 29;
export const __NR_shmat = 30;
export const __NR_shmctl = 31;
export const __NR_dup = 32;
export const __NR_dup2 = 33;
export const __NR_pause = 34;
export const __NR_nanosleep = 35;
export const __NR_getitimer = 36;
export const __NR_alarm = 37;
export const __NR_setitimer = 38;
export const __NR_getpid = 39;
export const __NR_sendfile = 40;
export const __NR_socket = 41;
export const __NR_connect = 42;
export const __NR_accept = 43;
export const __NR_sendto = 44;
export const __NR_recvfrom = 45;
export const __NR_sendmsg = 46;
export const __NR_recvmsg = 47;
export const __NR_shutdown = 48;
export const __NR_bind = 49;
export const __NR_listen = 50;
export const __NR_getsockname = 51;
export const __NR_getpeername = 52;
export const __NR_socketpair = 53;
export const __NR_setsockopt = 54;
export const __NR_getsockopt = 55;
export const __NR_clone = 56;
export const __NR_fork = 57;
export const __NR_vfork = 58;
export const __NR_execve = 59;
export const __NR_exit = 60;
export const __NR_wait4 = 61;
export const __NR_kill = 62;
export const __NR_uname = 63;
export const __NR_semget = 64;
export const __NR_semop = 65;
export const __NR_semctl = 66;
export const __NR_shmdt = 67;
export const __NR_msgget = 68;
export const __NR_msgsnd = 69;
export const __NR_msgrcv = 70;
export const __NR_msgctl = 71;
export const __NR_fcntl = 72;
export const __NR_flock = 73;
export const __NR_fsync = 74;
export const __NR_fdatasync = 75;
export const __NR_truncate = 76;
export const __NR_ftruncate = 77;
export const __NR_getdents = 78;
export const __NR_getcwd = 79;
export const __NR_chdir = 80;
export const __NR_fchdir = 81;
export const __NR_rename = 82;
export const __NR_mkdir = 83;
export const __NR_rmdir = 84;
export const __NR_creat = 85;
export const __NR_link = 86;
export const __NR_unlink = 87;
export const __NR_symlink = 88;
export const __NR_readlink = 89;
export const __NR_chmod = 90;
export const __NR_fchmod = 91;
export const __NR_chown = 92;
export const __NR_fchown = 93;
export const __NR_lchown = 94;
export const __NR_umask = 95;
export const __NR_gettimeofday = 96;
export const __NR_getrlimit = 97;
export const __NR_getrusage = 98;
export const __NR_sysinfo = 99;
export const __NR_times = 100;
export const __NR_ptrace = 101;
export const __NR_getuid = 102;
export const __NR_syslog = 103;
export const __NR_getgid = 104;
export const __NR_setuid = 105;
export const __NR_setgid = 106;
export const __NR_geteuid = 107;
export const __NR_getegid = 108;
export const __NR_setpgid = 109;
export const __NR_getppid = 110;
export const __NR_getpgrp = 111;
export const __NR_setsid = 112;
export const __NR_setreuid = 113;
export const __NR_setregid = 114;
export const __NR_getgroups = 115;
export const __NR_setgroups = 116;
export const __NR_setresuid = 117;
export const __NR_getresuid = 118;
export const __NR_setresgid = 119;
export const __NR_getresgid = 120;
export const __NR_getpgid = 121;
export const __NR_setfsuid = 122;
export const __NR_setfsgid = 123;
export const __NR_getsid = 124;
export const __NR_capget = 125;
export const __NR_capset = 126;
export const __NR_rt_sigpending = 127;
export const __NR_rt_sigtimedwait = 128;
export const __NR_rt_sigqueueinfo = 129;
export const __NR_rt_sigsuspend = 130;
export const __NR_sigaltstack = 131;
export const __NR_utime = 132;
export const __NR_mknod = 133;
export const __NR_uselib = 134;
export const __NR_personality = 135;
export const __NR_ustat = 136;
export const __NR_statfs = 137;
export const __NR_fstatfs = 138;
export const __NR_sysfs = 139;
export const __NR_getpriority = 140;
export const __NR_setpriority = 141;
export const __NR_sched_setparam = 142;
export const __NR_sched_getparam = 143;
export const __NR_sched_setscheduler = 144;
export const __NR_sched_getscheduler = 145;
export const __NR_sched_get_priority_max = 146;
export const __NR_sched_get_priority_min = 147;
export const __NR_sched_rr_get_interval = 148;
export const __NR_mlock = 149;
export const __NR_munlock = 150;
export const __NR_mlockall = 151;
export const __NR_munlockall = 152;
export const __NR_vhangup = 153;
export const __NR_modify_ldt = 154;
export const __NR_pivot_root = 155;
export const __NR__sysctl = 156;
export const __NR_prctl = 157;
export const __NR_arch_prctl = 158;
export const __NR_adjtimex = 159;
export const __NR_setrlimit = 160;
export const __NR_chroot = 161;
export const __NR_sync = 162;
export const __NR_acct = 163;
export const __NR_settimeofday = 164;
export const __NR_mount = 165;
export const __NR_umount2 = 166;
export const __NR_swapon = 167;
export const __NR_swapoff = 168;
export const __NR_reboot = 169;
export const __NR_sethostname = 170;
export const __NR_setdomainname = 171;
export const __NR_iopl = 172;
export const __NR_ioperm = 173;
export const __NR_create_module = 174;
export const __NR_init_module = 175;
export const __NR_delete_module = 176;
export const __NR_get_kernel_syms = 177;
export const __NR_query_module = 178;
export const __NR_quotactl = 179;
export const __NR_nfsservctl = 180;
export const __NR_getpmsg = 181;
export const __NR_putpmsg = 182;
export const __NR_afs_syscall = 183;
export const __NR_tuxcall = 184;
export const __NR_security = 185;
export const __NR_gettid = 186;
export const __NR_readahead = 187;
export const __NR_setxattr = 188;
export const __NR_lsetxattr = 189;
export const __NR_fsetxattr = 190;
export const __NR_getxattr = 191;
export const __NR_lgetxattr = 192;
export const __NR_fgetxattr = 193;
export const __NR_listxattr = 194;
export const __NR_llistxattr = 195;
export const __NR_flistxattr = 196;
export const __NR_removexattr = 197;
export const __NR_lremovexattr = 198;
export const __NR_fremovexattr = 199;
export const __NR_tkill = 200;
export const __NR_time = 201;
export const __NR_futex = 202;
export const __NR_sched_setaffinity = 203;
export const __NR_sched_getaffinity = 204;
export const __NR_set_thread_area = 205;
export const __NR_io_setup = 206;
export const __NR_io_destroy = 207;
export const __NR_io_getevents = 208;
export const __NR_io_submit = 209;
export const __NR_io_cancel = 210;
export const __NR_get_thread_area = 211;
export const __NR_lookup_dcookie = 212;
export const __NR_epoll_create = 213;
export const __NR_epoll_ctl_old = 214;
export const __NR_epoll_wait_old = 215;
export const __NR_remap_file_pages = 216;
export const __NR_getdents64 = 217;
export const __NR_set_tid_address = 218;
export const __NR_restart_syscall = 219;
export const __NR_semtimedop = 220;
export const __NR_fadvise64 = 221;
export const __NR_timer_create = 222;
export const __NR_timer_settime = 223;
export const __NR_timer_gettime = 224;
export const __NR_timer_getoverrun = 225;
export const __NR_timer_delete = 226;
export const __NR_clock_settime = 227;
export const __NR_clock_gettime = 228;
export const __NR_clock_getres = 229;
export const __NR_clock_nanosleep = 230;
export const __NR_exit_group = 231;
export const __NR_epoll_wait = 232;
export const __NR_epoll_ctl = 233;
export const __NR_tgkill = 234;
export const __NR_utimes = 235;
export const __NR_vserver = 236;
export const __NR_mbind = 237;
export const __NR_set_mempolicy = 238;
export const __NR_get_mempolicy = 239;
export const __NR_mq_open = 240;
export const __NR_mq_unlink = 241;
export const __NR_mq_timedsend = 242;
export const __NR_mq_timedreceive = 243;
export const __NR_mq_notify = 244;
export const __NR_mq_getsetattr = 245;
export const __NR_kexec_load = 246;
export const __NR_waitid = 247;
export const __NR_add_key = 248;
export const __NR_request_key = 249;
export const __NR_keyctl = 250;
export const __NR_ioprio_set = 251;
export const __NR_ioprio_get = 252;
export const __NR_inotify_init = 253;
export const __NR_inotify_add_watch = 254;
export const __NR_inotify_rm_watch = 255;
export const __NR_migrate_pages = 256;
export const __NR_openat = 257;
export const __NR_mkdirat = 258;
export const __NR_mknodat = 259;
export const __NR_fchownat = 260;
export const __NR_futimesat = 261;
export const __NR_newfstatat = 262;
export const __NR_unlinkat = 263;
export const __NR_renameat = 264;
export const __NR_linkat = 265;
export const __NR_symlinkat = 266;
export const __NR_readlinkat = 267;
export const __NR_fchmodat = 268;
export const __NR_faccessat = 269;
export const __NR_pselect6 = 270;
export const __NR_ppoll = 271;
export const __NR_unshare = 272;
export const __NR_set_robust_list = 273;
export const __NR_get_robust_list = 274;
export const __NR_splice = 275;
export const __NR_tee = 276;
export const __NR_sync_file_range = 277;
export const __NR_vmsplice = 278;
export const __NR_move_pages = 279;
export const __NR_utimensat = 280;
export const __NR_epoll_pwait = 281;
export const __NR_signalfd = 282;
export const __NR_timerfd_create = 283;
export const __NR_eventfd = 284;
export const __NR_fallocate = 285;
export const __NR_timerfd_settime = 286;
export const __NR_timerfd_gettime = 287;
export const __NR_accept4 = 288;
export const __NR_signalfd4 = 289;
export const __NR_eventfd2 = 290;
export const __NR_epoll_create1 = 291;
export const __NR_dup3 = 292;
export const __NR_pipe2 = 293;
export const __NR_inotify_init1 = 294;
export const __NR_preadv = 295;
export const __NR_pwritev = 296;
export const __NR_rt_tgsigqueueinfo = 297;
export const __NR_perf_event_open = 298;
export const __NR_recvmmsg = 299;
export const __NR_fanotify_init = 300;
export const __NR_fanotify_mark = 301;
export const __NR_prlimit64 = 302;
export const __NR_name_to_handle_at = 303;
export const __NR_open_by_handle_at = 304;
export const __NR_clock_adjtime = 305;
export const __NR_syncfs = 306;
export const __NR_sendmmsg = 307;
export const __NR_setns = 308;
export const __NR_getcpu = 309;
export const __NR_process_vm_readv = 310;
export const __NR_process_vm_writev = 311;
export const __NR_kcmp = 312;
export const __NR_finit_module = 313;
export const __NR_sched_setattr = 314;
export const __NR_sched_getattr = 315;
export const __NR_renameat2 = 316;
export const __NR_seccomp = 317;
export const __NR_getrandom = 318;
export const __NR_memfd_create = 319;
export const __NR_kexec_file_load = 320;
export const __NR_bpf = 321;
export const __NR_execveat = 322;
export const __NR_userfaultfd = 323;
export const __NR_membarrier = 324;
export const __NR_mlock2 = 325;
export const __NR_copy_file_range = 326;
export const __NR_preadv2 = 327;
export const __NR_pwritev2 = 328;
export const __NR_pkey_mprotect = 329;
export const __NR_pkey_alloc = 330;
export const __NR_pkey_free = 331;
export const __NR_statx = 332;
export const __NR_io_pgetevents = 333;
export const __NR_rseq = 334;
export const __NR_uretprobe = 335; // Linux 6.11
export const __NR_uprobe = 336; // Linux 6.16

// 337..423 are not allocated (syscall_64.tbl: "don't use numbers 387 through 423",
// on 32-bit arches 403..423 are the y2038 time64 calls; since 424 every arch
// shares the same numbers).
export const __NR_pidfd_send_signal = 424;
export const __NR_io_uring_setup = 425;
export const __NR_io_uring_enter = 426;
export const __NR_io_uring_register = 427;
export const __NR_open_tree = 428;
export const __NR_move_mount = 429;
export const __NR_fsopen = 430;
export const __NR_fsconfig = 431;
export const __NR_fsmount = 432;
export const __NR_fspick = 433;
export const __NR_pidfd_open = 434;
export const __NR_clone3 = 435;
export const __NR_close_range = 436;
export const __NR_openat2 = 437;
export const __NR_pidfd_getfd = 438;
export const __NR_faccessat2 = 439;
export const __NR_process_madvise = 440;
export const __NR_epoll_pwait2 = 441;
export const __NR_mount_setattr = 442;
export const __NR_quotactl_fd = 443;
export const __NR_landlock_create_ruleset = 444;
export const __NR_landlock_add_rule = 445;
export const __NR_landlock_restrict_self = 446;
export const __NR_memfd_secret = 447;
export const __NR_process_mrelease = 448;
export const __NR_futex_waitv = 449;
export const __NR_set_mempolicy_home_node = 450;
export const __NR_cachestat = 451; // Linux 6.5
export const __NR_fchmodat2 = 452; // Linux 6.6
export const __NR_map_shadow_stack = 453; // Linux 6.6
export const __NR_futex_wake = 454; // Linux 6.7
export const __NR_futex_wait = 455; // Linux 6.7
export const __NR_futex_requeue = 456; // Linux 6.7
export const __NR_statmount = 457; // Linux 6.8
export const __NR_listmount = 458; // Linux 6.8
export const __NR_lsm_get_self_attr = 459; // Linux 6.8
export const __NR_lsm_set_self_attr = 460; // Linux 6.8
export const __NR_lsm_list_modules = 461; // Linux 6.8
export const __NR_mseal = 462; // Linux 6.10
export const __NR_setxattrat = 463; // Linux 6.13
export const __NR_getxattrat = 464; // Linux 6.13
export const __NR_listxattrat = 465; // Linux 6.13
export const __NR_removexattrat = 466; // Linux 6.13
export const __NR_open_tree_attr = 467; // Linux 6.15
export const __NR_file_getattr = 468; // Linux 6.17
export const __NR_file_setattr = 469; // Linux 6.17
export const __NR_listns = 470; // Linux 6.19

/** One more than the largest syscall number in the table. */
export const NR_syscalls = 471;

/** Syscall names indexed by number; unallocated numbers are ''. */
export const SYSCALL_NAMES: readonly string[] = Object.freeze([
  "read", // 0
  "write", // 1
  "open", // 2
  "close", // 3
  "stat", // 4
  "fstat", // 5
  "lstat", // 6
  "poll", // 7
  "lseek", // 8
  "mmap", // 9
  "mprotect", // 10
  "munmap", // 11
  "brk", // 12
  "rt_sigaction", // 13
  "rt_sigprocmask", // 14
  "rt_sigreturn", // 15
  "ioctl", // 16
  "pread64", // 17
  "pwrite64", // 18
  "readv", // 19
  "writev", // 20
  "access", // 21
  "pipe", // 22
  "select", // 23
  "sched_yield", // 24
  "mremap", // 25
  "msync", // 26
  "mincore", // 27
  "madvise", // 28
  "shmget", // 29
  "shmat", // 30
  "shmctl", // 31
  "dup", // 32
  "dup2", // 33
  "pause", // 34
  "nanosleep", // 35
  "getitimer", // 36
  "alarm", // 37
  "setitimer", // 38
  "getpid", // 39
  "sendfile", // 40
  "socket", // 41
  "connect", // 42
  "accept", // 43
  "sendto", // 44
  "recvfrom", // 45
  "sendmsg", // 46
  "recvmsg", // 47
  "shutdown", // 48
  "bind", // 49
  "listen", // 50
  "getsockname", // 51
  "getpeername", // 52
  "socketpair", // 53
  "setsockopt", // 54
  "getsockopt", // 55
  "clone", // 56
  "fork", // 57
  "vfork", // 58
  "execve", // 59
  "exit", // 60
  "wait4", // 61
  "kill", // 62
  "uname", // 63
  "semget", // 64
  "semop", // 65
  "semctl", // 66
  "shmdt", // 67
  "msgget", // 68
  "msgsnd", // 69
  "msgrcv", // 70
  "msgctl", // 71
  "fcntl", // 72
  "flock", // 73
  "fsync", // 74
  "fdatasync", // 75
  "truncate", // 76
  "ftruncate", // 77
  "getdents", // 78
  "getcwd", // 79
  "chdir", // 80
  "fchdir", // 81
  "rename", // 82
  "mkdir", // 83
  "rmdir", // 84
  "creat", // 85
  "link", // 86
  "unlink", // 87
  "symlink", // 88
  "readlink", // 89
  "chmod", // 90
  "fchmod", // 91
  "chown", // 92
  "fchown", // 93
  "lchown", // 94
  "umask", // 95
  "gettimeofday", // 96
  "getrlimit", // 97
  "getrusage", // 98
  "sysinfo", // 99
  "times", // 100
  "ptrace", // 101
  "getuid", // 102
  "syslog", // 103
  "getgid", // 104
  "setuid", // 105
  "setgid", // 106
  "geteuid", // 107
  "getegid", // 108
  "setpgid", // 109
  "getppid", // 110
  "getpgrp", // 111
  "setsid", // 112
  "setreuid", // 113
  "setregid", // 114
  "getgroups", // 115
  "setgroups", // 116
  "setresuid", // 117
  "getresuid", // 118
  "setresgid", // 119
  "getresgid", // 120
  "getpgid", // 121
  "setfsuid", // 122
  "setfsgid", // 123
  "getsid", // 124
  "capget", // 125
  "capset", // 126
  "rt_sigpending", // 127
  "rt_sigtimedwait", // 128
  "rt_sigqueueinfo", // 129
  "rt_sigsuspend", // 130
  "sigaltstack", // 131
  "utime", // 132
  "mknod", // 133
  "uselib", // 134
  "personality", // 135
  "ustat", // 136
  "statfs", // 137
  "fstatfs", // 138
  "sysfs", // 139
  "getpriority", // 140
  "setpriority", // 141
  "sched_setparam", // 142
  "sched_getparam", // 143
  "sched_setscheduler", // 144
  "sched_getscheduler", // 145
  "sched_get_priority_max", // 146
  "sched_get_priority_min", // 147
  "sched_rr_get_interval", // 148
  "mlock", // 149
  "munlock", // 150
  "mlockall", // 151
  "munlockall", // 152
  "vhangup", // 153
  "modify_ldt", // 154
  "pivot_root", // 155
  "_sysctl", // 156
  "prctl", // 157
  "arch_prctl", // 158
  "adjtimex", // 159
  "setrlimit", // 160
  "chroot", // 161
  "sync", // 162
  "acct", // 163
  "settimeofday", // 164
  "mount", // 165
  "umount2", // 166
  "swapon", // 167
  "swapoff", // 168
  "reboot", // 169
  "sethostname", // 170
  "setdomainname", // 171
  "iopl", // 172
  "ioperm", // 173
  "create_module", // 174
  "init_module", // 175
  "delete_module", // 176
  "get_kernel_syms", // 177
  "query_module", // 178
  "quotactl", // 179
  "nfsservctl", // 180
  "getpmsg", // 181
  "putpmsg", // 182
  "afs_syscall", // 183
  "tuxcall", // 184
  "security", // 185
  "gettid", // 186
  "readahead", // 187
  "setxattr", // 188
  "lsetxattr", // 189
  "fsetxattr", // 190
  "getxattr", // 191
  "lgetxattr", // 192
  "fgetxattr", // 193
  "listxattr", // 194
  "llistxattr", // 195
  "flistxattr", // 196
  "removexattr", // 197
  "lremovexattr", // 198
  "fremovexattr", // 199
  "tkill", // 200
  "time", // 201
  "futex", // 202
  "sched_setaffinity", // 203
  "sched_getaffinity", // 204
  "set_thread_area", // 205
  "io_setup", // 206
  "io_destroy", // 207
  "io_getevents", // 208
  "io_submit", // 209
  "io_cancel", // 210
  "get_thread_area", // 211
  "lookup_dcookie", // 212
  "epoll_create", // 213
  "epoll_ctl_old", // 214
  "epoll_wait_old", // 215
  "remap_file_pages", // 216
  "getdents64", // 217
  "set_tid_address", // 218
  "restart_syscall", // 219
  "semtimedop", // 220
  "fadvise64", // 221
  "timer_create", // 222
  "timer_settime", // 223
  "timer_gettime", // 224
  "timer_getoverrun", // 225
  "timer_delete", // 226
  "clock_settime", // 227
  "clock_gettime", // 228
  "clock_getres", // 229
  "clock_nanosleep", // 230
  "exit_group", // 231
  "epoll_wait", // 232
  "epoll_ctl", // 233
  "tgkill", // 234
  "utimes", // 235
  "vserver", // 236
  "mbind", // 237
  "set_mempolicy", // 238
  "get_mempolicy", // 239
  "mq_open", // 240
  "mq_unlink", // 241
  "mq_timedsend", // 242
  "mq_timedreceive", // 243
  "mq_notify", // 244
  "mq_getsetattr", // 245
  "kexec_load", // 246
  "waitid", // 247
  "add_key", // 248
  "request_key", // 249
  "keyctl", // 250
  "ioprio_set", // 251
  "ioprio_get", // 252
  "inotify_init", // 253
  "inotify_add_watch", // 254
  "inotify_rm_watch", // 255
  "migrate_pages", // 256
  "openat", // 257
  "mkdirat", // 258
  "mknodat", // 259
  "fchownat", // 260
  "futimesat", // 261
  "newfstatat", // 262
  "unlinkat", // 263
  "renameat", // 264
  "linkat", // 265
  "symlinkat", // 266
  "readlinkat", // 267
  "fchmodat", // 268
  "faccessat", // 269
  "pselect6", // 270
  "ppoll", // 271
  "unshare", // 272
  "set_robust_list", // 273
  "get_robust_list", // 274
  "splice", // 275
  "tee", // 276
  "sync_file_range", // 277
  "vmsplice", // 278
  "move_pages", // 279
  "utimensat", // 280
  "epoll_pwait", // 281
  "signalfd", // 282
  "timerfd_create", // 283
  "eventfd", // 284
  "fallocate", // 285
  "timerfd_settime", // 286
  "timerfd_gettime", // 287
  "accept4", // 288
  "signalfd4", // 289
  "eventfd2", // 290
  "epoll_create1", // 291
  "dup3", // 292
  "pipe2", // 293
  "inotify_init1", // 294
  "preadv", // 295
  "pwritev", // 296
  "rt_tgsigqueueinfo", // 297
  "perf_event_open", // 298
  "recvmmsg", // 299
  "fanotify_init", // 300
  "fanotify_mark", // 301
  "prlimit64", // 302
  "name_to_handle_at", // 303
  "open_by_handle_at", // 304
  "clock_adjtime", // 305
  "syncfs", // 306
  "sendmmsg", // 307
  "setns", // 308
  "getcpu", // 309
  "process_vm_readv", // 310
  "process_vm_writev", // 311
  "kcmp", // 312
  "finit_module", // 313
  "sched_setattr", // 314
  "sched_getattr", // 315
  "renameat2", // 316
  "seccomp", // 317
  "getrandom", // 318
  "memfd_create", // 319
  "kexec_file_load", // 320
  "bpf", // 321
  "execveat", // 322
  "userfaultfd", // 323
  "membarrier", // 324
  "mlock2", // 325
  "copy_file_range", // 326
  "preadv2", // 327
  "pwritev2", // 328
  "pkey_mprotect", // 329
  "pkey_alloc", // 330
  "pkey_free", // 331
  "statx", // 332
  "io_pgetevents", // 333
  "rseq", // 334
  "uretprobe", // 335
  "uprobe", // 336
  "", // 337
  "", // 338
  "", // 339
  "", // 340
  "", // 341
  "", // 342
  "", // 343
  "", // 344
  "", // 345
  "", // 346
  "", // 347
  "", // 348
  "", // 349
  "", // 350
  "", // 351
  "", // 352
  "", // 353
  "", // 354
  "", // 355
  "", // 356
  "", // 357
  "", // 358
  "", // 359
  "", // 360
  "", // 361
  "", // 362
  "", // 363
  "", // 364
  "", // 365
  "", // 366
  "", // 367
  "", // 368
  "", // 369
  "", // 370
  "", // 371
  "", // 372
  "", // 373
  "", // 374
  "", // 375
  "", // 376
  "", // 377
  "", // 378
  "", // 379
  "", // 380
  "", // 381
  "", // 382
  "", // 383
  "", // 384
  "", // 385
  "", // 386
  "", // 387
  "", // 388
  "", // 389
  "", // 390
  "", // 391
  "", // 392
  "", // 393
  "", // 394
  "", // 395
  "", // 396
  "", // 397
  "", // 398
  "", // 399
  "", // 400
  "", // 401
  "", // 402
  "", // 403
  "", // 404
  "", // 405
  "", // 406
  "", // 407
  "", // 408
  "", // 409
  "", // 410
  "", // 411
  "", // 412
  "", // 413
  "", // 414
  "", // 415
  "", // 416
  "", // 417
  "", // 418
  "", // 419
  "", // 420
  "", // 421
  "", // 422
  "", // 423
  "pidfd_send_signal", // 424
  "io_uring_setup", // 425
  "io_uring_enter", // 426
  "io_uring_register", // 427
  "open_tree", // 428
  "move_mount", // 429
  "fsopen", // 430
  "fsconfig", // 431
  "fsmount", // 432
  "fspick", // 433
  "pidfd_open", // 434
  "clone3", // 435
  "close_range", // 436
  "openat2", // 437
  "pidfd_getfd", // 438
  "faccessat2", // 439
  "process_madvise", // 440
  "epoll_pwait2", // 441
  "mount_setattr", // 442
  "quotactl_fd", // 443
  "landlock_create_ruleset", // 444
  "landlock_add_rule", // 445
  "landlock_restrict_self", // 446
  "memfd_secret", // 447
  "process_mrelease", // 448
  "futex_waitv", // 449
  "set_mempolicy_home_node", // 450
  "cachestat", // 451
  "fchmodat2", // 452
  "map_shadow_stack", // 453
  "futex_wake", // 454
  "futex_wait", // 455
  "futex_requeue", // 456
  "statmount", // 457
  "listmount", // 458
  "lsm_get_self_attr", // 459
  "lsm_set_self_attr", // 460
  "lsm_list_modules", // 461
  "mseal", // 462
  "setxattrat", // 463
  "getxattrat", // 464
  "listxattrat", // 465
  "removexattrat", // 466
  "open_tree_attr", // 467
  "file_getattr", // 468
  "file_setattr", // 469
  "listns", // 470
]);

/**
 * Numbers that have a name in the table but no entry point (or
 * sys_ni_syscall): real Linux answers them with ENOSYS.
 */
export const SYSCALLS_WITHOUT_ENTRY: ReadonlySet<number> = new Set([
  134, // uselib
  156, // _sysctl (sys_ni_syscall since 5.5)
  174, // create_module
  177, // get_kernel_syms
  178, // query_module
  180, // nfsservctl
  181, // getpmsg
  182, // putpmsg
  183, // afs_syscall
  184, // tuxcall
  185, // security
  205, // set_thread_area (32-bit only)
  211, // get_thread_area (32-bit only)
  212, // lookup_dcookie (removed in 6.10)
  214, // epoll_ctl_old
  215, // epoll_wait_old
  236, // vserver
]);

/** The name of syscall nr ('read' for 0), or 'syscall_<nr>' as strace prints unknown ones. */
export function syscallName(nr: number): string {
  const name = Number.isInteger(nr) && nr >= 0 ? SYSCALL_NAMES[nr] : undefined;
  return name ? name : `syscall_${nr}`;
}

const SYSCALL_NUMBERS: ReadonlyMap<string, number> = new Map(
  SYSCALL_NAMES.flatMap((name, nr) => (name ? [[name, nr] as [string, number]] : [])),
);

/** The number of the syscall called name ('read' -> 0), or -1. */
export function syscallNumber(name: string): number {
  return SYSCALL_NUMBERS.get(name) ?? -1;
}
