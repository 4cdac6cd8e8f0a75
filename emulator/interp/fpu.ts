/**
 * x87 register stack and the conversions of its 80-bit extended format.
 *
 * KNOWN LIMITATION: the eight ST registers are held as float64, not as
 * 80-bit extended precision. Values keep 53 bits of mantissa and the float64
 * exponent range; loads and stores of the 80-bit format (fld/fstp m80,
 * fxsave) convert, rounding to nearest. Code that depends on the extra
 * precision of `long double` (some libm routines, printf of long double
 * values beyond double precision) gives results a real CPU would not.
 */

import { FCW_INITIAL } from '../regs.js';

export class Fpu {
  /** Physical registers R0-R7 (ST(i) is R[(top + i) & 7]). */
  readonly st = new Float64Array(8);
  /** Top-of-stack pointer (FSW bits 13:11). */
  top = 0;
  /** Status word without TOP. */
  sw = 0;
  cw = FCW_INITIAL;
  /** Bit i set when physical register i is valid (the FXSAVE abridged tag). */
  tags = 0;

  /** FSW as fnstsw reports it, with TOP in bits 13:11. */
  get fsw(): number {
    return (this.sw & ~0x3800) | ((this.top & 7) << 11);
  }

  set fsw(v: number) {
    this.top = (v >> 11) & 7;
    this.sw = v & ~0x3800;
  }

  reset(): void {
    this.st.fill(0);
    this.top = 0;
    this.sw = 0;
    this.cw = FCW_INITIAL;
    this.tags = 0;
  }
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Write `x` as an 80-bit extended value at `out[off..off+10)`. */
export function writeExt80(x: number, out: Uint8Array, off: number): void {
  f64[0] = x;
  const lo = u32[0]!, hi = u32[1]!;
  const sign = hi >>> 31;
  let e = (hi >>> 20) & 0x7ff;
  let fhi = hi & 0xfffff, flo = lo;
  let mhi: number, mlo: number, ex: number;
  if (e === 0 && fhi === 0 && flo === 0) {
    mhi = 0; mlo = 0; ex = 0;
  } else if (e === 0x7ff) {
    ex = 0x7fff;
    mhi = (0x80000000 | (fhi << 11) | (flo >>> 21)) >>> 0;
    mlo = (flo << 11) >>> 0;
  } else {
    if (e === 0) {
      // Denormal double: normalise (extended has the range for it).
      e = 1;
      while ((fhi & 0x100000) === 0) {
        fhi = (fhi << 1) | (flo >>> 31);
        flo = (flo << 1) >>> 0;
        e--;
      }
      fhi &= 0xfffff;
    }
    ex = e - 1023 + 16383;
    mhi = (0x80000000 | (fhi << 11) | (flo >>> 21)) >>> 0;
    mlo = (flo << 11) >>> 0;
  }
  const v = new DataView(out.buffer, out.byteOffset + off, 10);
  v.setUint32(0, mlo, true);
  v.setUint32(4, mhi, true);
  v.setUint16(8, (sign << 15) | ex, true);
}

/** Read an 80-bit extended value at `src[off..off+10)`, rounded to float64. */
export function readExt80(src: Uint8Array, off: number): number {
  const v = new DataView(src.buffer, src.byteOffset + off, 10);
  const mlo = v.getUint32(0, true), mhi = v.getUint32(4, true);
  const se = v.getUint16(8, true);
  const sign = se >> 15 ? -1 : 1;
  const ex = se & 0x7fff;
  if (ex === 0x7fff) {
    if ((mhi & 0x7fffffff) === 0 && mlo === 0) return sign * Infinity;
    return NaN;
  }
  if (mhi === 0 && mlo === 0) return sign * 0;
  // mantissa * 2^(ex - 16383 - 63); scale in two steps to avoid overflow of 2^k.
  const m = mhi * 4294967296 + mlo;
  const k = ex - 16383 - 63;
  return sign * m * Math.pow(2, Math.trunc(k / 2)) * Math.pow(2, k - Math.trunc(k / 2));
}
