// Stage 1 (config): the [limits] table → LimitsSpec. cgroup limits (memory, memory_swap, pids,
// cpu, cgroup_version), rlimits as `rlimit_<resource>` keys, the nice level and CPU affinity.
import { describe, expectInt, isTable, type Report } from "./expect.ts";
import { numeric, parseCpuList, parseRlimit, parseSize, type RlimitBound, type RlimitUnit } from "./limit-values.ts";
import { didYouMean } from "./suggest.ts";

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

/** The kernel's PID_MAX_LIMIT: pids.max accepts nothing larger. */
const PIDS_MAX = 4_194_304;
/** cpu.max periods are 100 ms; the kernel refuses quotas under 1 ms, i.e. 0.01 CPU. */
export const CPU_MIN = 0.01;
const CPU_MAX = 4096;
/** A smaller memory limit is almost surely a missing unit ("64" for "64M"). */
const MEMORY_MIN = 1 << 20;
/** Unknown keys longer than this get no did-you-mean: the edit distance is quadratic. */
const SUGGEST_MAX = 32;

/** The key docs: the CLI flag, the value placeholder and one line for docs/config.md. */
export interface LimitKeySpec {
  readonly key: string;
  readonly flag: string;
  readonly placeholder: string;
  readonly doc: string;
}

const rlimitDoc = (name: RlimitName): LimitKeySpec => ({
  key: `rlimit_${name}`,
  flag: `--rlimit-${name}`,
  placeholder: "N|SOFT:HARD|inf",
  doc: `RLIMIT_${name.toUpperCase()} of the command in ${RLIMIT_UNITS[name]}${RLIMIT_UNITS[name] === "bytes" ? " (or K/M/G/T)" : ""}: one value for both bounds, "soft:hard", or "inf"; inherited when absent.`,
});

export const LIMIT_KEYS: readonly LimitKeySpec[] = [
  { key: "memory", flag: "--memory", placeholder: "SIZE", doc: 'cgroup memory limit: bytes or K/M/G/T (e.g. "64M"), or "max"; the command is OOM-killed above it.' },
  { key: "memory_swap", flag: "--memory-swap", placeholder: "SIZE", doc: 'Swap the jail may use on top of `memory` (0 = none), or "max"; needs `memory`. Absent, swap is not limited.' },
  { key: "pids", flag: "--pids", placeholder: "N", doc: 'cgroup limit on processes and threads alive at once in the jail (fork fails above it), or "max".' },
  { key: "cpu", flag: "--cpu", placeholder: "CPUS", doc: "CPU bandwidth as a fraction of one CPU (0.5 = half a CPU, 2 = two CPUs), at least 0.01." },
  { key: "cgroup_version", flag: "--cgroup-version", placeholder: "auto|v1|v2", doc: "cgroup hierarchy for the limits above: `auto` picks v2 when it has the controllers, else v1." },
  { key: "nice", flag: "--nice", placeholder: "N", doc: "Nice level of the command, -20..19 (below the current level needs CAP_SYS_NICE)." },
  { key: "cpu_affinity", flag: "--cpu-affinity", placeholder: "LIST", doc: 'CPUs the command may run on, e.g. "0-3,6", or an array of CPU numbers.' },
  ...(Object.keys(RLIMIT_UNITS) as RlimitName[]).map(rlimitDoc),
];
const KEY_NAMES = LIMIT_KEYS.map((k) => k.key);

type Draft = { -readonly [K in keyof Omit<LimitsSpec, "rlimits">]: LimitsSpec[K] } & { rlimits: RlimitSpec[] };

/** "max" means no limit, as cgroup files write it. */
function sizeOrMax(v: unknown, path: string, report: Report): number | null | undefined {
  return v === "max" ? null : parseSize(v, path, report);
}

function readCpu(v: unknown, path: string, report: Report): number | undefined {
  const n = numeric(v);
  if (typeof n === "number" && n >= CPU_MIN && n <= CPU_MAX) return n;
  report(path, `expected a fraction of one CPU from ${CPU_MIN} to ${CPU_MAX} (e.g. 0.5), got ${typeof n === "number" ? n : describe(v)}`);
  return undefined;
}

function readVersion(v: unknown, path: string, report: Report): CgroupVersion | undefined {
  if ((CGROUP_VERSIONS as readonly unknown[]).includes(v)) return v as CgroupVersion;
  const hint = typeof v === "string" ? didYouMean(v, CGROUP_VERSIONS) : "";
  report(path, `expected one of ${CGROUP_VERSIONS.join(", ")}, got ${describe(v)}${hint}`);
  return undefined;
}

/** Reads one key into the draft; false when it reported an issue. */
function readKey(d: Draft, key: string, v: unknown, path: string, report: Report): boolean {
  const set = <K extends keyof Draft>(field: K, value: Draft[K] | undefined): boolean => {
    if (value === undefined) return false;
    d[field] = value;
    return true;
  };
  if (key.startsWith("rlimit_")) {
    const resource = key.slice("rlimit_".length) as RlimitName;
    const r = parseRlimit(v, RLIMIT_UNITS[resource], path, report);
    if (r !== undefined) d.rlimits.push({ resource, ...r });
    return r !== undefined;
  }
  switch (key) {
    case "memory": {
      const bytes = sizeOrMax(v, path, report);
      if (bytes !== null && bytes !== undefined && bytes < MEMORY_MIN) {
        report(path, `${bytes} bytes is too small for a jail (at least 1M): did you mean "${bytes}M"?`);
        return false;
      }
      return set("memory", bytes);
    }
    case "memory_swap":
      return set("memorySwap", sizeOrMax(v, path, report));
    case "pids":
      return set("pids", v === "max" ? null : expectInt(numeric(v), path, report, 1, PIDS_MAX));
    case "cpu":
      return set("cpu", readCpu(v, path, report));
    case "cgroup_version":
      return set("cgroupVersion", readVersion(v, path, report));
    case "nice":
      return set("nice", expectInt(numeric(v), path, report, -20, 19));
    case "cpu_affinity":
      return set("cpuAffinity", parseCpuList(v, path, report));
  }
  return false;
}

/**
 * The [limits] table at `path`, or undefined after reporting every problem in it. Values may
 * also be decimal strings, as the flags (`--pids 20`) hand them over.
 */
export function readLimits(v: unknown, path: string, report: Report): LimitsSpec | undefined {
  if (!isTable(v)) {
    report(path, `expected a table ([${path}]), got ${describe(v)}`);
    return undefined;
  }
  const d: Draft = { ...NO_LIMITS, rlimits: [] };
  let ok = true;
  for (const [key, value] of Object.entries(v)) {
    const at = `${path}.${key}`;
    if (!KEY_NAMES.includes(key)) {
      report(at, `unknown key${key.length <= SUGGEST_MAX ? didYouMean(key, KEY_NAMES) : ""}`);
      ok = false;
    } else if (!readKey(d, key, value, at, report)) ok = false;
  }
  if (ok && d.memorySwap !== null && d.memory === null) {
    report(`${path}.memory_swap`, "needs `memory`: swap is allowed on top of a memory limit");
    ok = false;
  }
  if (!ok) return undefined;
  const order = Object.keys(RLIMIT_UNITS);
  d.rlimits.sort((a, b) => order.indexOf(a.resource) - order.indexOf(b.resource));
  return Object.freeze({ ...d, rlimits: Object.freeze(d.rlimits), cpuAffinity: d.cpuAffinity && Object.freeze(d.cpuAffinity) });
}
