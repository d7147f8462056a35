// Stage 2 (plan): the mount namespace — private propagation first, then each mount through
// the planner of its kind, in order. Today the only mount is the implied /proc of a new pid
// namespace; configured mounts join the same list and the same dispatch.
import type { JailConfig } from "../../config/model.ts";
import { MS } from "../../sys/constants.ts";
import { op, type Op, type OpOrigin } from "../types.ts";
import { planProc, type ProcMount } from "./proc.ts";

/** A mount as the planners see it: a tagged union, one planner per kind. */
export type Mount = ProcMount;

type Planners = { readonly [K in Mount["kind"]]: (mount: Extract<Mount, { kind: K }>, origin: OpOrigin) => Op[] };

const PLANNERS: Planners = { proc: planProc };

function planMount(mount: Mount, origin: OpOrigin): Op[] {
  return PLANNERS[mount.kind](mount, origin);
}

/** Mounts the namespaces imply: a pid namespace needs a /proc that shows only its processes. */
function impliedMounts(config: JailConfig): [Mount, OpOrigin][] {
  if (!config.unshare.has("pid")) return [];
  return [[{ kind: "proc", dst: "/proc" }, { path: "unshare.pid", note: "mount proc on /proc (only the jail's processes)" }]];
}

export function planMounts(config: JailConfig): Op[] {
  if (!config.unshare.has("fs")) return [];
  return [
    // Before any other mount: with systemd "/" is shared, and without this every mount
    // below would propagate back into the host's namespace.
    op("mount", [null, "/", null, MS.REC | MS.PRIVATE, null], { path: "unshare.fs", note: "make every mount private" }),
    ...impliedMounts(config).flatMap(([mount, origin]) => planMount(mount, origin)),
  ];
}
