// Stage 5 (launch): parent-side user namespace setup — the child waits while we write
// /proc/PID/{setgroups,uid_map,gid_map}.
import type { IdMap, JailConfig } from "../config/model.ts";
import type { Sys } from "../sys/sys.ts";

export function formatIdMap(map: readonly IdMap[]): string {
  return map.map((m) => `${m.inside} ${m.outside} ${m.count}\n`).join("");
}

export function writeIdMaps(sys: Sys, pid: number, config: JailConfig, hostUid: number): void {
  if (!config.unshare.has("user")) return;
  // Unprivileged writers must deny setgroups before gid_map (user_namespaces(7)), or a
  // jailed process could drop supplementary groups used to deny it access.
  if (hostUid !== 0) sys.writeProcFile(`/proc/${pid}/setgroups`, "deny");
  sys.writeProcFile(`/proc/${pid}/uid_map`, formatIdMap(config.uidMap));
  sys.writeProcFile(`/proc/${pid}/gid_map`, formatIdMap(config.gidMap));
}
