// Stage 2 (plan): the file-system phases of build.ts. A jail without file-system keys keeps the
// host's tree in a private mount namespace, with a fresh /proc for its pid namespace: planned
// here in a few lines. A new root and the hooks are planned in root.ts and hooks.ts, loaded
// only for jails that have them.
import type { FsConfig, HookPhase } from "../../config/fs/model.ts";
import type { HostFacts } from "../../config/host.ts";
import type { IdMap, JailConfig } from "../../config/model.ts";
import { MS } from "../../sys/constants.ts";
import { op, type Op } from "../types.ts";

type Root = typeof import("./root.ts");
type Hooks = typeof import("./hooks.ts");

/** Whether the jail gets a new root: a rootfs, mounts or kept mounts (into an empty tmpfs
 * without a rootfs), or the seed's pivot_root. */
export function hasNewRoot(fs: FsConfig): boolean {
  return fs.rootfs !== null || fs.pivotRoot !== null || fs.mounts.length > 0 || fs.keepMounts.length > 0;
}

/** Before any other mount: with systemd "/" is shared, and without this every mount below
 * would propagate back into the host's namespace. */
export function planFsPrepare(config: JailConfig, host: HostFacts): Op[] {
  if (!config.unshare.has("fs")) return [];
  const origin = { path: "unshare.fs", note: "make every mount private" };
  return [op("mount", [null, "/", null, MS.REC | MS.PRIVATE, null], origin), ...planFsIds(config, host)];
}

/** The inside id that `outside` has in `map`, or null when the map leaves it out. */
function insideOf(map: readonly IdMap[], outside: number): number | null {
  const m = map.find((r) => outside >= r.outside && outside < r.outside + r.count);
  return m === undefined ? null : m.inside + (outside - m.outside);
}

/**
 * The kernel makes no file (EOVERFLOW) in a file system of the jail's user namespace for a
 * process whose ids that namespace does not map: root's jail, mapped to 65534 by default, is
 * such a process until its ids change. Until then its file ids become mapped ones (the jail's
 * root when mapped, else the command's), which leaves its capabilities as they are.
 */
function planFsIds(config: JailConfig, host: HostFacts): Op[] {
  const fs = config.fs;
  const inJail = fs.hooks.post_jail.length + fs.hooks.as_root.length > 0;
  if (!config.unshare.has("user") || !(hasNewRoot(fs) || inJail)) return [];
  const ops: Op[] = [];
  const pick = (map: readonly IdMap[], own: number) => (map.some((r) => r.inside === 0) ? 0 : own);
  if (insideOf(config.gidMap, host.gid) === null) {
    const gid = pick(config.gidMap, config.gid);
    ops.push(op("setfsgid", [gid], { path: "gid_map", note: `make files as gid ${gid}: the map leaves out nsjail's own gid` }));
  }
  if (insideOf(config.uidMap, host.uid) === null) {
    const uid = pick(config.uidMap, config.uid);
    ops.push(op("setfsuid", [uid], { path: "uid_map", note: `make files as uid ${uid}: the map leaves out nsjail's own uid` }));
  }
  return ops;
}

/** The host's tree gets a /proc that shows only the jail's processes; a new root is built. */
export function planFsMounts(config: JailConfig, host: HostFacts): Op[] {
  if (!config.unshare.has("fs")) return [];
  if (hasNewRoot(config.fs)) return (require("./root.ts") as Root).planRootMounts(config, host);
  if (!config.unshare.has("pid")) return [];
  const origin = { path: "unshare.pid", note: "mount proc on /proc (only the jail's processes)" };
  return [op("mount", ["proc", "/proc", "proc", MS.NOSUID | MS.NODEV | MS.NOEXEC, null], origin)];
}

export function planPivot(config: JailConfig, host: HostFacts): Op[] {
  if (!config.unshare.has("fs") || !hasNewRoot(config.fs)) return [];
  return (require("./root.ts") as Root).planRootPivot(config, host);
}

/** The phase of one in-jail hook key; empty (and nothing loaded) without hooks there. */
export function planHookPhase(phase: Exclude<HookPhase, "pre_jail" | "post_spawn">): (config: JailConfig) => Op[] {
  return (config) => (config.fs.hooks[phase].length === 0 ? [] : (require("./hooks.ts") as Hooks).planHooks(config, phase));
}
