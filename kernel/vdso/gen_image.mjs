// Writes vdso_image.ts: the vDSO's bytes as base64, so the kernel maps it
// without reading files at boot.
import { readFileSync } from 'node:fs';
const bytes = readFileSync(process.argv[2]);
process.stdout.write(`/**
 * kemu's vDSO image, generated from vdso.S by \`make -C kernel/vdso\`; do not edit.
 * ${bytes.length} bytes.
 */
export const VDSO_IMAGE_BASE64 =
  '${bytes.toString('base64')}';
`);
