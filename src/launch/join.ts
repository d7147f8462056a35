// Stage 5 (launch): `nsjail join` — what a running jail offers (its setns socket, or its
// process through /proc) becomes a plan (plan/join.ts), and nsjail execs the trampoline image
// in its own process to run it, as exec mode does: no Bun is left, the image enters the
// namespaces, forks the command into them and waits with nsjail's pid.
import type { HostFacts } from "../config/host.ts";
import type { JoinRequest } from "../config/join.ts";
import type { Namespace } from "../config/model.ts";
import { JailError } from "../errors.ts";
import type { Creds } from "../plan/creds.ts";
import { buildJoinPlan, nsSlot, type JailIdentity, type JoinSpec } from "../plan/join.ts";
import { fdTable, type FdSlot } from "../plan/ops.ts";
import { fd, type Plan } from "../plan/types.ts";
import type { Sys } from "../sys/sys.ts";

/** What a jail offers a joining process: open fds, and the identity to take on inside. */
export interface Offer extends JailIdentity {
  /** How the jail was reached, for messages: `setns socket PATH` or `process PID`. */
  readonly source: string;
  /** Offered by someone neither root nor us: the user namespace must be entered, and it owns
   * every other namespace offered (launch/join-socket.ts checks that). */
  readonly confined: boolean;
  readonly namespaces: ReadonlyMap<Namespace, number>;
  readonly root: number | null;
  /** A path inside the root, or a directory fd of the jail's process. */
  readonly cwd: string | number;
}

export class JoinError extends JailError {}

/** Every fd an offer holds. */
export function offerFds(offer: Offer): number[] {
  const fds = [...offer.namespaces.values()];
  if (offer.root !== null) fds.push(offer.root);
  if (typeof offer.cwd === "number") fds.push(offer.cwd);
  return fds;
}

function chooseNamespaces(offer: Offer, only: ReadonlySet<Namespace> | null): Set<Namespace> {
  if (offer.confined && only !== null && !only.has("user")) {
    throw new JoinError(`${offer.source} is not served by root or you: --ns must include user`);
  }
  if (only === null) return new Set(offer.namespaces.keys());
  const missing = [...only].filter((ns) => !offer.namespaces.has(ns));
  if (missing.length > 0) {
    throw new JoinError(`${offer.source} does not offer ${missing.join(", ")} (a namespace the jail does not unshare, or one its setns_skip leaves out)`);
  }
  return new Set(only);
}

/** The joined process takes the jail's identity: inside its user namespace, the command's ids
 * and capabilities; outside it, the ids the host sees for the command and no capabilities. */
function credsFor(offer: Offer, enter: ReadonlySet<Namespace>, host: HostFacts): Creds {
  if (!offer.userns || enter.has("user")) return offer.creds;
  return { uid: offer.hostUid, gid: offer.hostGid, caps: [], setgroups: host.uid === 0, groups: [] };
}

/** The jail's environment; an interactive shell also wants the caller's terminal type. */
function envFor(offer: Offer, host: HostFacts): [string, string][] {
  const env = offer.env.map((e): [string, string] => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]);
  const term = host.env.TERM;
  if (term !== undefined && !env.some(([k]) => k === "TERM")) env.push(["TERM", term]);
  return env;
}

export interface JoinLaunch {
  readonly plan: Plan;
  /** One fd per slot, for the image's argv. */
  readonly slots: Partial<Record<FdSlot, number>>;
  /** Offered fds the plan does not use: closed before the exec. */
  readonly unused: readonly number[];
}

export function planJoin(offer: Offer, req: JoinRequest, host: HostFacts): JoinLaunch {
  const enter = chooseNamespaces(offer, req.only);
  const root = enter.has("fs") ? offer.root : null;
  const slots: Partial<Record<FdSlot, number>> = {};
  for (const ns of enter) slots[nsSlot(ns)] = offer.namespaces.get(ns)!;
  if (root !== null) slots.root = root;
  if (root !== null && typeof offer.cwd === "number") slots.cwd = offer.cwd;
  // In a user namespace that denies setgroups a caller's groups stay as they are: root's
  // would count on host files. Root takes the jail's own groups first (none from a stranger).
  const groupsFirst = host.uid === 0 && enter.has("user") && offer.userns && !offer.creds.setgroups;
  const spec: JoinSpec = {
    enter,
    root: root !== null,
    cwd: typeof offer.cwd === "number" ? fd("cwd") : offer.cwd,
    groupsFirst: groupsFirst ? (offer.confined ? [] : offer.hostGroups) : null,
    creds: credsFor(offer, enter, host),
    restrictions: offer.restrictions,
    command: req.command,
    env: envFor(offer, host),
  };
  const used = new Set(Object.values(slots));
  return { plan: buildJoinPlan(spec, host.capLastCap), slots, unused: offerFds(offer).filter((f) => !used.has(f)) };
}

/** Replaces this process with the image running `bytes` (the encoded plan). */
export function execJoin(sys: Sys, launch: JoinLaunch, bytes: Uint8Array, imageFd: number): never {
  for (const f of launch.unused) sys.close(f);
  const planFd = sys.memfd("nsjail-plan", bytes);
  const fds = fdTable({ ...launch.slots, image: imageFd, plan: planFd });
  return sys.execImage(imageFd, ["nsjail-exec", "0", ...fds.map(String)], [planFd, imageFd, ...Object.values(launch.slots)]);
}
