// Stage 2 (plan): exec mode — nsjail has exec'd the trampoline image in its own process, so
// the namespaces come from unshare() and the process writes its own id maps. With a new pid
// namespace it forks once: the child is PID 1 and the parent waits, nsjail's pid kept.
import type { IdMap, JailConfig } from "../config/model.ts";
import { PR, SIG } from "../sys/constants.ts";
import { op, type Op } from "./types.ts";

/** The text of /proc/PID/uid_map or gid_map: one `inside outside count` line per range. */
export function idMapText(map: readonly IdMap[]): string {
  return map.map((m) => `${m.inside} ${m.outside} ${m.count}\n`).join("");
}

export function planStandalone(config: JailConfig, cloneFlags: number): Op[] {
  const ops = [op("unshare", [cloneFlags], { path: "unshare", note: "unshare the namespaces" })];
  if (config.unshare.has("user")) {
    // Only a process with CAP_SETGID in the parent namespace may keep setgroups; we are
    // writing from inside, so it must be denied before gid_map, root or not.
    ops.push(
      op("write_file", ["/proc/self/setgroups", "deny"], { path: "gid_map", note: "write /proc/self/setgroups" }),
      op("write_file", ["/proc/self/uid_map", idMapText(config.uidMap)], { path: "uid_map", note: "write /proc/self/uid_map" }),
      op("write_file", ["/proc/self/gid_map", idMapText(config.gidMap)], { path: "gid_map", note: "write /proc/self/gid_map" }),
    );
  }
  if (config.unshare.has("pid")) {
    ops.push(
      op("fork_wait", [], { path: "unshare.pid", note: "fork PID 1 of the new pid namespace" }),
      op("prctl", [PR.SET_PDEATHSIG, SIG.KILL, 0, 0, 0], { path: "exec", note: "die with the waiting parent" }),
    );
  }
  return ops;
}
