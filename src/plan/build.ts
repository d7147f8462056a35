// Stage 2 (plan): JailConfig → Plan. The order of the whole setup lives in this file.
import type { JailConfig, Namespace } from "../config/model.ts";
import { CLONE } from "../sys/constants.ts";
import type { PlanContext } from "./context.ts";
import { planCaps, planCapSets, planIds } from "./creds.ts";
import { planCommand, planInit, planPassFds, usesInit } from "./exec.ts";
import { planMounts } from "./mount.ts";
import { planNet } from "./net.ts";
import { planStandalone } from "./standalone.ts";
import { planHandshake } from "./supervise.ts";
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

/** Setup in the jail's first process, in kernel order (see shared/KERNEL-NOTES.md):
 * wait for uid maps, mounts while privileged, names, network, then drop privileges. */
const SETUP: readonly ((config: JailConfig, ctx: PlanContext) => Op[])[] = [
  planMounts,
  planUts,
  planNet,
  planCaps,
  planIds,
  planCapSets,
  planPassFds,
];

export function cloneFlags(config: JailConfig): number {
  let flags = 0;
  for (const ns of config.unshare) flags |= CLONE_FLAGS[ns];
  return flags;
}

export function buildPlan(config: JailConfig, ctx: PlanContext): Plan {
  const flags = cloneFlags(config);
  // Exec mode unshares in nsjail's own process; otherwise clone3 creates the namespaces and
  // the child starts by waiting for its parent.
  const head = config.exec ? planStandalone(config, flags, ctx.hostUid) : planHandshake(config, ctx);
  const ops = [...head, ...SETUP.flatMap((planner) => planner(config, ctx))];
  let initStart: number | null = null;
  if (usesInit(config)) {
    const init = planInit(ctx, ops.length);
    initStart = ops.length + init.length;
    ops.push(...init);
  }
  ops.push(...planCommand(config));
  return { cloneFlags: config.exec ? 0 : flags, ops, fds: ctx.fds, initStart, standalone: config.exec };
}
