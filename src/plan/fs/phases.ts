// Stage 2 (plan): the file-system phases of build.ts. A jail without file-system keys keeps the
// host's tree in a private mount namespace, with a fresh /proc for its pid namespace: planned
// here in a few lines. A new root and the hooks are planned in root.ts and hooks.ts, loaded
// only for jails that have them.
import type { FsConfig, HookPhase } from "../../config/fs/model.ts";
import type { HostFacts } from "../../config/host.ts";
import type { IdMap, JailConfig } from "../../config/model.ts";
import { C_CONSTANTS, F_SETFD, MS, PR, SIG } from "../../sys/constants.ts";
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
 * Root's jail starts with ids its user namespace does not map (host root, mapped to 65534 by
 * default): the kernel makes no file for it there (EOVERFLOW), and a program a hook execs would
 * lose every capability. So it takes mapped ids at once: the jail's root when the map has one
 * (a real root for the as_root hooks), else the command's. Its capabilities stay as they are.
 */
function planFsIds(config: JailConfig, host: HostFacts): Op[] {
  const fs = config.fs;
  const inJail = fs.hooks.post_jail.length + fs.hooks.as_root.length + fs.hooks.as_user.length > 0;
  if (!config.unshare.has("user") || !(hasNewRoot(fs) || inJail)) return [];
  if (insideOf(config.uidMap, host.uid) !== null && insideOf(config.gidMap, host.gid) !== null) return [];
  const pick = (map: readonly IdMap[], own: number) => (map.some((r) => r.inside === 0) ? 0 : own);
  const [uid, gid] = [pick(config.uidMap, config.uid), pick(config.gidMap, config.gid)];
  const why = "nsjail's own ids are not mapped";
  return [
    op("setresgid", [gid, gid, gid], { path: "gid_map", note: `setresgid ${gid}: ${why}` }),
    op("setresuid", [uid, uid, uid], { path: "uid_map", note: `setresuid ${uid}: ${why}` }),
    // The id change cleared it; the rearm after the final ids checks the parent again.
    op("prctl", [PR.SET_PDEATHSIG, SIG.KILL, 0, 0, 0], { path: "supervisor", note: "die with nsjail again after the id change" }),
  ];
}

/**
 * The fds `file` mounts copy from (copy_fd runs in the setup image): "before" keeps them open
 * across exec_image, "after" makes them close-on-exec again at once, so no hook, init or
 * command inherits one. Fds 0-2 and passed fds are left as they are.
 */
export function planFileFds(config: JailConfig, when: "before" | "after"): Op[] {
  const passed = new Set(config.passFds);
  const fds = new Set<number>();
  for (const m of config.fs.mounts) if (m.kind === "file" && "fd" in m.content && m.content.fd > 2 && !passed.has(m.content.fd)) fds.add(m.content.fd);
  const [flag, note] = when === "before" ? [0, "keep fd %d open across exec_image"] : [C_CONSTANTS.FD_CLOEXEC, "close fd %d on the next exec"];
  return [...fds].map((n) => op("fcntl", [n, F_SETFD, flag], { path: "mount", note: note.replace("%d", String(n)) }));
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
