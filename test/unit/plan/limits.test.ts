// Stage 2 (plan): [limits] → setrlimit, setpriority and sched_setaffinity ops, op by op.
import { describe, expect, test } from "bun:test";
import { NO_LIMITS, type LimitsSpec } from "../../../src/config/limits-model.ts";
import { encodePlan } from "../../../src/wire/encode.ts";
import { planLimits } from "../../../src/plan/limits.ts";
import type { Op } from "../../../src/plan/types.ts";

const INF = 0xffff_ffff_ffff_ffffn;
const spec = (over: Partial<LimitsSpec>): LimitsSpec => ({ ...NO_LIMITS, ...over });
const lines = (l: LimitsSpec) => planLimits(l).map((o) => [o.kind, o.args, o.origin.path, o.origin.note, o.optional]);

describe("planLimits", () => {
  test("no limits, no ops; cgroup limits are the parent's business", () => {
    expect(planLimits(NO_LIMITS)).toEqual([]);
    expect(planLimits(spec({ memory: 1 << 26, pids: 10, cpu: 0.5 }))).toEqual([]);
  });

  test("rlimits: resource numbers, RLIM_INFINITY, in the order given", () => {
    const l = spec({
      rlimits: [
        { resource: "as", soft: "inf", hard: "inf" },
        { resource: "core", soft: 0, hard: 0 },
        { resource: "nofile", soft: 64, hard: 1024 },
        { resource: "stack", soft: 8388608, hard: "inf" },
        { resource: "rttime", soft: 1, hard: 2 },
      ],
    });
    expect(lines(l)).toEqual([
      ["setrlimit", [9, INF, INF], "limits.rlimit_as", "setrlimit RLIMIT_AS inf:inf", false],
      ["setrlimit", [4, 0, 0], "limits.rlimit_core", "setrlimit RLIMIT_CORE 0:0", false],
      ["setrlimit", [7, 64, 1024], "limits.rlimit_nofile", "setrlimit RLIMIT_NOFILE 64:1024", false],
      ["setrlimit", [3, 8388608, INF], "limits.rlimit_stack", "setrlimit RLIMIT_STACK 8388608:inf", false],
      ["setrlimit", [15, 1, 2], "limits.rlimit_rttime", "setrlimit RLIMIT_RTTIME 1:2", false],
    ]);
  });

  test("nice comes after rlimits (RLIMIT_NICE may allow it), then affinity", () => {
    const l = spec({ nice: -5, cpuAffinity: [0, 1, 2, 3, 6], rlimits: [{ resource: "nice", soft: 25, hard: 25 }] });
    expect(lines(l)).toEqual([
      ["setrlimit", [13, 25, 25], "limits.rlimit_nice", "setrlimit RLIMIT_NICE 25:25", false],
      ["setpriority", [0, 0, -5], "limits.nice", "setpriority nice -5", false],
      ["sched_setaffinity", [[0b1001111]], "limits.cpu_affinity", "sched_setaffinity cpus 0-3,6", false],
    ]);
  });

  test("affinity masks: u32 words, bit 31 unsigned, trailing zero words dropped", () => {
    const mask = (cpus: number[]) => planLimits(spec({ cpuAffinity: cpus }))[0]!.args[0];
    expect(mask([31])).toEqual([0x8000_0000]);
    expect(mask([32])).toEqual([0, 1]);
    expect(mask([0, 1023])).toEqual([1, ...Array(30).fill(0), 0x8000_0000]);
    expect(planLimits(spec({ cpuAffinity: [1, 3, 4, 5, 9] }))[0]!.origin.note).toBe("sched_setaffinity cpus 1,3-5,9");
  });

  test("setrlimit ops pass the encoder's argument checks, RLIM_INFINITY included", () => {
    const ops = planLimits(spec({ rlimits: [{ resource: "as", soft: 1 << 30, hard: "inf" }] }));
    const bytes = encodePlan({ cloneFlags: 0, ops, initStart: null, inplace: false });
    const hard = new DataView(bytes.buffer).getBigUint64(40 + 8 + 16, true);
    expect(hard).toBe(INF);
  });
});
