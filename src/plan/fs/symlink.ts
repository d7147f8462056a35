// Stage 2 (plan): a symbolic link, made from its parent's fd inside the new root.
import type { MountSpec } from "../../config/fs/model.ts";
import { op, type Op } from "../types.ts";
import type { MountAt } from "./place.ts";

export type SymlinkMount = Extract<MountSpec, { kind: "symlink" }>;

export function planSymlink(m: SymlinkMount, at: MountAt): Op[] {
  return [
    ...at.root.parents(m.dst, at.o),
    ...at.root.inParent(m.dst, (dir, name) => [op("symlinkat", [m.target, dir, name], at.o(`symlink ${m.dst} → ${m.target}`))], at.o),
  ];
}
