// Stage 2 (plan): credentials and capabilities, in the only order the kernel allows:
// drop the bounding set while CAP_SETPCAP is still held, keep caps across the uid switch
// only when some are kept, then fix every set, then no_new_privs.
import type { JailConfig } from "../config/model.ts";
import { PR, PR_CAP_AMBIENT_CLEAR_ALL, PR_CAP_AMBIENT_RAISE } from "../sys/constants.ts";
import type { HostFacts } from "../config/host.ts";
import { canSetGroups } from "../config/schema/ids.ts";
import { op, type Op, type OpOrigin } from "./types.ts";

const CAP = (note: string): OpOrigin => ({ path: "cap", note });

export function planCaps(config: JailConfig, host: HostFacts): Op[] {
  const kept = new Set(config.caps);
  const ops: Op[] = [];
  for (let cap = 0; cap <= host.capLastCap; cap++) {
    if (!kept.has(cap)) ops.push(op("prctl", [PR.CAPBSET_DROP, cap, 0, 0, 0], CAP(`drop cap ${cap} from the bounding set`)));
  }
  if (kept.size > 0 && config.uid !== 0) {
    ops.push(op("prctl", [PR.SET_KEEPCAPS, 1, 0, 0, 0], CAP("keep capabilities across setresuid")));
  }
  return ops;
}

export function planIds(config: JailConfig, host: HostFacts): Op[] {
  const origin = (path: string, note: string): OpOrigin => ({ path, note });
  const ops: Op[] = [];
  // setgroups is denied wherever the gid_map was written from inside or without privilege.
  if (canSetGroups(config, host)) {
    const groups = [config.gid, ...config.groups];
    ops.push(op("setgroups", [groups], origin(config.groups.length > 0 ? "groups" : "gid", `setgroups [${groups.join(", ")}]`)));
  }
  ops.push(op("setresgid", [config.gid, config.gid, config.gid], origin("gid", `setresgid ${config.gid}`)));
  ops.push(op("setresuid", [config.uid, config.uid, config.uid], origin("uid", `setresuid ${config.uid}`)));
  return ops;
}

export function planCapSets(config: JailConfig): Op[] {
  const mask = config.caps.reduce((m, cap) => m | (1n << BigInt(cap)), 0n);
  const ops = [
    op("capset", [mask, mask, mask], CAP(mask === 0n ? "clear every capability set" : `keep caps ${config.caps.join(",")}`)),
    op("prctl", [PR.CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0], CAP("clear the ambient set"), true),
  ];
  // Ambient caps survive execve for a non-root uid; root gets its permitted set from bounding.
  if (config.uid !== 0) {
    for (const cap of config.caps) {
      ops.push(op("prctl", [PR.CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0], CAP(`raise cap ${cap} in the ambient set`)));
    }
  }
  ops.push(op("prctl", [PR.SET_NO_NEW_PRIVS, 1, 0, 0, 0], { path: "security", note: "no_new_privs" }));
  return ops;
}
