/**
 * bpfilter's wire format: Linux net/bpfilter/msgfmt.h (the same in 4.18
 * and 5.x) and the sockopt numbers of include/uapi/linux/bpfilter.h; plus
 * the debug commands of kemu's sample helper
 * (fixtures/bpfilter-umh/bpfilter-umh.c), which bpfilter never had.
 *
 * struct mbox_request { u64 addr; u32 len; u32 is_set; u32 cmd; u32 pid; }
 * is 24 bytes with no padding, in the host's byte order (little-endian on
 * x86-64); struct mbox_reply { u32 status; } is 4, a negative errno
 * carried in the u32.
 */

export const MBOX_REQUEST_SIZE = 24;
export const MBOX_REPLY_SIZE = 4;

/** include/uapi/linux/bpfilter.h: setsockopt names bpfilter takes, [64, BPFILTER_IPT_SET_MAX). */
export const BPFILTER_IPT_SO_SET_REPLACE = 64;
export const BPFILTER_IPT_SO_SET_ADD_COUNTERS = 65;
export const BPFILTER_IPT_SET_MAX = 66;
/** getsockopt names, [64, BPFILTER_IPT_GET_MAX). */
export const BPFILTER_IPT_SO_GET_INFO = 64;
export const BPFILTER_IPT_SO_GET_ENTRIES = 65;
export const BPFILTER_IPT_SO_GET_REVISION_MATCH = 66;
export const BPFILTER_IPT_SO_GET_REVISION_TARGET = 67;
export const BPFILTER_IPT_GET_MAX = 68;

/** The sample helper's debug commands (see its source for what each does). */
export const UMH_DEBUG = {
  SEGV: 0x7f01, EXIT: 0x7f02, COUNT: 0x7f03, ALLOC: 0x7f04, SPIN: 0x7f05, PID: 0x7f06,
  FDS: 0x7f07, ARGS: 0x7f08, SINK: 0x7f09, SOURCE: 0x7f0a, SIGDFL: 0x7f0b,
} as const;

/** Linux struct mbox_request. */
export interface MboxRequest {
  /** The caller's optval pointer, as an integer. */
  addr: bigint;
  len: number;
  /** 1 for setsockopt, 0 for getsockopt. */
  is_set: number;
  /** The sockopt name (0: the health check). */
  cmd: number;
  /** The calling task's pid (current->pid). */
  pid: number;
}

/** The 24 bytes of a request. */
export function encode_mbox_request(req: MboxRequest): Uint8Array {
  const b = new Uint8Array(MBOX_REQUEST_SIZE);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, BigInt.asUintN(64, req.addr), true);
  v.setUint32(8, req.len >>> 0, true);
  v.setUint32(12, req.is_set >>> 0, true);
  v.setUint32(16, req.cmd >>> 0, true);
  v.setUint32(20, req.pid >>> 0, true);
  return b;
}

/** A reply's status, read as the int it carries (so -ENOPROTOOPT comes back negative). */
export function decode_mbox_reply(b: Uint8Array): number {
  return new DataView(b.buffer, b.byteOffset, MBOX_REPLY_SIZE).getInt32(0, true);
}

/**
 * What the sample helper answers to a known sockopt: cmd << 20 | is_set
 * << 19 | (len ^ pid ^ addr's two halves) & 0x7ffff, every field showing.
 */
export function sample_known_reply(req: MboxRequest): number {
  const addr = BigInt.asUintN(64, req.addr);
  const mix = (req.len ^ req.pid ^ Number(addr & 0xffffffffn) ^ Number(addr >> 32n)) >>> 0;
  return ((req.cmd << 20) | ((req.is_set & 1) << 19) | (mix & 0x7ffff)) | 0;
}
