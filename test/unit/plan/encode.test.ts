// encodePlan byte layout on tiny plans, and the errors it raises for malformed ops.
import { expect, test } from "bun:test";
import { encodePlan } from "../../../src/wire/encode.ts";
import { decodePlan } from "../../support/decode-plan.ts";
import { op, type Op, type Plan } from "../../../src/plan/types.ts";

const at = { path: "test", note: "test" };
const planOf = (ops: Op[], cloneFlags = 0): Plan => ({ cloneFlags, ops, initStart: null, inplace: false });

test("one sethostname op, byte for byte", () => {
  const bytes = encodePlan(planOf([op("sethostname", ["box"], at)], 0x04000000));
  const hex = Buffer.from(bytes).toString("hex");
  expect(hex).toBe(
    [
      "504a534e", "0400", "3000", "01000000", "58000000", "04000000", "00000000", "0000000400000000", "00000000", "00000000", // header
      "0700", "0000", "00000000" /* skip */, "0100000000000000", "0".repeat(64), // record: code 7, arg0 = "box" at offset 0 (+1)
      "626f7800", // strtab
    ].join(""),
  );
});

test("strings are shared and arrays are 8-byte aligned", () => {
  const bytes = encodePlan(planOf([op("execve", ["sh", ["sh", "-c"], ["A=1"], null], at)]));
  const view = new DataView(bytes.buffer);
  const strtab = view.getUint32(12, true);
  const argvRef = Number(view.getBigUint64(40 + 16, true));
  expect((strtab + argvRef - 1) % 8).toBe(0);
  expect(view.getBigUint64(40 + 32, true)).toBe(0n); // NULL search path
});

test("wrong argument kinds and counts are refused with the op's origin", () => {
  expect(() => encodePlan(planOf([op("chdir", [42], at)]))).toThrow("op chdir [test]: argument 0 must be of kind 's'");
  expect(() => encodePlan(planOf([op("setsid", [1], at)]))).toThrow("takes 0 arguments, got 1");
  expect(() => encodePlan(planOf([op("chdir", ["a\0b"], at)]))).toThrow("NUL");
});

test("a seccomp filter travels as a length-prefixed, aligned blob", () => {
  const filter = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
  const bytes = encodePlan(planOf([op("sethostname", ["x"], at), op("seccomp", [filter, 0], at)]));
  expect(decodePlan(bytes).ops[1]!.args[0]).toEqual(filter);
  const view = new DataView(bytes.buffer);
  const ref = Number(view.getBigUint64(40 + 48 + 8, true));
  expect((ref - 1) % 8).toBe(0);
});
