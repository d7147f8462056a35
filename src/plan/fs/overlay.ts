// Stage 2 (plan): an overlay of host directories. With no upper/work it gets a throwaway
// writable layer: a detached tmpfs holding upper/ and work/, named relative to the working
// directory (overlay takes paths, not fds) while it is the cwd. In a user namespace overlay
// keeps its own attributes in user.* xattrs (userxattr): trusted.* needs host root.
import type { MountSpec } from "../../config/fs/model.ts";
import { fd, op, type Op } from "../types.ts";
import { attrsOf, newMount } from "./new-mount.ts";
import { attach, type MountAt } from "./place.ts";

export type OverlayMount = Extract<MountSpec, { kind: "overlay" }>;

export function planOverlay(m: OverlayMount, at: MountAt): Op[] {
  const layer = m.upper === null ? throwawayLayer(m, at) : [];
  const upper = m.upper === null ? ["upperdir=upper", "workdir=work"] : [`upperdir=${m.upper}`, `workdir=${m.work}`];
  const data = [`lowerdir=${m.lower.join(":")}`, ...upper, at.root.userNs ? "userxattr" : "", m.options];
  const ops = [
    ...layer,
    ...newMount("overlay", "overlay", data.filter((d) => d !== "").join(","), attrsOf(m.flags), "mnt", at.o),
    ...(m.upper === null ? [op("fchdir", [fd("new_root")], at.o("leave the throwaway layer")), op("close", [fd("sub")], at.o("close the throwaway layer"))] : []),
    ...at.root.target(m.dst, "dir", m.create, at.o),
    ...attach("overlay", m.dst, at.o),
  ];
  return ops;
}

function throwawayLayer(m: OverlayMount, at: MountAt): Op[] {
  return [
    ...newMount("tmpfs", "tmpfs", "mode=0755", 0, "sub", at.o),
    op("mkdirat", [fd("sub"), "upper", 0o755], at.o(`make the upper layer of ${m.dst}`)),
    op("mkdirat", [fd("sub"), "work", 0o755], at.o(`make the work directory of ${m.dst}`)),
    op("fchdir", [fd("sub")], at.o(`enter the throwaway layer of ${m.dst}`)),
  ];
}
