// Stage 2 (plan): the mount namespace — private propagation first, then a fresh /proc.
import type { JailConfig } from "../config/model.ts";
import { MS } from "../sys/constants.ts";
import { op, type Op } from "./types.ts";

export function planMounts(config: JailConfig): Op[] {
  if (!config.unshare.has("fs")) return [];
  const ops = [
    // Before any other mount: with systemd "/" is shared, and without this every mount
    // below would propagate back into the host's namespace.
    op("mount", [null, "/", null, MS.REC | MS.PRIVATE, null], { path: "unshare.fs", note: "make every mount private" }),
  ];
  if (config.unshare.has("pid")) {
    ops.push(
      op("mount", ["proc", "/proc", "proc", MS.NOSUID | MS.NODEV | MS.NOEXEC, null], {
        path: "unshare.pid",
        note: "mount proc on /proc (only the jail's processes)",
      }),
    );
  }
  return ops;
}
