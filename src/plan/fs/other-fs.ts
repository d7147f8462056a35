// Stage 2 (plan): any other file system type with its data string (sysfs, a block device…).
// sysfs shows the network namespace of the process that opens it: the jail's own.
import type { MountSpec } from "../../config/fs/model.ts";
import type { Op } from "../types.ts";
import { attrsOf, newMount } from "./new-mount.ts";
import { attach, type MountAt } from "./place.ts";

export type FsMount = Extract<MountSpec, { kind: "fs" }>;

export function planFs(m: FsMount, at: MountAt): Op[] {
  return [
    ...newMount(m.fstype, m.src, m.options, attrsOf(m.flags), "mnt", at.o),
    ...at.root.target(m.dst, "dir", m.create, at.o),
    ...attach(m.fstype, m.dst, at.o),
  ];
}
