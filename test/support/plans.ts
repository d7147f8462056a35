// Builds plans from fixture configs with a fixed host, for golden and ffi tests.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { resolveConfig } from "../../src/config/resolve.ts";
import type { HostFacts } from "../../src/config/host.ts";
import { buildPlan } from "../../src/plan/build.ts";
import type { Plan } from "../../src/plan/types.ts";
import { fakePaths } from "./fake-paths.ts";

export function fixedHost(uid: number): HostFacts {
  return {
    uid,
    gid: uid,
    pid: 4242,
    env: { TERM: "xterm", LANG: "C.UTF-8" },
    capLastCap: 40,
    arch: "x64",
    lookupUser: (n) => (n === "nobody" ? 65534 : null),
    lookupGroup: (n) => (n === "nogroup" ? 65534 : null),
    paths: fakePaths(),
  };
}

export const EXAMPLES_DIR = join(import.meta.dir, "../../examples");
export const PLAN_CONFIGS = join(import.meta.dir, "../fixtures/plan-configs");

/** Every example and plan fixture, as [name, file]. */
export function planFixtures(): [string, string][] {
  const list = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".toml")).map((f) => [f.replace(/\.toml$/, ""), join(dir, f)] as [string, string]);
  return [...list(EXAMPLES_DIR), ...list(PLAN_CONFIGS)];
}

export function planFor(file: string, uid: number): Plan {
  const host = fixedHost(uid);
  // A file without a command is a profile (examples/strict.toml): plan it under /bin/true.
  const profile = !/^command\s*=/m.test(readFileSync(file, "utf8"));
  const config = profile
    ? resolveConfig({ file: null, cli: { profile: file }, command: ["/bin/true"] }, host)
    : resolveConfig({ file, cli: {}, command: [] }, host);
  return buildPlan(config, host);
}
