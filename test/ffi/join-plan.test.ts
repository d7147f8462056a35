// The C decoder accepts nsjail join's plans: setns, fchdir and chroot records, the ns_*, root
// and cwd slots, and the copied restrictions.
import { expect, test } from "bun:test";
import { buildJoinPlan } from "../../src/plan/join.ts";
import { fd } from "../../src/plan/types.ts";
import { loadNative } from "../../src/sys/ffi.ts";
import { encodePlan } from "../../src/wire/encode.ts";
import { TERMS } from "../support/fake-setns.ts";

test("nsj_plan_check accepts a join plan with every namespace and a cwd fd", () => {
  const plan = buildJoinPlan({
    enter: new Set(["user", "cgroup", "ipc", "uts", "net", "pid", "time", "fs"]),
    root: true,
    cwd: fd("cwd"),
    groupsFirst: [1000, 27],
    creds: TERMS.creds,
    restrictions: TERMS.restrictions,
    command: ["/bin/sh", "-c", "true"],
    env: [["PATH", "/bin"]],
  }, 40);
  expect(plan.ops.filter((o) => o.kind === "setns")).toHaveLength(8);
  expect(loadNative().planCheck(encodePlan(plan))).toBe(-1);
});
