// Ground floor: bytes ↔ strings without loss; invalid UTF-8 rides as U+DC80–U+DCFF.
import { describe, expect, test } from "bun:test";
import { byteLength, decodeBytes, encodeBytes, encodeBytesInto, invalidUtf8Offset } from "../../../src/sys/bytes.ts";

describe("invalidUtf8Offset", () => {
  const cases: [string, number[], number][] = [
    ["ascii", [0x61, 0x62], -1],
    ["2-byte é", [0xc3, 0xa9], -1],
    ["4-byte emoji", [0xf0, 0x9f, 0x98, 0x80], -1],
    ["overlong /", [0x61, 0xc0, 0xaf], 1],
    ["surrogate", [0xed, 0xa0, 0x80], 0],
    ["above U+10FFFF", [0xf4, 0x90, 0x80, 0x80], 0],
    ["truncated", [0x61, 0xe2, 0x82], 1],
    ["lone continuation", [0x80], 0],
  ];
  test.each(cases)("%s", (_n, bytes, want) => {
    expect(invalidUtf8Offset(new Uint8Array(bytes))).toBe(want);
  });
});

describe("decodeBytes / encodeBytes", () => {
  test("well-formed UTF-8 decodes as usual", () => {
    expect(decodeBytes(new TextEncoder().encode("héllo 😀"))).toBe("héllo 😀");
  });
  test("each invalid byte becomes U+DC00|byte, and back", () => {
    const bytes = new Uint8Array([0x61, 0xff, 0xc3, 0xa9, 0xed, 0xa0, 0x80, 0xe2, 0x82]);
    const s = decodeBytes(bytes);
    expect(s).toBe("a\udcffé\udced\udca0\udc80\udce2\udc82");
    expect([...encodeBytes(s)]).toEqual([...bytes]);
    expect(byteLength(s)).toBe(bytes.length);
  });
  test("every byte value, alone and after a lead byte, survives the round trip", () => {
    for (let b = 0; b < 256; b++) {
      for (const bytes of [[b], [0xc3, b], [0xf0, 0x9f, b], [b, 0x80]]) {
        expect([...encodeBytes(decodeBytes(new Uint8Array(bytes)))]).toEqual(bytes);
      }
    }
  });
  test("random byte strings survive the round trip", () => {
    for (let k = 0; k < 200; k++) {
      const bytes = Uint8Array.from({ length: 1 + (k % 40) }, () => Math.floor(Math.random() * 256));
      expect([...encodeBytes(decodeBytes(bytes))]).toEqual([...bytes]);
    }
  });
  test("a real surrogate pair next to an escape is not taken for one", () => {
    const s = `😀\udcff`;
    const out = new Uint8Array(s.length * 3);
    expect([...out.subarray(0, encodeBytesInto(s, out))]).toEqual([0xf0, 0x9f, 0x98, 0x80, 0xff]);
  });
});
