// buildPlan per fixture config, as describePlan text: a diff shows exactly which syscalls
// changed. UPDATE_GOLDEN=1 bun test rewrites the goldens.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describePlan } from "../../../src/plan/describe.ts";
import type { FdRef } from "../../../src/plan/types.ts";
import { encodePlan } from "../../../src/wire/encode.ts";
import { decodePlan } from "../../support/decode-plan.ts";
import { planFixtures, planFor } from "../../support/plans.ts";

const GOLDEN = join(import.meta.dir, "../../fixtures/plans");

describe("plan goldens", () => {
  for (const [name, file] of planFixtures()) {
    for (const uid of [0, 1000]) {
      test(`${name} as uid ${uid}`, () => {
        const text = `${describePlan(planFor(file, uid)).join("\n")}\n`;
        const golden = join(GOLDEN, `${name}.uid${uid}.golden.txt`);
        if (process.env.UPDATE_GOLDEN === "1") writeFileSync(golden, text);
        if (!existsSync(golden)) throw new Error(`no golden ${golden}: run UPDATE_GOLDEN=1 bun test`);
        expect(text).toBe(readFileSync(golden, "utf8"));
      });
    }
  }
});

describe("encodePlan round trip", () => {
  for (const [name, file] of planFixtures()) {
    test(name, () => {
      const plan = planFor(file, 1000);
      const decoded = decodePlan(encodePlan(plan));
      expect(decoded.cloneFlags).toBe(BigInt(plan.cloneFlags));
      expect(decoded.ops.map((o) => o.kind)).toEqual(plan.ops.map((o) => o.kind));
      plan.ops.forEach((op, i) => {
        const back = decoded.ops[i]!;
        expect(back.optional).toBe(op.optional);
        expect(back.skip).toBe(op.optional ? op.skip : 0);
        op.args.forEach((arg, k) => {
          const got = back.args[k];
          if (typeof arg === "number" || typeof arg === "bigint") expect(got).toBe(BigInt.asUintN(64, BigInt(arg)));
          else if (Array.isArray(arg) && typeof arg[0] === "number") expect(got).toEqual(arg.map((n) => BigInt(n as number)));
          else expect(got).toEqual(arg as string | null | string[] | FdRef);
        });
      });
    });
  }
});
