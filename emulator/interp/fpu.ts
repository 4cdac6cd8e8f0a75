/**
 * x87 register stack state. Registers hold exact 80-bit values (f80.ts):
 * `se` is sign and biased exponent, `m` the 64-bit significand, so FXSAVE
 * images and fld/fstp m80 move bits without conversion.
 */

import { FCW_INITIAL } from '../regs.js';
import type { F80 } from './f80.js';

export class Fpu {
  /** Physical registers R0-R7 (ST(i) is R[(top + i) & 7]). */
  readonly se = new Uint16Array(8);
  private readonly mBuf = new ArrayBuffer(64);
  readonly m = new BigUint64Array(this.mBuf);
  /** The same significands as 32-bit words (MMX register n is md[2n], md[2n + 1]: ops/mmx.ts). */
  readonly md = new Uint32Array(this.mBuf);
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

  /**
   * ST(i). An empty register reads as the QNaN indefinite with IE and SF set
   * (stack underflow, masked response: SDM vol. 1 8.5.1.1).
   */
  get(i: number): F80 {
    const p = (this.top + i) & 7;
    if ((this.tags & (1 << p)) === 0) {
      this.sw |= 0x41;
      return { se: 0xffff, m: 0xc000000000000000n };
    }
    return { se: this.se[p]!, m: this.m[p]! };
  }

  set(i: number, v: F80): void {
    const p = (this.top + i) & 7;
    this.se[p] = v.se;
    this.m[p] = v.m;
    this.tags |= 1 << p;
  }

  /** Push; into a register still in use (stack overflow) the indefinite goes instead, IE, SF and C1 set; else C1 is cleared (SDM FLD). */
  push(v: F80): void {
    this.top = (this.top - 1) & 7;
    if ((this.tags & (1 << this.top)) !== 0) {
      this.sw |= 0x241;
      v = { se: 0xffff, m: 0xc000000000000000n };
    } else this.sw &= ~0x200;
    this.set(0, v);
  }

  pop(): void {
    this.tags &= ~(1 << this.top);
    this.top = (this.top + 1) & 7;
  }

  /** Whether ST(i) is empty (for fxam). */
  empty(i: number): boolean {
    return (this.tags & (1 << ((this.top + i) & 7))) === 0;
  }

  /** fninit (and the end of fnsave): the data registers keep their contents, only tagged empty (SDM FINIT; checked natively). */
  reset(): void {
    this.top = 0;
    this.sw = 0;
    this.cw = FCW_INITIAL;
    this.tags = 0;
  }
}
