// Stage 2 (plan): the user namespace's id maps — the text both writers use (the parent in
// launch/user.ts, the process itself in exec mode) and exec mode's own writes.
import type { IdMap, JailConfig } from "../config/model.ts";
import { op, type Op } from "./types.ts";

/** The text of /proc/PID/uid_map or gid_map: one `inside outside count` line per range. */
export function idMapText(map: readonly IdMap[]): string {
  return map.map((m) => `${m.inside} ${m.outside} ${m.count}\n`).join("");
}

/** An inside id seen through a map from the host: the outside id, or null when unmapped. */
export function hostIdOf(map: readonly IdMap[], id: number): number | null {
  const range = map.find((m) => id >= m.inside && id < m.inside + m.count);
  return range === undefined ? null : range.outside + (id - range.inside);
}

/** Only a process with CAP_SETGID in the parent namespace may keep setgroups; a process
 * writing its own maps must deny it before gid_map, root or not. */
export function planOwnMaps(config: JailConfig): Op[] {
  if (!config.unshare.has("user")) return [];
  return [
    op("write_file", ["/proc/self/setgroups", "deny"], { path: "gid_map", note: "write /proc/self/setgroups" }),
    op("write_file", ["/proc/self/uid_map", idMapText(config.uidMap)], { path: "uid_map", note: "write /proc/self/uid_map" }),
    op("write_file", ["/proc/self/gid_map", idMapText(config.gidMap)], { path: "gid_map", note: "write /proc/self/gid_map" }),
  ];
}
