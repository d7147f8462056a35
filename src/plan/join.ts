// Stage 2 (plan): `nsjail join` — the plan that enters a running jail. nsjail execs the
// trampoline image in its own process, as exec mode does: setns(CLONE_NEWPID) moves only the
// caller's later children, so the process that enters must stay to fork and wait, which a
// CLONE_VM child of Bun must not do. The image enters the namespaces, user first, and forks;
// the child takes the jail's root and cwd, its ids, capabilities, limits and seccomp filter,
// and execs the command. The parent waits with nsjail's pid, forwards signals and exits with
// the command's status.
import type { JailConfig, Namespace } from "../config/model.ts";
import { CLONE, PR, SIG } from "../sys/constants.ts";
import { planCommand } from "./command.ts";
import { boundingOps, capSetOps, idOps, type Creds } from "./creds.ts";
import { rearmOps } from "./handshake.ts";
import type { FdSlot, OpKind } from "./ops.ts";
import { fd, op, type FdRef, type Op, type Plan } from "./types.ts";

/** setns order: the user namespace first, since it grants the rights to enter the others;
 * the mount namespace last, as nsenter does. */
export const JOIN_ORDER: readonly Namespace[] = ["user", "cgroup", "ipc", "uts", "net", "pid", "time", "fs"];

/** The CLONE_NEW* flag setns(2) and ioctl(NS_GET_NSTYPE) use for each namespace. */
export const NSTYPE: Record<Namespace, number> = {
  user: CLONE.NEWUSER,
  cgroup: CLONE.NEWCGROUP,
  ipc: CLONE.NEWIPC,
  uts: CLONE.NEWUTS,
  net: CLONE.NEWNET,
  pid: CLONE.NEWPID,
  time: CLONE.NEWTIME,
  fs: CLONE.NEWNS,
};

/** The file under /proc/PID/ns/ of each namespace. */
export const NS_FILE: Record<Namespace, string> = {
  user: "user", cgroup: "cgroup", ipc: "ipc", uts: "uts", net: "net", pid: "pid", time: "time", fs: "mnt",
};

/** The fd slot a namespace's fd fills. */
export function nsSlot(ns: Namespace): FdSlot {
  return `ns_${ns}`;
}

/** The jail's own restrictions a joined process takes on too: copied ops of these kinds. */
export const RESTRICTION_KINDS: readonly OpKind[] = ["setrlimit", "setpriority", "sched_setaffinity", "seccomp"];

/** The ops of RESTRICTION_KINDS in a jail's plan, in its order. A filter whose kills go to the
 * jail's init over a listener (seccomp_listener) is sent as its twin that kills at once: a
 * joined process has no init of the jail to hand a listener to. */
export function jailRestrictions(plan: Plan, config: JailConfig, arch: string): Op[] {
  return plan.ops.flatMap((o) => {
    if (o.kind !== "seccomp_listener") return RESTRICTION_KINDS.includes(o.kind) ? [o] : [];
    const { planSeccomp } = require("./seccomp/plan.ts") as typeof import("./seccomp/plan.ts");
    return planSeccomp(config.seccomp!, arch, false);
  });
}

/** Who a joined process becomes, as the jail tells it (wire/setns.ts) or its process shows
 * it (launch/join-pid.ts). */
export interface JailIdentity {
  /** Whether the jail has a user namespace of its own (offered or not). */
  readonly userns: boolean;
  /** The command's ids (inside its user namespace), capabilities and setgroups permission. */
  readonly creds: Creds;
  /** The command's ids as the host sees them: a process that stays out of the jail's user
   * namespace runs as these, without capabilities. */
  readonly hostUid: number;
  readonly hostGid: number;
  /** Where setgroups is denied inside, the supplementary groups the jail's processes keep
   * (the host's gids); otherwise empty. */
  readonly hostGroups: readonly number[];
  /** The command's environment, `KEY=VALUE`. */
  readonly env: readonly string[];
  /** Ops of RESTRICTION_KINDS from the jail (rlimits, nice, affinity, seccomp). */
  readonly restrictions: readonly Op[];
}

export interface JoinSpec {
  /** Namespaces to enter; their fds fill the ns_* slots. */
  readonly enter: ReadonlySet<Namespace>;
  /** The `root` slot holds the jail's root: fchdir + chroot into it, then go to `cwd`. Only
   * with the mount namespace. */
  readonly root: boolean;
  /** A path inside the root, or the `cwd` slot (a directory fd of the jail's process). */
  readonly cwd: string | FdRef;
  /** Supplementary groups to take before entering the user namespace, or null (see
   * launch/join.ts: root entering a namespace that denies setgroups). */
  readonly groupsFirst: readonly number[] | null;
  readonly creds: Creds;
  /** Ops of RESTRICTION_KINDS from the jail's own plan, in its order. */
  readonly restrictions: readonly Op[];
  readonly command: readonly string[];
  readonly env: readonly (readonly [string, string])[];
}

const JOIN = (note: string) => ({ path: "join", note });

function enterOps(spec: JoinSpec): Op[] {
  const ops: Op[] = [];
  if (spec.groupsFirst !== null) ops.push(op("setgroups", [spec.groupsFirst], JOIN("take the jail's supplementary groups")));
  ops.push(...JOIN_ORDER.filter((ns) => spec.enter.has(ns)).map((ns) =>
    op("setns", [fd(nsSlot(ns)), NSTYPE[ns]], JOIN(`enter the jail's ${ns === "fs" ? "mount" : ns} namespace`)),
  ));
  ops.push(
    op("fork_wait", [], JOIN("fork the command into the jail's pid namespace")),
    op("prctl", [PR.SET_PDEATHSIG, SIG.KILL, 0, 0, 0], JOIN("die with the waiting parent")),
  );
  if (!spec.root) return ops;
  ops.push(op("fchdir", [fd("root")], JOIN("enter the jail's root")), op("chroot", ["."], JOIN("chroot into the jail's root")));
  if (typeof spec.cwd !== "string") ops.push(op("fchdir", [spec.cwd], JOIN("enter the working directory of the jail's process")));
  return ops;
}

export function buildJoinPlan(spec: JoinSpec, capLastCap: number): Plan {
  const isSeccomp = (o: Op) => o.kind === "seccomp";
  const chdir = spec.root && typeof spec.cwd === "string" ? spec.cwd : ".";
  const ops = [
    ...enterOps(spec),
    // Limits first: raising one (or the nice level) needs capabilities the next ops drop.
    ...spec.restrictions.filter((o) => !isSeccomp(o)),
    ...boundingOps(spec.creds, capLastCap),
    ...idOps(spec.creds),
    ...rearmOps(),
    ...capSetOps(spec.creds),
    // The filter last, right before execve, as in the jail: it must not block the setup.
    ...planCommand({ command: spec.command, env: spec.env, chdir, passFds: [] }, spec.restrictions.filter(isSeccomp)),
  ];
  return { cloneFlags: 0, ops, initStart: null, inplace: true };
}
