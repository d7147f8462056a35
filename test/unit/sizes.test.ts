// The file-size budget of shared/STYLE.md, enforced (scripts/check-sizes.ts).
import { expect, test } from "bun:test";
import { oversizedFiles } from "../../scripts/check-sizes.ts";

test("every source file keeps within the size budget", () => {
  expect(oversizedFiles()).toEqual([]);
});
