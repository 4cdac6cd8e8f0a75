/**
 * Sockets are not built (kernel/README.md): no fd is ever a socket. The
 * calls that only ask about a socket fd still answer as Linux does for an
 * fd that is not one, because programs ask at startup (bash calls
 * getpeername on fd 0 to learn whether rshd started it): Linux
 * net/socket.c sockfd_lookup_light() gives EBADF for a closed fd and
 * ENOTSOCK for any other file, before the addresses are looked at.
 */

import { EBADF, ENOTSOCK } from '../../abi/errno.js';
import { __NR_getpeername, __NR_getsockname } from '../../abi/syscalls.js';
import type { Kernel } from '../kernel.js';
import type { Task } from '../task.js';
import { type SyscallArgs, type SyscallResult, type SyscallRow } from './types.js';

/** Linux sockfd_lookup_light(): EBADF without a file, ENOTSOCK when it is not a socket (here: always). */
function sockfd_lookup_light(t: Task, fd: number): number {
  return t.files.get(fd) ? -ENOTSOCK : -EBADF;
}

/** Linux __sys_getsockname(): the fd is looked up before the address buffers. */
export function sys_getsockname(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  return sockfd_lookup_light(t, a.int(0));
}

/** Linux __sys_getpeername(): as getsockname. */
export function sys_getpeername(_k: Kernel, t: Task, a: SyscallArgs): SyscallResult {
  return sockfd_lookup_light(t, a.int(0));
}

/** This family's rows of the syscall table (see table.ts). */
export const SOCKET_SYSCALLS: readonly SyscallRow[] = [
  { nr: __NR_getsockname, handler: sys_getsockname, support: 'partial', note: 'no sockets: EBADF or ENOTSOCK', args: ['fd', 'ptr', 'ptr'] },
  { nr: __NR_getpeername, handler: sys_getpeername, support: 'partial', note: 'no sockets: EBADF or ENOTSOCK', args: ['fd', 'ptr', 'ptr'] },
];
