// Imports go down the pipeline and never in a circle (scripts/check-direction.ts).
import { expect, test } from "bun:test";
import { directionProblems } from "../../scripts/check-direction.ts";

test("no stage imports a later one, and no import cycle", () => {
  expect(directionProblems()).toEqual([]);
});

test("an upward import and a cycle are named", () => {
  const files = new Map([
    ["src/sys/a.ts", 'import type { Plan } from "../plan/types.ts";'],
    ["src/plan/types.ts", 'import { x } from "./b.ts";'],
    ["src/plan/b.ts", 'const y = await import("./types.ts");'],
  ]);
  expect(directionProblems(files)).toEqual([
    "src/sys/a.ts imports src/plan/types.ts, a later stage",
    "import cycle: src/plan/types.ts → src/plan/b.ts → src/plan/types.ts",
  ]);
});
