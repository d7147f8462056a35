// Stage 2 (plan): a fresh tmpfs. nsjail made it, so mount points below it are made freely;
// a read-only one turns read-only after the last mount.
import type { MountSpec } from "../../config/fs/model.ts";
import type { Op } from "../types.ts";
import { attrsOf, newMount } from "./new-mount.ts";
import { attach, type MountAt } from "./place.ts";

export type TmpfsMount = Extract<MountSpec, { kind: "tmpfs" }>;

export function planTmpfs(m: TmpfsMount, at: MountAt): Op[] {
  const data = [m.size === null ? "" : `size=${m.size}`, m.mode === null ? "" : `mode=${m.mode.toString(8).padStart(4, "0")}`, m.options];
  const ops = [
    ...newMount("tmpfs", "tmpfs", data.filter((d) => d !== "").join(","), attrsOf(m.flags, true), "mnt", at.o),
    ...at.root.target(m.dst, "dir", m.create, at.o),
    ...attach("tmpfs", m.dst, at.o),
  ];
  at.root.own(m.dst);
  if (!m.flags.rw) at.root.readOnlyLater(m.dst, at.o);
  return ops;
}
