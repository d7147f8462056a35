// Stage 2 (plan): credentials and capabilities, in the only order the kernel allows:
// drop the bounding set while CAP_SETPCAP is still held, keep caps across the uid switch
// only when some are kept, then fix every set, then no_new_privs. The same ops serve a
// jail's own command and a process that joins the jail (plan/join.ts).
import { capName } from "../config/capabilities.ts";
import type { JailConfig } from "../config/model.ts";
import { PR, PR_CAP_AMBIENT_CLEAR_ALL, PR_CAP_AMBIENT_RAISE } from "../sys/constants.ts";
import type { HostFacts } from "../config/host.ts";
import { canSetGroups } from "../config/schema/ids.ts";
import { op, type Op, type OpOrigin } from "./types.ts";

/** Who a process runs as and what it may still do: all the ops below need. A jail derives it
 * from its config (credsOf); nsjail join receives the jail's own over its setns socket. */
export interface Creds {
  /** Ids inside the jail's user namespace (the host's when it has none). */
  readonly uid: number;
  readonly gid: number;
  /** Capability numbers kept in every set. */
  readonly caps: readonly number[];
  /** Whether setgroups() is allowed where the process runs. */
  readonly setgroups: boolean;
  /** Supplementary groups besides `gid`, taken where setgroups() is allowed. */
  readonly groups: readonly number[];
}

export function credsOf(config: JailConfig, host: HostFacts): Creds {
  // setgroups is denied wherever the gid_map was written from inside or without privilege.
  return { uid: config.uid, gid: config.gid, caps: config.caps, setgroups: canSetGroups(config, host), groups: config.groups };
}

const CAP = (note: string): OpOrigin => ({ path: "cap", note });

/** Ops are immutable and these are the same in every plan: one object each per process, so a
 * supervisor holding many plans (the emperor) does not hold forty copies of each. */
const BOUNDING_DROPS: Op[] = [];
const boundingDrop = (cap: number): Op =>
  (BOUNDING_DROPS[cap] ??= op("prctl", [PR.CAPBSET_DROP, cap, 0, 0, 0], CAP(`drop ${capName(cap)} from the bounding set`)));

export function boundingOps(creds: Creds, capLastCap: number): Op[] {
  const kept = new Set(creds.caps);
  const ops: Op[] = [];
  for (let cap = 0; cap <= capLastCap; cap++) {
    if (!kept.has(cap)) ops.push(boundingDrop(cap));
  }
  if (kept.size > 0 && creds.uid !== 0) {
    ops.push(op("prctl", [PR.SET_KEEPCAPS, 1, 0, 0, 0], CAP("keep capabilities across setresuid")));
  }
  return ops;
}

export function idOps(creds: Creds): Op[] {
  const origin = (path: string, note: string): OpOrigin => ({ path, note });
  const ops: Op[] = [];
  if (creds.setgroups) {
    const groups = [creds.gid, ...creds.groups];
    ops.push(op("setgroups", [groups], origin(creds.groups.length > 0 ? "groups" : "gid", `setgroups [${groups.join(", ")}]`)));
  }
  ops.push(op("setresgid", [creds.gid, creds.gid, creds.gid], origin("gid", `setresgid ${creds.gid}`)));
  ops.push(op("setresuid", [creds.uid, creds.uid, creds.uid], origin("uid", `setresuid ${creds.uid}`)));
  return ops;
}

export function capSetOps(creds: Creds): Op[] {
  const mask = creds.caps.reduce((m, cap) => m | (1n << BigInt(cap)), 0n);
  const ops = [
    op("capset", [mask, mask, mask], CAP(mask === 0n ? "clear every capability set" : `keep ${creds.caps.map(capName).join(",")}`)),
    op("prctl", [PR.CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0], CAP("clear the ambient set"), true),
  ];
  // Ambient caps survive execve for a non-root uid; root gets its permitted set from bounding.
  if (creds.uid !== 0) {
    for (const cap of creds.caps) {
      ops.push(op("prctl", [PR.CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0], CAP(`raise ${capName(cap)} in the ambient set`)));
    }
  }
  ops.push(op("prctl", [PR.SET_NO_NEW_PRIVS, 1, 0, 0, 0], { path: "security", note: "no_new_privs" }));
  return ops;
}

/** The phases of a jail's own setup (PHASES in plan/build.ts). */
export const planCaps = (config: JailConfig, host: HostFacts): Op[] => boundingOps(credsOf(config, host), host.capLastCap);
export const planIds = (config: JailConfig, host: HostFacts): Op[] => idOps(credsOf(config, host));
export const planCapSets = (config: JailConfig, host: HostFacts): Op[] => capSetOps(credsOf(config, host));
