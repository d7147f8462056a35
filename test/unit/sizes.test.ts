// The file-size budget (scripts/check-sizes.ts): TS ≤ 500 lines, CLI files ≤ 100, C ≤ 400.
import { expect, test } from "bun:test";
import { oversizedFiles } from "../../scripts/check-sizes.ts";

test("every source file keeps within the size budget", () => {
  expect(oversizedFiles()).toEqual([]);
});
