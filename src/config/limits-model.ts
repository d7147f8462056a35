// Stage 1 (config): what a jail's [limits] table means once read — LimitsSpec, its resources
// and key names — without the reader (config/limits.ts), which only a jail with limits loads.
import type { RlimitBound, RlimitUnit } from "./limit-values.ts";

/** setrlimit(2) resources by their RLIMIT_<NAME>, and the unit of a plain number. */
export const RLIMIT_UNITS = {
  as: "bytes", core: "bytes", cpu: "seconds", data: "bytes", fsize: "bytes", locks: "count",
  memlock: "bytes", msgqueue: "bytes", nice: "count", nofile: "count", nproc: "count",
  rtprio: "count", rttime: "microseconds", sigpending: "count", stack: "bytes",
} as const satisfies Record<string, RlimitUnit>;
export type RlimitName = keyof typeof RLIMIT_UNITS;

export interface RlimitSpec {
  readonly resource: RlimitName;
  readonly soft: RlimitBound;
  readonly hard: RlimitBound;
}

export const CGROUP_VERSIONS = ["auto", "v1", "v2"] as const;
export type CgroupVersion = (typeof CGROUP_VERSIONS)[number];

export interface LimitsSpec {
  /** cgroup memory limit in bytes; null: none. */
  readonly memory: number | null;
  /** Swap allowed on top of `memory`, in bytes; null: the kernel's default (no limit). */
  readonly memorySwap: number | null;
  /** Most processes and threads alive at once in the jail's cgroup; null: none. */
  readonly pids: number | null;
  /** CPU bandwidth as a fraction of one CPU (2 = two whole CPUs); null: none. */
  readonly cpu: number | null;
  readonly cgroupVersion: CgroupVersion;
  /** Only the resources given, in RLIMIT_UNITS order; the rest are inherited. */
  readonly rlimits: readonly RlimitSpec[];
  /** Nice level of the command, -20..19; null: inherited. */
  readonly nice: number | null;
  /** CPUs the command may run on, sorted; null: inherited. */
  readonly cpuAffinity: readonly number[] | null;
}

export const NO_LIMITS: LimitsSpec = Object.freeze({
  memory: null, memorySwap: null, pids: null, cpu: null, cgroupVersion: "auto",
  rlimits: Object.freeze([]), nice: null, cpuAffinity: null,
});

/** Whether the jail needs a cgroup of its own (and so the cgroup code at all). */
export function usesCgroup(l: LimitsSpec): boolean {
  return l.memory !== null || l.memorySwap !== null || l.pids !== null || l.cpu !== null;
}

/** Whether the jail's first process has rlimit, nice or affinity ops to run. */
export function usesProcessLimits(l: LimitsSpec): boolean {
  return l.rlimits.length > 0 || l.nice !== null || l.cpuAffinity !== null;
}

/** The keys of the [limits] table, in the order of the docs. */
export const LIMIT_KEY_NAMES: readonly string[] = [
  "memory", "memory_swap", "pids", "cpu", "cgroup_version", "nice", "cpu_affinity",
  ...Object.keys(RLIMIT_UNITS).map((name) => `rlimit_${name}`),
];
