// Stage 1 (config): the [limits] table — every value syntax, and the exact issues of bad ones.
import { describe, expect, test } from "bun:test";
import TOML from "@iarna/toml";
import { readLimits } from "../../../src/config/limits.ts";
import { NO_LIMITS, usesCgroup, type LimitsSpec } from "../../../src/config/limits-model.ts";

type Issue = [string, string];

function read(toml: string): { spec?: LimitsSpec; issues: Issue[] } {
  const issues: Issue[] = [];
  const raw = (TOML.parse(`[limits]\n${toml}`) as Record<string, unknown>).limits;
  const spec = readLimits(raw, "limits", (path, message) => issues.push([path, message]));
  return { spec, issues };
}

function specOf(toml: string): LimitsSpec {
  const { spec, issues } = read(toml);
  expect(issues).toEqual([]);
  return spec!;
}

describe("[limits] values", () => {
  test("an empty table is no limits at all", () => {
    expect(specOf("")).toEqual(NO_LIMITS);
    expect(usesCgroup(NO_LIMITS)).toBe(false);
  });

  test("sizes: bytes, binary units, fractions, max", () => {
    const cases: [string, number | null][] = [
      ["1048576", 1048576], ['"64M"', 64 * 2 ** 20], ['"1.5G"', 1.5 * 2 ** 30], ['"2048k"', 2 ** 21],
      ['"1T"', 2 ** 40], ['"max"', null], ['"3145728"', 3 * 2 ** 20],
    ];
    for (const [value, bytes] of cases) expect(specOf(`memory = ${value}`).memory).toBe(bytes);
  });

  test("cgroup limits", () => {
    const spec = specOf('memory = "64M"\nmemory_swap = 0\npids = 20\ncpu = 0.5\ncgroup_version = "v2"');
    expect(spec).toMatchObject({ memory: 64 * 2 ** 20, memorySwap: 0, pids: 20, cpu: 0.5, cgroupVersion: "v2" });
    expect(usesCgroup(spec)).toBe(true);
    expect(specOf("cpu = 2").cpu).toBe(2);
    expect(specOf('pids = "max"').pids).toBeNull();
  });

  test("flags hand values over as decimal strings", () => {
    expect(specOf('pids = "20"\ncpu = "0.25"\nnice = "-5"')).toMatchObject({ pids: 20, cpu: 0.25, nice: -5 });
  });

  test("rlimits: one value, soft:hard, inf, units for byte-sized resources; sorted by resource", () => {
    const spec = specOf('rlimit_stack = "8M:inf"\nrlimit_nofile = "64:1024"\nrlimit_core = 0\nrlimit_as = "inf"\nrlimit_cpu = 10');
    expect(spec.rlimits).toEqual([
      { resource: "as", soft: "inf", hard: "inf" },
      { resource: "core", soft: 0, hard: 0 },
      { resource: "cpu", soft: 10, hard: 10 },
      { resource: "nofile", soft: 64, hard: 1024 },
      { resource: "stack", soft: 8 * 2 ** 20, hard: "inf" },
    ]);
  });

  test("nice and CPU affinity", () => {
    expect(specOf("nice = -20").nice).toBe(-20);
    expect(specOf('cpu_affinity = "0-3,6"').cpuAffinity).toEqual([0, 1, 2, 3, 6]);
    expect(specOf('cpu_affinity = "5, 1-2 ,2-3"').cpuAffinity).toEqual([1, 2, 3, 5]);
    expect(specOf("cpu_affinity = [3, 1, 3]").cpuAffinity).toEqual([1, 3]);
    expect(specOf('cpu_affinity = "0-1023"').cpuAffinity).toHaveLength(1024);
  });

  test("the spec is frozen", () => {
    const spec = specOf('rlimit_nofile = 8\ncpu_affinity = "0"');
    expect(Object.isFrozen(spec) && Object.isFrozen(spec.rlimits) && Object.isFrozen(spec.cpuAffinity)).toBe(true);
  });
});

