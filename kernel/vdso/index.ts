/**
 * The vDSO: Linux arch/x86/entry/vdso/vma.c arch_setup_additional_pages.
 * Every new image gets it mapped read+exec in the mmap area, and its
 * address as AT_SYSINFO_EHDR. The image is built from vdso.S (see the
 * Makefile) and embedded as base64 in vdso_image.ts.
 */

import { PROT_EXEC, PROT_READ } from '../../abi/mman.js';
import { PAGE_SIZE } from '../../abi/limits.js';
import type { MmStruct } from '../mm/mm_struct.js';
import { VDSO_IMAGE_BASE64 } from './vdso_image.js';

let image: Uint8Array | null = null;

function vdsoImage(): Uint8Array {
  image ??= new Uint8Array(Buffer.from(VDSO_IMAGE_BASE64, 'base64'));
  return image;
}

/** Map the vDSO into `mm`; returns its address, or -1 when no room is left. */
export function arch_setup_additional_pages(mm: MmStruct): number {
  const img = vdsoImage();
  const len = Math.ceil(img.length / PAGE_SIZE) * PAGE_SIZE;
  const addr = mm.get_unmapped_area(0, len);
  if (addr < 0) return -1;
  const host = new Uint8Array(len);
  host.set(img);
  mm.mapFixed({ start: addr, len, prot: PROT_READ | PROT_EXEC, name: '[vdso]' }, host);
  return addr;
}
