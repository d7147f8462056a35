// Stage 2 (plan): a fresh file system as ops of the new mount API — fsopen, one fsconfig per
// option of the data string, create, fsmount — and the mount attributes of a mount's flags.
import type { MountFlags } from "../../config/fs/model.ts";
import { attach, type MountAt } from "./place.ts";
import { FSCONFIG, FSMOUNT_CLOEXEC, FSOPEN_CLOEXEC, MOUNT_ATTR } from "../../sys/fs-constants.ts";
import { fd, op, type Op, type OpOrigin } from "../types.ts";

/** MOUNT_ATTR_* of nosuid/nodev/noexec, and of read-only unless `rw` or `keepWritable`. */
export function attrsOf(flags: MountFlags, keepWritable = false): number {
  let attrs = 0;
  if (flags.nosuid) attrs |= MOUNT_ATTR.NOSUID;
  if (flags.nodev) attrs |= MOUNT_ATTR.NODEV;
  if (flags.noexec) attrs |= MOUNT_ATTR.NOEXEC;
  if (!flags.rw && !keepWritable) attrs |= MOUNT_ATTR.RDONLY;
  return attrs;
}

/** `size=64m,mode=1777,newinstance` → [key, value] pairs; a bare word is a flag (value null). */
export function dataOptions(data: string): [string, string | null][] {
  return data
    .split(",")
    .filter((item) => item !== "")
    .map((item) => {
      const eq = item.indexOf("=");
      return eq < 0 ? [item, null] : [item.slice(0, eq), item.slice(eq + 1)];
    });
}

/**
 * fsopen(fstype) → fsconfig(source) → fsconfig per option → create → fsmount into the slot
 * `into`, with `attrs`; the context is closed. `options` is a mount(2) data string.
 */
export function newMount(
  fstype: string,
  source: string,
  options: string,
  attrs: number,
  into: "new_root" | "mnt" | "sub",
  o: (note: string) => OpOrigin,
): Op[] {
  const ops = [
    op("fsopen", [fd("fs"), fstype, FSOPEN_CLOEXEC], o(`open a ${fstype} file system`)),
    op("fsconfig", [fd("fs"), FSCONFIG.SET_STRING, "source", source, 0], o(`${fstype} source ${source}`)),
  ];
  for (const [key, value] of dataOptions(options)) {
    const [cmd, shown] = value === null ? [FSCONFIG.SET_FLAG, key] : [FSCONFIG.SET_STRING, `${key}=${value}`];
    ops.push(op("fsconfig", [fd("fs"), cmd, key, value, 0], o(`${fstype} option ${shown}`)));
  }
  ops.push(
    op("fsconfig", [fd("fs"), FSCONFIG.CMD_CREATE, null, null, 0], o(`create the ${fstype} file system`)),
    op("fsmount", [fd(into), fd("fs"), FSMOUNT_CLOEXEC, attrs], o(`mount the ${fstype} file system`)),
    op("close", [fd("fs")], o(`close the ${fstype} context`)),
  );
  return ops;
}

/** A fresh file system of `fstype` mounted at a mount's `dst`: the whole plan of a proc, an
 * mqueue or any other type that needs nothing more. */
export function planFresh(
  fstype: string,
  source: string,
  m: { readonly dst: string; readonly options: string; readonly flags: MountFlags; readonly create: boolean },
  at: MountAt,
): Op[] {
  return [
    ...newMount(fstype, source, m.options, attrsOf(m.flags), "mnt", at.o),
    ...at.root.target(m.dst, "dir", m.create, at.o),
    ...attach(fstype, m.dst, at.o),
  ];
}
