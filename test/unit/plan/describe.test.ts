// Stage 2 (plan): --dry-run names what the kernel takes as numbers — prctl options, flags,
// capabilities, signals, resources — and `--dry-run --json` carries the same ops and words.
import { describe, expect, test } from "bun:test";
import { describePlan, planJson } from "../../../src/plan/describe.ts";
import { op, type Op, type Plan } from "../../../src/plan/types.ts";
import { planFixtures, planFor } from "../../support/plans.ts";

const origin = { path: "test", note: "a note" };
const planOf = (...ops: Op[]): Plan => ({ cloneFlags: 0x10000000 | 0x00020000, ops, initStart: null, inplace: false });
const lineOf = (o: Op) => describePlan(planOf(o))[1]!.replace(/^0 /, "").replace(/  # .*$/, "");

describe("symbolic arguments", () => {
  test.each([
    [op("prctl", [24, 21, 0, 0, 0], origin), "prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0)"],
    [op("prctl", [1, 9, 0, 0, 0], origin), "prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0)"],
    [op("prctl", [47, 2, 10, 0, 0], origin), "prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0)"],
    [op("prctl", [38, 1, 0, 0, 0], origin), "prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)"],
    [op("prctl", [99, 1, 0, 0, 0], origin), "prctl(99, 1, 0, 0, 0)"],
    [op("mount", [null, "/", null, 0x44000, null], origin), 'mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL)'],
    [op("mount", ["/a", "/b", null, 4096 | 1 | 32 | 0x8000000, null], origin), 'mount("/a", "/b", NULL, MS_RDONLY|MS_REMOUNT|MS_BIND|0x8000000, NULL)'],
    [op("umount2", [".", 2], origin), 'umount2(".", MNT_DETACH)'],
    [op("unshare", [0x10000000 | 0x20000000], origin), "unshare(CLONE_NEWUSER|CLONE_NEWPID)"],
    [op("close_range", [3, 0xffffffff, 4], origin), "close_range(3, ~0U, CLOSE_RANGE_CLOEXEC)"],
    [op("fcntl", [9, 2, 0], origin), "fcntl(9, F_SETFD, 0)"],
    [op("setrlimit", [7, 1024, 0xffff_ffff_ffff_ffffn], origin), "setrlimit(RLIMIT_NOFILE, 1024, RLIM_INFINITY)"],
    [op("setpriority", [0, 0, 5], origin), "setpriority(PRIO_PROCESS, 0, 5)"],
    [op("capset", [0n, 1n << 10n | 1n << 21n, 0n], origin), "capset(0, CAP_NET_BIND_SERVICE|CAP_SYS_ADMIN, 0)"],
    [op("mkdir", ["/tmp", 0o1777], origin), 'mkdir("/tmp", 01777)'],
    [op("seccomp", [new Uint8Array(16), 1], origin), "seccomp(<16 bytes>, SECCOMP_FILTER_FLAG_TSYNC)"],
  ])("%#: %p", (o, text) => expect(lineOf(o)).toBe(text));

  test("the clone line names every namespace flag", () => {
    expect(describePlan(planOf())[0]).toBe("clone3(CLONE_NEWNS|CLONE_NEWUSER|CLONE_VM|CLONE_VFORK)");
  });

  test("no golden plan shows a prctl option, mount flag or capability as a bare number", () => {
    for (const [, file] of planFixtures()) {
      for (const line of describePlan(planFor(file, 1000))) {
        expect(line).not.toMatch(/prctl\(\d|mount\([^)]*, \d+, |capset\(0x/);
      }
    }
  });
});

describe("--dry-run --json", () => {
  test("the same ops, in order, with their text, origin and raw arguments", () => {
    const [, file] = planFixtures().find(([name]) => name === "hello")!;
    const plan = planFor(file, 1000);
    const json = JSON.parse(JSON.stringify(planJson(plan)));
    const text = describePlan(plan);
    expect(json.head).toBe(text[0]);
    expect(json.cloneFlags).toContain("CLONE_NEWUSER");
    expect(json.ops).toHaveLength(plan.ops.length);
    for (const o of json.ops) {
      expect(text.some((line) => line.includes(`${o.text}`) && line.includes(`# [${o.path}] ${o.note}`))).toBe(true);
      expect(o.inInit).toBe(o.index >= plan.initStart!);
    }
    expect(json.ops[0]).toMatchObject({ kind: "prctl", args: [1, 9, 0, 0, 0], text: "prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0)" });
  });

  test("64-bit integers travel as decimal strings and bytes as base64", () => {
    const json = planJson(planOf(op("setrlimit", [7, 1, 0xffff_ffff_ffff_ffffn], origin), op("seccomp", [new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 0], origin)));
    const ops = JSON.parse(JSON.stringify(json)).ops;
    expect(ops[0].args).toEqual([7, 1, "18446744073709551615"]);
    expect(ops[1].args[0]).toEqual({ bytes: 8, base64: "AQIDBAUGBwg=" });
  });
});
