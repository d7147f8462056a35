// Stage 2 (plan): exec mode — nsjail has exec'd the trampoline image in its own process, so
// the namespaces come from unshare() and the process writes its own id maps. With a new pid
// namespace it forks once: the child is PID 1 and the parent waits, nsjail's pid kept.
import type { JailConfig } from "../config/model.ts";
import { PR, SIG } from "../sys/constants.ts";
import { op, type Op } from "./types.ts";
import { planPassFds } from "./command.ts";
import { planOwnMaps } from "./user.ts";

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

export function planInplace(config: JailConfig, cloneFlags: number, hostUid: number): Op[] {
  const ops = config.unshare.has("user") && hostUid === 0 ? planDropToMaps(config) : [];
  ops.push(op("unshare", [cloneFlags], { path: "unshare", note: "unshare the namespaces" }), ...planOwnMaps(config));
  if (config.unshare.has("pid")) {
    ops.push(
      op("fork_wait", [], { path: "unshare.pid", note: "fork PID 1 of the new pid namespace" }),
      op("prctl", [PR.SET_PDEATHSIG, SIG.KILL, 0, 0, 0], { path: "exec", note: "die with the waiting parent" }),
    );
  }
  ops.push(...planPassFds(config));
  return ops;
}
