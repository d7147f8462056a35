// Stage 5 (launch): [limits] → the controllers a jail needs and the files that set them,
// for either hierarchy; and the usage record read back when the jail ends.
import type { LimitsSpec } from "../../config/limits-model.ts";

/** One value for one cgroup file; `key` names the config key in error messages. */
export interface LimitWrite {
  readonly controller: string;
  readonly file: string;
  readonly text: string;
  readonly key: string;
}

/** What the kernel counted for the jail, for the exit record; null where it does not say. */
export interface CgroupUsage {
  /** Processes the OOM killer killed in the jail. */
  readonly oomKills: number | null;
  /** The jail's highest memory use, in bytes. */
  readonly memoryPeak: number | null;
  /** CPU time of every process that ran in the jail, in microseconds. */
  readonly cpuUsec: number | null;
}

/** cpu.max / cpu.cfs_period_us: 100 ms, the kernel's default period. */
const CPU_PERIOD_US = 100_000;

export function neededControllers(l: LimitsSpec): string[] {
  const out: string[] = [];
  if (l.memory !== null || l.memorySwap !== null) out.push("memory");
  if (l.pids !== null) out.push("pids");
  if (l.cpu !== null) out.push("cpu");
  return out;
}

export function limitWrites(l: LimitsSpec, version: 1 | 2): LimitWrite[] {
  const w = (controller: string, file: string, text: string | number, key: string): LimitWrite => ({ controller, file, text: String(text), key });
  const out: LimitWrite[] = [];
  const quota = l.cpu === null ? 0 : Math.round(l.cpu * CPU_PERIOD_US);
  if (version === 2) {
    if (l.memory !== null) out.push(w("memory", "memory.max", l.memory, "limits.memory"));
    if (l.memorySwap !== null) out.push(w("memory", "memory.swap.max", l.memorySwap, "limits.memory_swap"));
    if (l.pids !== null) out.push(w("pids", "pids.max", l.pids, "limits.pids"));
    if (l.cpu !== null) out.push(w("cpu", "cpu.max", `${quota} ${CPU_PERIOD_US}`, "limits.cpu"));
    return out;
  }
  // v1 limits memory+swap together, and only at or above the memory limit: set that first.
  if (l.memory !== null) out.push(w("memory", "memory.limit_in_bytes", l.memory, "limits.memory"));
  if (l.memory !== null && l.memorySwap !== null) {
    out.push(w("memory", "memory.memsw.limit_in_bytes", l.memory + l.memorySwap, "limits.memory_swap"));
  }
  if (l.pids !== null) out.push(w("pids", "pids.max", l.pids, "limits.pids"));
  if (l.cpu !== null) {
    out.push(w("cpu", "cpu.cfs_period_us", CPU_PERIOD_US, "limits.cpu"));
    out.push(w("cpu", "cpu.cfs_quota_us", quota, "limits.cpu"));
  }
  return out;
}
