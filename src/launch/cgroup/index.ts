// Stage 5 (launch): what the launcher imports, lazily, when a jail has cgroup limits: the one
// CgroupManager of this nsjail process, over the real filesystem.
import type { Logger } from "../../log.ts";
import { CgroupManager } from "./manager.ts";
import { nodeCgroupEnv } from "./node-env.ts";

export type { JailCgroup } from "./manager.ts";
export type { CgroupUsage } from "./limits.ts";

let manager: CgroupManager | null = null;

/** One per process: it keeps our cgroup as it was before we moved into a leaf, and numbers
 * the jails, so every jail of an emperor must come from here. */
export function jailCgroups(log: Logger): CgroupManager {
  return (manager ??= new CgroupManager(nodeCgroupEnv((message) => log.warn(message))));
}
