/**
 * shmem_kernel_file_setup(): Linux mm/shmem.c, the kernel's way to get a
 * tmpfs file of its own, as 4.18's fork_usermode_blob does for the blob.
 *
 * The file lives on the kernel-internal tmpfs (Linux shm_mnt, mounted
 * nowhere a path can reach); it is unlinked from the start (nlink 0,
 * clear_nlink in __shmem_file_setup), S_IFREG|0777, and open
 * FMODE_READ|FMODE_WRITE without a write reference (i_writecount stays 0,
 * so the exec that follows may deny writes). It lives while someone holds
 * it: the caller's reference, then the exec'd helper's exe_file.
 */

import { EINVAL, ENOMEM } from '../abi/errno.js';
import { O_LARGEFILE, O_RDWR, S_IRWXUGO } from '../abi/fcntl.js';
import { PAGE_SIZE } from '../abi/limits.js';
import { Dentry } from '../kernel/fs/dcache.js';
import { File, FMODE_READ, FMODE_WRITE } from '../kernel/fs/file.js';
import { newSuperBlock } from '../kernel/fs/inode.js';
import { TmpfsFile } from '../kernel/fs/tmpfs.js';
import type { Kernel } from '../kernel/kernel.js';

/** Linux include/linux/fs.h MAX_LFS_FILESIZE, within what a JS number holds exactly. */
const MAX_LFS_FILESIZE = Number.MAX_SAFE_INTEGER;

/** Linux mm/shmem.c shm_mnt: the internal tmpfs kernel files live on (one per kemu process, like Linux's one per boot). */
const shm_mnt = newSuperBlock('tmpfs');

/**
 * Linux 4.18 mm/shmem.c shmem_kernel_file_setup(name, size, flags) ->
 * __shmem_file_setup(shm_mnt, name, size, flags, S_PRIVATE).
 *
 * @param k     the kernel (its memory limit stands for shmem_acct_size's overcommit check)
 * @param name  the dentry name ("" for fork_usermode_blob)
 * @param size  i_size of the new file
 * @returns the open file (the caller owns its one reference and fputs it), or
 *   -EINVAL (size < 0 or > MAX_LFS_FILESIZE) or -ENOMEM (the size cannot be accounted)
 */
export function shmem_kernel_file_setup(k: Kernel, name: string, size: number, _flags = 0): File | number {
  // mm/shmem.c __shmem_file_setup: the size check, then shmem_acct_size, then the inode.
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_LFS_FILESIZE) return -EINVAL;
  // shmem_acct_size() without VM_NORESERVE: security_vm_enough_memory; kemu's
  // whole guest memory limit stands for the commit limit.
  if (Math.ceil(size / PAGE_SIZE) > k.memoryLimitPages) return -ENOMEM;
  const inode = new TmpfsFile(shm_mnt, S_IRWXUGO); // shmem_get_inode(sb, NULL, S_IFREG | S_IRWXUGO, 0, flags)
  inode.truncate(size); // inode->i_size = size
  inode.i_nlink = 0; // clear_nlink(inode): "It is unlinked"
  // d_alloc_pseudo with anon_ops: d_path is simple_dname's "/" name " (deleted)" [inferred for the exe link].
  const d = new Dentry(name, null, inode);
  d.d_dname = `/${name} (deleted)`;
  // alloc_file(FMODE_WRITE | FMODE_READ): no get_write_access, so i_writecount stays 0.
  return new File(inode, O_RDWR | O_LARGEFILE, FMODE_READ | FMODE_WRITE, d.d_dname, d);
}
