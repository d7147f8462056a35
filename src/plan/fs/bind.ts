// Stage 2 (plan): a bind of a host path. open_tree clones it (with the mounts below it when
// recursive, which a user namespace requires for a tree holding host mounts), the flags go on
// the detached clone with mount_setattr AT_RECURSIVE — read-only reaches every submount and
// never clears a flag the kernel locked — and move_mount puts it in place.
import type { MountSpec } from "../../config/fs/model.ts";
import { AT_EMPTY_PATH, AT_RECURSIVE, OPEN_TREE } from "../../sys/fs-constants.ts";
import { fd, op, type Op } from "../types.ts";
import { attrsOf } from "./new-mount.ts";
import { attach, setAttrs, type MountAt } from "./place.ts";

export type BindMount = Extract<MountSpec, { kind: "bind" }>;

export function planBind(m: BindMount, at: MountAt): Op[] {
  const flags = OPEN_TREE.CLONE | OPEN_TREE.CLOEXEC | (m.recursive ? AT_RECURSIVE : 0);
  const ops = [op("open_tree", [fd("mnt"), fd("at_cwd"), m.src, flags], at.o(`clone ${m.src}${m.recursive ? " and the mounts below it" : ""}`))];
  const attrs = attrsOf(m.flags);
  if (attrs !== 0) {
    const recursive = m.recursive ? AT_RECURSIVE : 0;
    ops.push(op("mount_setattr", [fd("mnt"), "", AT_EMPTY_PATH | recursive, setAttrs(attrs)], at.o(`set the flags of ${m.src}`)));
  }
  // A missing source is a directory here: open_tree fails on it first anyway.
  const type = at.host.paths.kind(m.src) === "file" ? "file" : "dir";
  ops.push(...at.root.target(m.dst, type, m.create, at.o), ...attach(m.src, m.dst, at.o));
  return ops;
}
