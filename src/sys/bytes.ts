// Ground floor (sys): bytes ↔ JS strings without loss. To Linux, argv, the environment, paths
// and hostnames are bytes, not UTF-8. A byte that is not part of well-formed UTF-8 is carried
// as the lone surrogate U+DC80–U+DCFF (0x80–0xFF; ASCII is always well-formed) and written
// back as that byte, so `rm $'\xff'` inside the jail acts on the name it was given. Pure.

const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();
/** U+DC80 + (byte - 0x80) = 0xDC00 | byte for a byte 0x80–0xFF. */
const ESCAPE_BASE = 0xdc00;
const ESCAPE_FIRST = 0xdc80;
const ESCAPE_LAST = 0xdcff;
/** A UTF-16 code unit encodes to at most 3 UTF-8 bytes; an escape to 1. */
const MAX_BYTES_PER_UNIT = 3;

/**
 * Length of the well-formed UTF-8 sequence at `i` (RFC 3629), or 0. Excludes overlongs,
 * surrogates and code points above U+10FFFF, as the Unicode table 3-7 does.
 */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  let n: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) n = 1;
  else if (c >= 0xe0 && c <= 0xef) {
    n = 2;
    if (c === 0xe0) lo = 0xa0;
    if (c === 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 3;
    if (c === 0xf0) lo = 0x90;
    if (c === 0xf4) hi = 0x8f;
  } else return 0;
  for (let k = 1; k <= n; k++) {
    const d = b[i + k];
    if (d === undefined) return 0;
    if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) return 0;
  }
  return n + 1;
}

/** Offset of the first byte that is not well-formed UTF-8, or -1. */
export function invalidUtf8Offset(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const n = sequenceLength(b, i);
    if (n === 0) return i;
    i += n;
  }
  return -1;
}

/** Bytes → string; each byte outside well-formed UTF-8 becomes its escape. */
export function decodeBytes(b: Uint8Array): string {
  let bad = invalidUtf8Offset(b);
  if (bad < 0) return utf8Decoder.decode(b);
  let out = "";
  let start = 0;
  while (bad >= 0) {
    out += utf8Decoder.decode(b.subarray(start, bad)) + String.fromCharCode(ESCAPE_BASE | b[bad]!);
    start = bad + 1;
    const next = invalidUtf8Offset(b.subarray(start));
    bad = next < 0 ? -1 : start + next;
  }
  return out + utf8Decoder.decode(b.subarray(start));
}

/** String → bytes into `out` (room for MAX_BYTES_PER_UNIT per code unit); escapes become
 * their bytes again. Returns the number of bytes written. */
export function encodeBytesInto(s: string, out: Uint8Array): number {
  if (s.isWellFormed()) return utf8Encoder.encodeInto(s, out).written;
  let n = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < ESCAPE_FIRST || c > ESCAPE_LAST || (i > 0 && isHighSurrogate(s.charCodeAt(i - 1)))) continue;
    n += utf8Encoder.encodeInto(s.slice(start, i), out.subarray(n)).written;
    out[n++] = c & 0xff;
    start = i + 1;
  }
  return n + utf8Encoder.encodeInto(s.slice(start), out.subarray(n)).written;
}

export function encodeBytes(s: string): Uint8Array {
  if (s.isWellFormed()) return utf8Encoder.encode(s);
  const out = new Uint8Array(s.length * MAX_BYTES_PER_UNIT);
  return out.subarray(0, encodeBytesInto(s, out));
}

/** Bytes the string stands for, as the kernel will count them. */
export function byteLength(s: string): number {
  return s.isWellFormed() ? Buffer.byteLength(s) : encodeBytes(s).length;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
