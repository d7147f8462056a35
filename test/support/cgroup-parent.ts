// Test support: a cgroup of the test's own that nsjail is started in (as root), so the jail
// cgroups it makes under its own cgroup, and its sweep of stale ones, stay apart from every
// other nsjail on the machine. One directory per hierarchy that holds a controller nsjail uses.
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { NO_LIMITS } from "../../src/config/limits-model.ts";
import { findCgroupPlaces } from "../../src/launch/cgroup/detect.ts";
import { CgroupManager } from "../../src/launch/cgroup/manager.ts";
import { nodeCgroupEnv, nodeCgroupFs } from "../../src/launch/cgroup/node-env.ts";
import { removeCgroup } from "../../src/launch/cgroup/remove.ts";
import { host } from "./host.ts";

/** What nsjail's cgroups use: limits, and the accounting it reads back. cpuset is left out:
 * a new cpuset cgroup takes no process before its cpus and mems are set. */
const CONTROLLERS = ["memory", "pids", "cpu", "cpuacct"];

/** Whether nsjail, as root here, can make (and remove) a jail cgroup with every controller. */
export function cgroupsWritable(): boolean {
  if (!host.root) return false;
  try {
    new CgroupManager(nodeCgroupEnv(() => {}), `nsjtest-${process.pid}`).create({ ...NO_LIMITS, pids: 4, memory: 1 << 24, cpu: 1 }).remove();
    return true;
  } catch {
    return false;
  }
}

export interface TestCgroup {
  /** Shell text that moves the shell into the cgroup, to put before `exec nsjail …`. */
  readonly enter: string;
  /** The jail cgroups (`nsjail.<pid>.<n>`) under it right now, in every hierarchy. */
  jails(): string[];
  /** Removes it, with anything a failed test left inside. */
  remove(): void;
}

export function testCgroup(): TestCgroup {
  const places = findCgroupPlaces(nodeCgroupFs);
  const v1 = [...new Set(CONTROLLERS.flatMap((c) => places.v1.get(c) ?? []))];
  const bases = v1.length > 0 ? v1 : places.v2 === null ? [] : [places.v2];
  const name = `nsjtest-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const dirs = bases.map((b) => join(b, name));
  for (const d of dirs) mkdirSync(d);
  const version = v1.length > 0 ? 1 : 2;
  return {
    enter: `${dirs.map((d) => `echo $$ > ${d}/cgroup.procs`).join(" && ")} && `,
    jails: () =>
      dirs.flatMap((d) =>
        existsSync(d) ? readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name.startsWith("nsjail.")).map((e) => join(d, e.name)) : [],
      ),
    remove: () => {
      for (const d of dirs) removeCgroup(nodeCgroupEnv(() => {}), version, d);
    },
  };
}
