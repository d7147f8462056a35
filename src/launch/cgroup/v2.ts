// Stage 5 (launch): cgroup v2 — controllers for our jails in our own (delegated) cgroup under
// the no-internal-processes rule, and what the kernel counted for a jail.
import { CgroupError, cgroupFailure, delegateHint } from "./errors.ts";
import { ERRNO, errnoOf, keyedValue, readOr, words, type CgroupEnv, type CgroupFs } from "./fs.ts";
import type { CgroupUsage } from "./limits.ts";

/** The leaf nsjail moves itself into when its cgroup must hand controllers to children. */
export const SUPERVISOR_LEAF = "supervisor";

export function availableControllers(fs: CgroupFs, base: string): string[] {
  return words(readOr(fs, `${base}/cgroup.controllers`, ""));
}

/**
 * Makes `controllers` available to children of `base`. A cgroup other than the root that
 * has controllers in cgroup.subtree_control may hold no processes itself, so when nsjail
 * still lives in `base` (EBUSY) it moves into `base/supervisor` first, as a Delegate=yes
 * service does. Other processes in `base` are not ours to move: that is an error.
 */
export function enableControllers(env: CgroupEnv, base: string, controllers: readonly string[]): void {
  const available = availableControllers(env.fs, base);
  const missing = controllers.filter((c) => !available.includes(c));
  if (missing.length > 0) {
    const has = available.length > 0 ? available.join(" ") : "none";
    throw new CgroupError(`cgroup v2: ${base} offers no ${missing.join(", ")} controller (cgroup.controllers: ${has}) — ${delegateHint(2, env.uid)}`);
  }
  const file = `${base}/cgroup.subtree_control`;
  const enabled = words(readOr(env.fs, file, ""));
  const line = controllers.filter((c) => !enabled.includes(c)).map((c) => `+${c}`).join(" ");
  if (line === "") return;
  try {
    env.fs.write(file, line);
    return;
  } catch (err) {
    if (errnoOf(err) !== ERRNO.EBUSY) throw cgroupFailure(2, `write "${line}" to ${file}`, err, env.uid);
  }
  moveIntoLeaf(env, base);
  try {
    env.fs.write(file, line);
  } catch (err) {
    if (errnoOf(err) !== ERRNO.EBUSY) throw cgroupFailure(2, `write "${line}" to ${file}`, err, env.uid);
    const others = words(readOr(env.fs, `${base}/cgroup.procs`, "")).slice(0, 5).join(", ");
    throw new CgroupError(
      `cgroup v2: write "${line}" to ${file}: EBUSY — other processes (${others}) share nsjail's cgroup, which may hold none once its children get controllers; give nsjail a cgroup of its own: systemd-run --user -p Delegate=yes --scope nsjail ...`,
    );
  }
}

function moveIntoLeaf(env: CgroupEnv, base: string): void {
  const leaf = `${base}/${SUPERVISOR_LEAF}`;
  try {
    env.fs.mkdir(leaf);
  } catch (err) {
    if (errnoOf(err) !== ERRNO.EEXIST) throw cgroupFailure(2, `mkdir ${leaf}`, err, env.uid);
  }
  try {
    env.fs.write(`${leaf}/cgroup.procs`, String(env.pid));
  } catch (err) {
    throw cgroupFailure(2, `move nsjail (pid ${env.pid}) into ${leaf}`, err, env.uid);
  }
}

/** memory.peak needs Linux ≥ 5.19; cpu.stat is there even without the cpu controller. */
export function readV2Usage(fs: CgroupFs, dir: string): CgroupUsage {
  const events = readOr(fs, `${dir}/memory.events`, "");
  const peak = readOr(fs, `${dir}/memory.peak`, "").trim();
  return {
    oomKills: keyedValue(events, "oom_kill"),
    memoryPeak: /^\d+$/.test(peak) ? Number(peak) : null,
    cpuUsec: keyedValue(readOr(fs, `${dir}/cpu.stat`, ""), "usage_usec"),
  };
}
