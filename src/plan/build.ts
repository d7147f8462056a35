// Stage 2 (plan): JailConfig + host facts → Plan. The order of the whole setup lives in this
// file, as named phases; the plan holds no fd numbers, so it is built once per config.
import type { HostFacts } from "../config/host.ts";
import { NAMESPACES, type JailConfig, type Namespace } from "../config/model.ts";
import { CLONE } from "../sys/constants.ts";
import { planCommand } from "./command.ts";
import { planCaps, planCapSets, planIds } from "./creds.ts";
import { planFsMounts, planFsPrepare, planHookPhase, planPivot } from "./fs/phases.ts";
import { planHandshake, planRearm } from "./handshake.ts";
import { planInit, usesInit } from "./init.ts";
import { planInplace } from "./inplace.ts";
import { planNet } from "./net.ts";
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
 * run at the phase named after them (uWSGI's hook_post_jail, hook_as_root, hook_as_user). */
export const PHASES: readonly Phase[] = [
  { name: "fs_prepare", plan: planFsPrepare },
  { name: "hook_post_jail", plan: planHookPhase("post_jail") },
  { name: "mounts", plan: planFsMounts },
  { name: "pivot_root", plan: planPivot },
  { name: "uts", plan: planUts },
  { name: "net", plan: planNet },
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
  ops.push(...planCommand(config));
  return { cloneFlags: config.exec ? 0 : flags, ops, initStart, inplace: config.exec };
}
