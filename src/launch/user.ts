// Stage 5 (launch): the parent's half of the user namespace — the child waits while we write
// /proc/PID/{setgroups,uid_map,gid_map}, or have newuidmap/newgidmap write them.
import type { IdMap, JailConfig } from "../config/model.ts";
import { mapNeedsHelper } from "../config/schema/ids.ts";
import { idMapText } from "../plan/user.ts";
import type { Sys } from "../sys/sys.ts";

export function writeIdMaps(sys: Sys, pid: number, config: JailConfig, host: { uid: number; gid: number }): void {
  if (!config.unshare.has("user")) return;
  const uidHelper = mapNeedsHelper(config.uidMap, host.uid, host.uid);
  const gidHelper = mapNeedsHelper(config.gidMap, host.uid, host.gid);
  // Writing our own gid_map unprivileged requires denying setgroups first (user_namespaces(7)),
  // or a jailed process could drop a supplementary group that denies it access.
  if (host.uid !== 0 && !gidHelper) sys.writeProcFile(`/proc/${pid}/setgroups`, "deny");
  const write = (kind: "uid" | "gid", map: readonly IdMap[], helper: boolean) =>
    helper
      ? sys.runHelper(`new${kind}map`, [String(pid), ...map.flatMap((m) => [m.inside, m.outside, m.count].map(String))])
      : sys.writeProcFile(`/proc/${pid}/${kind}_map`, idMapText(map));
  write("uid", config.uidMap, uidHelper);
  write("gid", config.gidMap, gidHelper);
}
