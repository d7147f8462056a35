// src/sys/termios.ts: raw mode as cfmakeraw(3) makes it, on the kernel's struct termios.
import { expect, test } from "bun:test";
import { eofChar, makeRaw, TERMIOS_SIZE } from "../../../src/sys/termios.ts";

/** `stty -g` of a fresh pseudo-terminal: iflag 500, oflag 5, cflag bf, lflag 8a3b, then c_cc. */
function cooked(): Uint8Array {
  const t = new Uint8Array(TERMIOS_SIZE);
  const v = new DataView(t.buffer);
  [0x500, 0x5, 0xbf, 0x8a3b].forEach((w, i) => v.setUint32(4 * i, w, true));
  t.set([3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a], 17);
  return t;
}

test("raw mode clears input mapping, output processing, echo, canonical input and key signals", () => {
  const before = cooked();
  const raw = makeRaw(before);
  const v = new DataView(raw.buffer);
  expect([0, 4, 8, 12].map((at) => v.getUint32(at, true).toString(16))).toEqual(["0", "4", "bf", "a30"]);
  expect([raw[17 + 6], raw[17 + 5]]).toEqual([1, 0]); // VMIN 1, VTIME 0
  expect(before).toEqual(cooked()); // a copy: the saved settings stay as they were
});

test("the end-of-file key is c_cc[VEOF]", () => {
  expect(eofChar(cooked())).toBe(4);
});
