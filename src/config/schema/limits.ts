// Stage 1 (config): what the jail may use — the [limits] table (cgroup limits, rlimits, nice,
// CPU affinity) and its flags. The reader (config/limits.ts) is loaded only when the table or
// one of its flags is given, so a jail without limits never parses it.
import type { LimitsSpec } from "../limits-model.ts";
import { NO_LIMITS, RLIMIT_UNITS, type RlimitName } from "../limits-model.ts";
import type { JailConfig } from "../model.ts";
import { defineTable, type KeySpec, type Reader, type ValuesOf } from "./key.ts";

type FieldDoc = Pick<KeySpec, "kind" | "placeholder" | "defaultDoc" | "doc">;

const field = (key: string, d: FieldDoc): KeySpec => ({ key, flag: `--${key.replace(/_/g, "-")}`, repeatable: false, ...d });

const CGROUP_FIELDS: readonly KeySpec[] = [
  field("memory", { kind: "size", placeholder: "SIZE", defaultDoc: "none", doc: 'cgroup memory limit: bytes or K/M/G/T (e.g. "64M"), or "max"; the command is OOM-killed above it.' }),
  field("memory_swap", { kind: "size", placeholder: "SIZE", defaultDoc: "none (swap not limited)", doc: 'Swap the jail may use on top of `memory` (0 = none), or "max"; needs `memory`.' }),
  field("pids", { kind: "uint", placeholder: "N", defaultDoc: "none", doc: 'cgroup limit on processes and threads alive at once in the jail (fork fails above it), or "max".' }),
  field("cpu", { kind: "number", placeholder: "CPUS", defaultDoc: "none", doc: "CPU bandwidth as a fraction of one CPU (0.5 = half a CPU, 2 = two CPUs), at least 0.01." }),
  field("cgroup_version", { kind: "string", placeholder: "auto|v1|v2", defaultDoc: "`auto`", doc: "cgroup hierarchy for the limits above: `auto` picks v2 when it has the controllers, else v1." }),
  field("nice", { kind: "number", placeholder: "N", defaultDoc: "inherited", doc: "Nice level of the command, -20..19 (below the current level needs CAP_SYS_NICE or `rlimit_nice`)." }),
  field("cpu_affinity", { kind: "cpu_list", placeholder: "LIST", defaultDoc: "inherited", doc: 'CPUs the command may run on, e.g. "0-3,6", or an array of CPU numbers.' }),
];

function rlimitField(name: RlimitName): KeySpec {
  const unit = RLIMIT_UNITS[name];
  const suffix = unit === "bytes" ? " (or K/M/G/T)" : "";
  return field(`rlimit_${name}`, {
    kind: "rlimit",
    placeholder: "N|SOFT:HARD|inf",
    defaultDoc: "inherited",
    doc: `RLIMIT_${name.toUpperCase()} of the command in ${unit}${suffix}: one value for both bounds, "soft:hard", or "inf".`,
  });
}

/** Every key of the [limits] table, in LIMIT_KEY_NAMES order, each with its flag. */
export const LIMIT_FIELDS: readonly KeySpec[] = [...CGROUP_FIELDS, ...(Object.keys(RLIMIT_UNITS) as RlimitName[]).map(rlimitField)];

const readLimitsTable: Reader<LimitsSpec> = (v, path, { report }) =>
  (require("../limits.ts") as typeof import("../limits.ts")).readLimits(v, path, report);

export const LIMIT_KEYS = [
  defineTable(
    {
      key: "limits",
      defaultDoc: "none: nothing is limited beyond what nsjail itself has",
      doc: "Resource limits: a cgroup per jail (memory, pids, CPU bandwidth; created before the command starts and removed when the jail ends, or with exec by the next nsjail start), rlimits, the nice level and CPU affinity. A flag sets one key and keeps the file's others.",
      fields: LIMIT_FIELDS,
    },
    readLimitsTable,
  ),
] as const;

export function limitsDefaults(f: Partial<ValuesOf<typeof LIMIT_KEYS>>): Pick<JailConfig, "limits"> {
  return { limits: f.limits ?? NO_LIMITS };
}

