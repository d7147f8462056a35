// Stage 2 (plan): the cgroup namespace of a jail with a cgroup of its own. A namespace made by
// clone3 would be rooted where nsjail's cgroup is; the child unshares it only after the
// parent has moved it into the jail's cgroup (launch/spawn.ts does that before releasing it),
// so the jail sees its own cgroup as "/".
import { usesCgroup } from "../config/limits-model.ts";
import type { JailConfig } from "../config/model.ts";
import { CLONE } from "../sys/constants.ts";
import { op, type Op } from "./types.ts";

/** True when CLONE_NEWCGROUP waits for the parent's attach. Exec mode attaches nsjail itself
 * before it unshares, so its namespace is rooted right anyway. */
export function defersCgroupNs(config: JailConfig): boolean {
  return !config.exec && config.unshare.has("cgroup") && usesCgroup(config.limits);
}

export function planCgroupNs(config: JailConfig): Op[] {
  if (!defersCgroupNs(config)) return [];
  return [op("unshare", [CLONE.NEWCGROUP], { path: "unshare.cgroup", note: "unshare the cgroup namespace, rooted at the jail's cgroup" })];
}
