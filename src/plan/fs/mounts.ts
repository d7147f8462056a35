// Stage 2 (plan): the mounts of a jail, in order, each through the planner of its kind. An
// optional mount's ops are all optional: when one fails, the warning names it and the rest of
// that mount is passed over (its closes still run; closing an empty slot does nothing).
import type { MountSpec } from "../../config/fs/model.ts";
import type { Op } from "../types.ts";
import { planBind, type BindMount } from "./bind.ts";
import { planDev, type DevMount } from "./dev.ts";
import { planDir, type DirMount } from "./dir.ts";
import { planFile, type FileMount } from "./file.ts";
import { planMqueue, type MqueueMount } from "./mqueue.ts";
import { planFs, type FsMount } from "./other-fs.ts";
import { planOverlay, type OverlayMount } from "./overlay.ts";
import type { MountAt } from "./place.ts";
import { planProc, type ProcMount } from "./proc.ts";
import { planSymlink, type SymlinkMount } from "./symlink.ts";
import { planTmpfs, type TmpfsMount } from "./tmpfs.ts";

/** A mount as the planners see it: a tagged union, one planner per kind. */
export type Mount = BindMount | TmpfsMount | ProcMount | DevMount | MqueueMount | OverlayMount | FsMount | SymlinkMount | DirMount | FileMount;

type Planners = { readonly [K in Mount["kind"]]: (mount: Extract<Mount, { kind: K }>, at: MountAt) => Op[] };

const PLANNERS: Planners = {
  bind: planBind,
  tmpfs: planTmpfs,
  proc: planProc,
  dev: planDev,
  mqueue: planMqueue,
  overlay: planOverlay,
  fs: planFs,
  symlink: planSymlink,
  dir: planDir,
  file: planFile,
};

// Every config kind has a planner: this fails to compile when MountSpec gains a kind first.
const _covers: MountSpec extends Mount ? true : never = true;
void _covers;

export function planMount(mount: Mount, at: MountAt): Op[] {
  const ops = (PLANNERS[mount.kind] as (m: Mount, at: MountAt) => Op[])(mount, at);
  return mount.optional ? optionalOps(ops) : ops;
}

/** Every op optional; a failure skips ahead to the closes at the end. */
function optionalOps(ops: readonly Op[]): Op[] {
  let closes = ops.length;
  while (closes > 0 && ops[closes - 1]!.kind === "close") closes--;
  return ops.map((o, i) => ({ ...o, optional: true, skip: i < closes ? closes - i - 1 : 0 }));
}