const BAD: [string, string, Issue[]][] = [
  ["unknown key", "memroy = 1", [["limits.memroy", "unknown key (did you mean 'memory'?)"]]],
  ["rlimit typo", "rlimit_nofiles = 1", [["limits.rlimit_nofiles", "unknown key (did you mean 'rlimit_nofile'?)"]]],
  ["long unknown key: no suggestion", `${"m".repeat(40)} = 1`, [[`limits.${"m".repeat(40)}`, "unknown key"]]],
  ["size without unit letter", 'memory = "64MB"', [["limits.memory", "expected a size: bytes, or a number with K, M, G or T (e.g. 512K, 64M, 1.5G); got '64MB'"]]],
  ["memory forgot its unit", "memory = 64", [["limits.memory", '64 bytes is too small for a jail (at least 1M): did you mean "64M"?']]],
  ["negative size", "memory = -1", [["limits.memory", "expected a size, got -1"]]],
  ["swap without memory", "memory_swap = 0", [["limits.memory_swap", "needs `memory`: swap is allowed on top of a memory limit"]]],
  ["pids zero", "pids = 0", [["limits.pids", "expected an integer ≥ 1, got 0"]]],
  ["pids too many", "pids = 5000000", [["limits.pids", "5000000 is too large (at most 4194304)"]]],
  ["cpu zero", "cpu = 0", [["limits.cpu", "expected a fraction of one CPU from 0.01 to 4096 (e.g. 0.5), got 0"]]],
  ["cpu word", 'cpu = "half"', [["limits.cpu", "expected a fraction of one CPU from 0.01 to 4096 (e.g. 0.5), got 'half'"]]],
  ["nice out of range", "nice = 20", [["limits.nice", "20 is too large (at most 19)"]]],
  ["cgroup version typo", 'cgroup_version = "v3"', [["limits.cgroup_version", "expected one of auto, v1, v2, got 'v3' (did you mean 'v1'?)"]]],
  ["rlimit soft above hard", 'rlimit_nofile = "100:10"', [["limits.rlimit_nofile", "the soft limit (100) is above the hard limit (10)"]]],
  ["rlimit inf soft, finite hard", 'rlimit_nofile = "inf:10"', [["limits.rlimit_nofile", "the soft limit (inf) is above the hard limit (10)"]]],
  ["rlimit three parts", 'rlimit_nofile = "1:2:3"', [["limits.rlimit_nofile", "expected a number, \"inf\" or \"soft:hard\" (e.g. \"64:1024\"), got '1:2:3'"]]],
  ["rlimit unit on a count", 'rlimit_nofile = "1K"', [["limits.rlimit_nofile", "expected a non-negative integer (count) or \"inf\", got '1K'"]]],
  ["rlimit negative", "rlimit_cpu = -1", [["limits.rlimit_cpu", "expected a non-negative integer (seconds) or \"inf\", got -1"]]],
  ["cpu list backwards", 'cpu_affinity = "3-1"', [["limits.cpu_affinity", "expected CPUs like \"0-3,6\" (each 0..1023), got '3-1'"]]],
  ["cpu list too high", 'cpu_affinity = "0,4096"', [["limits.cpu_affinity", "expected CPUs like \"0-3,6\" (each 0..1023), got '4096'"]]],
  ["cpu list array item", "cpu_affinity = [0, -1]", [["limits.cpu_affinity[1]", "expected a CPU number 0..1023, got integer"]]],
  ["cpu list empty", "cpu_affinity = []", [["limits.cpu_affinity", "selects no CPU"]]],
  ["every problem at once", "pids = -1\nnice = 99", [["limits.pids", "expected an integer ≥ 1, got -1"], ["limits.nice", "99 is too large (at most 19)"]]],
];

describe("bad [limits] values", () => {
  for (const [name, toml, expected] of BAD) {
    test(name, () => {
      const { spec, issues } = read(toml);
      expect(issues).toEqual(expected);
      expect(spec).toBeUndefined();
    });
  }

  test("limits must be a table", () => {
    const issues: Issue[] = [];
    expect(readLimits(5, "limits", (p, m) => issues.push([p, m]))).toBeUndefined();
    expect(issues).toEqual([["limits", "expected a table ([limits]), got integer"]]);
  });

  test("input length is bounded before parsing", () => {
    const { issues } = read(`cpu_affinity = "${"0,".repeat(5000)}0"`);
    expect(issues).toEqual([["limits.cpu_affinity", "value is 10001 characters long (at most 4096)"]]);
  });
});
