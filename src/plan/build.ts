// Stage 2 (plan): JailConfig + host facts → Plan. The order of the whole setup lives in this
// file, as named phases; the plan holds no fd numbers, so it is built once per config.
import type { HostFacts } from "../config/host.ts";
import { NAMESPACES, type JailConfig, type Namespace } from "../config/model.ts";
import { CLONE } from "../sys/constants.ts";
import { usesProcessLimits } from "../config/limits-model.ts";
import { defersCgroupNs, planCgroupNs } from "./cgroup.ts";
import { planCommand, planFilter } from "./command.ts";
import { planCaps, planCapSets, planIds } from "./creds.ts";
import { planFsMounts, planFsPrepare, planHookPhase, planPivot } from "./fs/phases.ts";
import { planHandshake, planRearm } from "./handshake.ts";
import { planInit, usesInit } from "./init.ts";
import { planInplace } from "./inplace.ts";
import { planNet } from "./net.ts";
import { planNotifySocket } from "./systemd.ts";
import type { Op, Plan } from "./types.ts";
import { planUts } from "./uts.ts";

const CLONE_FLAGS: Record<Namespace, number> = {
  fs: CLONE.NEWNS,
  ipc: CLONE.NEWIPC,
  pid: CLONE.NEWPID,
  uts: CLONE.NEWUTS,
  net: CLONE.NEWNET,
  user: CLONE.NEWUSER,
  cgroup: CLONE.NEWCGROUP,
  time: CLONE.NEWTIME,
};

export interface Phase {
  readonly name: string;
  readonly plan: (config: JailConfig, host: HostFacts) => Op[];
}

/** Setup in the jail's first process, after its uid maps exist, in the order the kernel
 * allows: mounts while privileged, names, network, then privileges dropped for good. Hooks
 * run at the phase named after them (uWSGI's hook_post_jail, hook_as_root, hook_as_user);
 * the command's lookup and seccomp filter (command.ts) come after all of them. */
export const PHASES: readonly Phase[] = [
  // First: the cgroup namespace waits for the parent's attach (plan/cgroup.ts).
  { name: "cgroup_ns", plan: planCgroupNs },
  { name: "fs_prepare", plan: planFsPrepare },
  { name: "hook_post_jail", plan: planHookPhase("post_jail") },
  { name: "mounts", plan: planFsMounts },
  { name: "pivot_root", plan: planPivot },
  { name: "uts", plan: planUts },
  { name: "net", plan: planNet },
  { name: "notify", plan: planNotifySocket },
  // Before bounding: raising a hard rlimit needs CAP_SYS_RESOURCE, a lower nice CAP_SYS_NICE.
  // Before hook_as_root: what the as_root and as_user hooks run is held by the limits too.
  { name: "limits", plan: (c) => (usesProcessLimits(c.limits) ? (require("./limits.ts") as typeof import("./limits.ts")).planLimits(c.limits) : []) },
  { name: "hook_as_root", plan: planHookPhase("as_root") },
  { name: "bounding", plan: planCaps },
  { name: "ids", plan: planIds },
  { name: "rearm", plan: planRearm },
  { name: "caps", plan: planCapSets },
  { name: "hook_as_user", plan: planHookPhase("as_user") },
];

export function cloneFlags(config: JailConfig): number {
  return NAMESPACES.reduce((flags, ns) => (config.unshare.has(ns) ? flags | CLONE_FLAGS[ns] : flags), 0);
}

/** clone3's flags: the cgroup namespace may wait for the child's first op (plan/cgroup.ts). */
function cloneFlagsNow(config: JailConfig): number {
  return cloneFlags(config) & ~(defersCgroupNs(config) ? CLONE.NEWCGROUP : 0);
}

export function buildPlan(config: JailConfig, host: HostFacts): Plan {
  const flags = cloneFlags(config);
  // Exec mode unshares in nsjail's own process; otherwise clone3 creates the namespaces and
  // the child starts by waiting for its parent.
  const ops = config.exec ? planInplace(config, flags, host.uid) : planHandshake(config, host);
  for (const phase of PHASES) ops.push(...phase.plan(config, host));
  let initStart: number | null = null;
  if (usesInit(config)) {
    ops.push(...planInit(ops.length));
    initStart = ops.length;
  }
  ops.push(...planCommand(config, planFilter(config, host)));
  return { cloneFlags: config.exec ? 0 : cloneFlagsNow(config), ops, initStart, inplace: config.exec };
}
