// Stage 2 (plan): any other file system type with its data string (sysfs, a block device…).
// sysfs shows the network namespace of the process that opens it: the jail's own.
import type { MountSpec } from "../../config/fs/model.ts";
import type { Op } from "../types.ts";
import { planFresh } from "./new-mount.ts";
import type { MountAt } from "./place.ts";

export type FsMount = Extract<MountSpec, { kind: "fs" }>;

export function planFs(m: FsMount, at: MountAt): Op[] {
  return planFresh(m.fstype, m.src, m, at);
}
