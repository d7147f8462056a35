// Stage 1 (config): the reader of the [limits] table → LimitsSpec (config/limits-model.ts):
// cgroup limits (memory, memory_swap, pids, cpu, cgroup_version), rlimits as
// `rlimit_<resource>` keys, the nice level and CPU affinity. Loaded only when a jail has limits.
import { describe, expectInt, isTable, type Report } from "./expect.ts";
import { numeric, parseCpuList, parseRlimit, parseSize } from "./limit-values.ts";
import {
  CGROUP_VERSIONS, LIMIT_KEY_NAMES, NO_LIMITS, RLIMIT_UNITS,
  type CgroupVersion, type LimitsSpec, type RlimitName, type RlimitSpec,
} from "./limits-model.ts";
import { didYouMean } from "./suggest.ts";

/** The kernel's PID_MAX_LIMIT: pids.max accepts nothing larger. */
const PIDS_MAX = 4_194_304;
/** cpu.max periods are 100 ms; the kernel refuses quotas under 1 ms, i.e. 0.01 CPU. */
const CPU_MIN = 0.01;
const CPU_MAX = 4096;
/** A smaller memory limit is almost surely a missing unit ("64" for "64M"). */
const MEMORY_MIN = 1 << 20;
/** Unknown keys longer than this get no did-you-mean: the edit distance is quadratic. */
const SUGGEST_MAX = 32;

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
    if (!LIMIT_KEY_NAMES.includes(key)) {
      report(at, `unknown key${key.length <= SUGGEST_MAX ? didYouMean(key, LIMIT_KEY_NAMES) : ""}`);
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
