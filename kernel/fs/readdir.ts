/**
 * Reading directories: Linux fs/readdir.c (iterate_dir, filldir64,
 * filldir) over a directory's ->iterate cookies.
 *
 * f_pos is the cookie of the last entry handed out: "." is 1, ".." is 2,
 * and each entry carries its own (tmpfs keeps them stable while the name
 * exists, Linux 6.6+ simple_offset). The next call resumes after f_pos,
 * and lseek(fd, d_off, SEEK_SET) resumes after that entry (seekdir).
 */

import { EINVAL, ENOENT, ENOTDIR } from '../../abi/errno.js';
import { fs_umode_to_dtype, LINUX_DIRENT, LINUX_DIRENT64 } from '../../abi/stat.js';
import type { File } from './file.js';
import type { DirEntry } from './inode.js';

/** Which record layout: getdents64's struct linux_dirent64 or the old getdents's struct linux_dirent. */
export type DirentLayout = 'linux_dirent64' | 'linux_dirent';

const align8 = (n: number): number => (n + 7) & ~7;

/**
 * The entries of `f`'s directory. A directory whose filesystem must be
 * asked afresh (host directories, procfs) is listed once per pass, from
 * f_pos 0, so a long listing is not rebuilt for every getdents call.
 */
const passes = new WeakMap<File, DirEntry[]>();
function listing(f: File): DirEntry[] | number {
  if (!f.f_inode.i_sb.revalidate) return f.f_inode.iterate();
  const had = passes.get(f);
  if (had && f.f_pos > 0) return had;
  const list = f.f_inode.iterate();
  if (typeof list !== 'number') passes.set(f, list);
  return list;
}

/**
 * Linux iterate_dir() + filldir64(): as many records as fit in `count`
 * bytes, from f_pos on. Returns the bytes to copy out (empty at the end),
 * or -errno: ENOTDIR for a non-directory, ENOENT for a removed one,
 * EINVAL when not even one record fits.
 */
export function iterate_dir(f: File, count: number, layout: DirentLayout): Uint8Array | number {
  const inode = f.f_inode;
  if (!inode.isDir) return -ENOTDIR;
  if (inode.dead) return -ENOENT;
  const list = listing(f);
  if (typeof list === 'number') return list;
  const parent = f.f_dentry?.d_parent?.d_inode ?? inode;
  const all: DirEntry[] = [{ name: '.', inode, off: 1 }, { name: '..', inode: parent, off: 2 }, ...list];
  const out = new Uint8Array(Math.min(count, 1 << 20));
  let used = 0;
  for (const e of all) {
    if (e.off <= f.f_pos) continue;
    const name = Buffer.from(e.name, 'latin1');
    const reclen = layout === 'linux_dirent64'
      ? align8(LINUX_DIRENT64.d_name + name.length + 1)
      : align8(LINUX_DIRENT.d_name + name.length + 2);
    if (used + reclen > out.length) {
      if (used === 0) return -EINVAL; // the buffer cannot hold one record
      break;
    }
    const v = new DataView(out.buffer, used, reclen);
    e.inode.refresh();
    v.setBigUint64(0, BigInt(e.inode.i_ino), true);
    v.setBigInt64(8, BigInt(e.off), true);
    v.setUint16(16, reclen, true);
    const dtype = fs_umode_to_dtype(e.inode.i_mode);
    if (layout === 'linux_dirent64') {
      v.setUint8(LINUX_DIRENT64.d_type, dtype);
      out.set(name, used + LINUX_DIRENT64.d_name);
    } else {
      out.set(name, used + LINUX_DIRENT.d_name);
      v.setUint8(reclen - 1, dtype); // the old layout keeps d_type in the record's last byte
    }
    used += reclen;
    f.f_pos = e.off;
  }
  return out.subarray(0, used);
}
