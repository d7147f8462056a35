// The C decoder (nsj_plan_check) accepts every plan encodePlan emits and rejects damage,
// without privileges: it decodes and bounds-checks only.
import { describe, expect, test } from "bun:test";
import { encodePlan } from "../../src/wire/encode.ts";
import { HEADER_SIZE } from "../../src/wire/format.ts";
import { MAX_FILTER_INSNS } from "../../src/plan/ops.ts";
import { op } from "../../src/plan/types.ts";
import { loadNative } from "../../src/sys/ffi.ts";
import { planFixtures, planFor } from "../support/plans.ts";

const native = loadNative();

describe("nsj_plan_check", () => {
  for (const [name, file] of planFixtures()) {
    test(`accepts ${name}`, () => {
      expect(native.planCheck(encodePlan(planFor(file, 0)))).toBe(-1);
      expect(native.planCheck(encodePlan(planFor(file, 1000)))).toBe(-1);
    });
  }

  const sample = () => encodePlan(planFor(planFixtures().find(([name]) => name === "hello")![1], 1000));

  test("rejects a bad header", () => {
    const bad = sample();
    bad[0] = 0;
    expect(native.planCheck(bad)).toBe(-2);
    expect(native.planCheck(sample().subarray(0, 20))).toBe(-2);
  });

  test("names the first record with an unknown op code", () => {
    const bad = sample();
    new DataView(bad.buffer).setUint16(HEADER_SIZE + 48 * 2, 999, true);
    expect(native.planCheck(bad)).toBe(2);
  });

  test("names the record whose string points outside the table", () => {
    const bytes = sample();
    const view = new DataView(bytes.buffer);
    const count = view.getUint32(8, true);
    for (let i = 0; i < count; i++) {
      if (view.getUint16(HEADER_SIZE + 48 * i, true) === 5 /* chdir */) {
        view.setBigUint64(HEADER_SIZE + 48 * i + 8, 1n << 40n, true);
        expect(native.planCheck(bytes)).toBe(i);
        return;
      }
    }
    throw new Error("fixture has no chdir op");
  });

  test("a truncated string table is caught", () => {
    const bytes = sample();
    expect(native.planCheck(bytes.subarray(0, bytes.length - 4))).toBe(-2);
  });
});

describe("nsj_plan_check on seccomp filters", () => {
  const at = { path: "test", note: "test" };
  const planOf = (filter: Uint8Array) => encodePlan({ cloneFlags: 0, ops: [op("seccomp", [filter, 0], at)], initStart: null, inplace: false });

  test("accepts whole instructions", () => {
    expect(native.planCheck(planOf(new Uint8Array(8 * 3)))).toBe(-1);
  });

  test("rejects a partial instruction and an over-long filter", () => {
    expect(native.planCheck(planOf(new Uint8Array(7)))).toBe(0);
    expect(native.planCheck(planOf(new Uint8Array(8 * (MAX_FILTER_INSNS + 1))))).toBe(0);
  });
});
