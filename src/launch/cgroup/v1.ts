// Stage 5 (launch): cgroup v1 — one directory per controller hierarchy, and what the
// kernel counted for a jail.
import { keyedValue, readOr, type CgroupFs } from "./fs.ts";
import type { CgroupUsage } from "./limits.ts";

/** Controllers a v1 jail joins even without a limit in them: they count what the exit
 * record reports (OOM kills and peak memory; CPU time). */
export const V1_ACCOUNTING = ["memory", "cpuacct"] as const;

/** `dirs`: controller → the jail's directory in that controller's hierarchy. */
export function readV1Usage(fs: CgroupFs, dirs: ReadonlyMap<string, string>): CgroupUsage {
  const memory = dirs.get("memory");
  const cpuacct = dirs.get("cpuacct");
  const peak = memory === undefined ? "" : readOr(fs, `${memory}/memory.max_usage_in_bytes`, "").trim();
  const usageNs = cpuacct === undefined ? "" : readOr(fs, `${cpuacct}/cpuacct.usage`, "").trim();
  return {
    // oom_kill is in memory.oom_control since Linux 4.13; memory.failcnt counts every time
    // the limit was hit, reclaim included, so it cannot tell an OOM kill.
    oomKills: memory === undefined ? null : keyedValue(readOr(fs, `${memory}/memory.oom_control`, ""), "oom_kill"),
    memoryPeak: /^\d+$/.test(peak) ? Number(peak) : null,
    cpuUsec: /^\d+$/.test(usageNs) ? Math.round(Number(usageNs) / 1000) : null,
  };
}
