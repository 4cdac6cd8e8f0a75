/**
 * memfd: Linux mm/memfd.c. An anonymous tmpfs file on the kernel's
 * internal shm mount (shm_mnt, mounted nowhere a path can reach): it has
 * no name in any directory, lives while it is open or mapped, can be
 * exec'd through its fd, and its path reads "/memfd:NAME (deleted)".
 * Sealing (F_ADD_SEALS, F_GET_SEALS) is here too: fcntl calls
 * memfd_fcntl.
 */

import { EINVAL, EPERM } from '../../abi/errno.js';
import {
  F_ADD_SEALS, F_GET_SEALS, F_SEAL_EXEC, F_SEAL_FUTURE_WRITE, F_SEAL_GROW, F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_WRITE,
  O_LARGEFILE, O_RDWR, S_IRWXUGO,
} from '../../abi/fcntl.js';
import { MFD_ALLOW_SEALING, MFD_EXEC, MFD_HUGETLB, MFD_NOEXEC_SEAL } from '../../abi/misc.js';
import type { KernelProfile } from '../profile.js';
import { Dentry } from './dcache.js';
import { File, FMODE_READ, FMODE_WRITE } from './file.js';
import { newSuperBlock } from './inode.js';
import type { Cred } from './namei.js';
import { TmpfsFile } from './tmpfs.js';

/** Linux mm/memfd.c MFD_NAME_MAX_LEN: NAME_MAX minus the "memfd:" prefix. */
export const MFD_NAME_MAX_LEN = 255 - 'memfd:'.length;

/** The kernel-internal tmpfs behind memfd (Linux shm_mnt). */
const shm_sb = newSuperBlock('tmpfs');

/**
 * The flag checks memfd_create makes before it reads the name (EINVAL).
 * The profile's memfdFlags is Linux's MFD_ALL_FLAGS (hugetlb size bits are
 * refused here: kemu has no hugetlbfs).
 */
export function memfd_check_flags(flags: number, profile: KernelProfile): number {
  if (flags & ~profile.memfdFlags) return -EINVAL;
  if (flags & MFD_HUGETLB) return -EINVAL;
  if ((flags & MFD_EXEC) && (flags & MFD_NOEXEC_SEAL)) return -EINVAL;
  return 0;
}

/**
 * Linux memfd_create(): validate the flags and the name, then an unnamed
 * tmpfs file, open O_RDWR. Returns the File (the caller installs it, with
 * close-on-exec for MFD_CLOEXEC) or -errno.
 */
export function memfd_create(name: string, flags: number, cred: Cred, profile: KernelProfile): File | number {
  const err = memfd_check_flags(flags, profile);
  if (err) return err;
  if (name.length > MFD_NAME_MAX_LEN) return -EINVAL;
  const inode = new TmpfsFile(shm_sb, S_IRWXUGO);
  inode.i_uid = cred.fsuid;
  inode.i_gid = cred.fsgid;
  inode.seals = flags & MFD_ALLOW_SEALING ? 0 : F_SEAL_SEAL;
  if (flags & MFD_NOEXEC_SEAL) {
    inode.i_mode &= ~0o111;
    inode.seals = F_SEAL_EXEC; // noexec sealing implies MFD_ALLOW_SEALING
  }
  const d = new Dentry(`memfd:${name}`, null, inode);
  d.d_dname = `/memfd:${name} (deleted)`;
  return new File(inode, O_RDWR | O_LARGEFILE, FMODE_READ | FMODE_WRITE, d.d_dname, d);
}

/**
 * Linux memfd_fcntl(): F_GET_SEALS and F_ADD_SEALS on a tmpfs file
 * (EINVAL for any other kind). Adding needs a writable open file (EPERM),
 * known seal bits (EINVAL: the profile's F_ALL_SEALS), and no F_SEAL_SEAL
 * yet (EPERM).
 */
export function memfd_fcntl(file: File, cmd: number, arg: number, profile: KernelProfile): number {
  const inode = file.f_inode;
  if (!(inode instanceof TmpfsFile)) return -EINVAL;
  if (cmd === F_GET_SEALS) return inode.seals;
  if (cmd !== F_ADD_SEALS) return -EINVAL;
  if (!(file.f_mode & FMODE_WRITE)) return -EPERM;
  if (arg & ~profile.memfdSeals) return -EINVAL;
  if (inode.seals & F_SEAL_SEAL) return -EPERM;
  // F_SEAL_WRITE is EBUSY while shared writable mappings exist (mapping_deny_writable); kemu maps none.
  // Linux mm/memfd.c memfd_add_seals(): F_SEAL_EXEC on an executable file seals writes too (W^X).
  if ((arg & F_SEAL_EXEC) && (inode.i_mode & 0o111)) arg |= F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE;
  inode.seals |= arg;
  return 0;
}
