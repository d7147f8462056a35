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

/**
 * As root, become the host ids the maps name before unsharing: a process may write its own map
 * from inside only for its own ids, and the supplementary groups (root's own) would otherwise
 * stay in force on host files. Changing ids makes the process non-dumpable, which would leave
 * /proc/self/uid_map owned by host root, out of its reach; PR_SET_DUMPABLE brings it back.
 */
function planDropToMaps(config: JailConfig): Op[] {
  const uid = config.uidMap[0]?.outside ?? 0;
  const gid = config.gidMap[0]?.outside ?? 0;
  const origin = (path: string, note: string) => ({ path, note });
  return [
    op("setgroups", [[]], origin("gid_map", "drop the caller's supplementary groups")),
    op("setresgid", [gid, gid, gid], origin("gid_map", `become host gid ${gid}`)),
    op("setresuid", [uid, uid, uid], origin("uid_map", `become host uid ${uid}`)),
    op("prctl", [PR.SET_DUMPABLE, 1, 0, 0, 0], origin("uid_map", "keep /proc/self writable after the id change")),
  ];
}

export function planStandalone(config: JailConfig, cloneFlags: number, hostUid: number): Op[] {
  const ops = config.unshare.has("user") && hostUid === 0 ? planDropToMaps(config) : [];
  ops.push(op("unshare", [cloneFlags], { path: "unshare", note: "unshare the namespaces" }));
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
