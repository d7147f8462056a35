// Stage 2 (plan): the compiled seccomp program, run on synthetic seccomp_data by the test BPF
// interpreter: arch and x32 checks, lists, defaults, the CLONE_NEWUSER test, long lists.
import { describe, expect, test } from "bun:test";
import type { SeccompPolicy } from "../../../src/config/seccomp.ts";
import { compileFilter } from "../../../src/plan/seccomp/compile.ts";
import { syscallNumbers, type SyscallArch } from "../../../src/sys/syscall-names.ts";
import { AUDIT_ARCH_AARCH64, AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, actionOf, decodeProgram, runFilter } from "../../support/bpf.ts";

const ARCH = { x86_64: AUDIT_ARCH_X86_64, aarch64: AUDIT_ARCH_AARCH64 };
const CLONE_NEWUSER = 0x10000000n;
const CLONE_NEWNS = 0x20000n;
const SIGCHLD = 17n;

function policy(p: Partial<SeccompPolicy>): SeccompPolicy {
  return { defaultAction: "allow", allow: [], deny: [], denyAction: "errno", errno: 1, nestedUserns: true, ...p };
}

/** The action the filter takes for syscall `name` on `arch`. */
function act(p: SeccompPolicy, name: string, arch: SyscallArch = "x86_64", args: bigint[] = []): string {
  const nr = syscallNumbers(arch).get(name);
  if (nr === undefined) throw new Error(`${name} is not a syscall on ${arch}`);
  return actionOf(runFilter(compileFilter(p, arch), { nr, arch: ARCH[arch], args }).ret);
}

for (const arch of ["x86_64", "aarch64"] as const) {
  describe(`filter on ${arch}`, () => {
    test("a deny list fails the listed calls with the errno and allows the rest", () => {
      const p = policy({ deny: ["uname", "bpf"], errno: 13 });
      expect(act(p, "uname", arch)).toBe("errno 13");
      expect(act(p, "bpf", arch)).toBe("errno 13");
      expect(act(p, "getpid", arch)).toBe("allow");
      expect(act(p, "read", arch)).toBe("allow");
    });

    test("each deny action", () => {
      for (const [denyAction, want] of [["kill", "kill"], ["trap", "trap"], ["log", "log"], ["errno", "errno 1"]] as const) {
        expect(act(policy({ deny: ["uname"], denyAction }), "uname", arch)).toBe(want);
      }
    });

    test("an allow list under default errno", () => {
      const p = policy({ defaultAction: "errno", errno: 38, allow: ["read", "write", "getpid"] });
      expect(act(p, "read", arch)).toBe("allow");
      expect(act(p, "getpid", arch)).toBe("allow");
      expect(act(p, "uname", arch)).toBe("errno 38");
      expect(act(p, "openat", arch)).toBe("errno 38");
    });

    test("execve, exit and exit_group stay allowed under any default", () => {
      for (const defaultAction of ["errno", "kill", "trap"] as const) {
        const p = policy({ defaultAction });
        for (const name of ["execve", "exit", "exit_group"]) expect(act(p, name, arch)).toBe("allow");
        expect(act(p, "execveat", arch)).not.toBe("allow");
      }
    });

    test("a foreign architecture is killed before any rule", () => {
      const bytes = compileFilter(policy({}), arch);
      const other = arch === "x86_64" ? AUDIT_ARCH_AARCH64 : AUDIT_ARCH_X86_64;
      for (const foreign of [other, AUDIT_ARCH_I386, 0]) expect(actionOf(runFilter(bytes, { nr: 0, arch: foreign }).ret)).toBe("kill");
    });

    test("nested_userns = false: CLONE_NEWUSER is refused, other clones pass", () => {
      const p = policy({ nestedUserns: false });
      expect(act(p, "clone", arch, [CLONE_NEWUSER | SIGCHLD])).toBe("errno 1");
      expect(act(p, "clone", arch, [CLONE_NEWUSER | CLONE_NEWNS | SIGCHLD])).toBe("errno 1");
      expect(act(p, "clone", arch, [SIGCHLD])).toBe("allow");
      expect(act(p, "clone", arch, [CLONE_NEWNS | SIGCHLD])).toBe("allow");
      // The high half of the flags word is not CLONE_NEWUSER.
      expect(act(p, "clone", arch, [CLONE_NEWUSER << 32n])).toBe("allow");
      expect(act(p, "unshare", arch, [CLONE_NEWUSER])).toBe("errno 1");
      expect(act(p, "unshare", arch, [CLONE_NEWNS])).toBe("allow");
      expect(act(p, "clone3", arch)).toBe("errno 38");
      expect(act(p, "setns", arch)).toBe("allow");
    });

    test("nested_userns = false keeps its own errnos under a configured errno and an allow list", () => {
      const p = policy({ nestedUserns: false, defaultAction: "errno", errno: 13, allow: ["clone", "clone3"] });
      expect(act(p, "clone", arch, [CLONE_NEWUSER])).toBe("errno 1");
      expect(act(p, "clone", arch, [SIGCHLD])).toBe("allow");
      expect(act(p, "clone3", arch)).toBe("errno 38");
      // unshare is not allowed: the default already blocks it, flags or not.
      expect(act(p, "unshare", arch, [0n])).toBe("errno 13");
      expect(act(p, "unshare", arch, [CLONE_NEWUSER])).toBe("errno 13");
    });

    test("a deny that blocks clone wins over the CLONE_NEWUSER test; a logging deny does not", () => {
      expect(act(policy({ nestedUserns: false, deny: ["clone3"], denyAction: "kill" }), "clone3", arch)).toBe("kill");
      const logged = policy({ nestedUserns: false, deny: ["clone", "clone3"], denyAction: "log" });
      expect(act(logged, "clone", arch, [CLONE_NEWUSER])).toBe("errno 1");
      expect(act(logged, "clone", arch, [SIGCHLD])).toBe("log");
      expect(act(logged, "clone3", arch)).toBe("errno 38");
    });

    test("a list of every syscall but a few, with alternating actions, is exact for every number", () => {
      const all = [...syscallNumbers(arch)].sort((a, b) => a[1] - b[1]);
      const deny = all.filter((_, i) => i % 2 === 0).map(([n]) => n).filter((n) => !["execve", "exit", "exit_group"].includes(n));
      const allow = all.filter((_, i) => i % 2 === 1).map(([n]) => n);
      expect(deny.length + allow.length).toBeGreaterThan(300);
      const p = policy({ defaultAction: "trap", deny, denyAction: "kill", allow });
      const bytes = compileFilter(p, arch);
      const insns = decodeProgram(bytes);
      expect(insns.length).toBeLessThanOrEqual(4096);
      expect(insns.some((i) => i.code === 0x05)).toBe(true); // a subtree needed a long jump
      const denied = new Set(deny);
      const allowed = new Set([...allow, "execve", "exit", "exit_group"]);
      const max = Math.max(...all.map(([, nr]) => nr));
      let steps = 0;
      for (const [name, nr] of all) {
        const out = runFilter(bytes, { nr, arch: ARCH[arch] });
        steps = Math.max(steps, out.steps);
        expect(`${name}: ${actionOf(out.ret)}`).toBe(`${name}: ${denied.has(name) ? "kill" : allowed.has(name) ? "allow" : "trap"}`);
      }
      // Numbers without a syscall fall to the default.
      for (const nr of [max + 1, max + 1000, 0x3fffffff]) expect(actionOf(runFilter(bytes, { nr, arch: ARCH[arch] }).ret)).toBe("trap");
      expect(steps).toBeLessThan(40); // a search, not a scan
    });
  });
}

describe("x86_64 ABI checks", () => {
  const bytes = compileFilter(policy({}), "x86_64");
  const run = (nr: number) => actionOf(runFilter(bytes, { nr, arch: AUDIT_ARCH_X86_64 }).ret);

  test("x32 numbers are killed, even for a syscall that is allowed", () => {
    expect(run(0x40000000)).toBe("kill");
    expect(run(0x40000000 + 63)).toBe("kill");
    expect(run(0x7fffffff)).toBe("kill");
  });

  test("nr -1 (a tracer skipping a call) is left to the default", () => {
    expect(run(-1)).toBe("allow");
  });

  test("aarch64 has no x32 check: large numbers go to the default", () => {
    const arm = compileFilter(policy({ defaultAction: "errno" }), "aarch64");
    expect(actionOf(runFilter(arm, { nr: 0x40000000, arch: AUDIT_ARCH_AARCH64 }).ret)).toBe("errno 1");
  });
});

test("an empty policy is just the checks and one return", () => {
  expect(decodeProgram(compileFilter(policy({}), "aarch64")).length).toBe(5);
  expect(decodeProgram(compileFilter(policy({}), "x86_64")).length).toBe(8);
});

test("names missing on an architecture are skipped, not misnumbered", () => {
  const p = policy({ deny: ["iopl", "uname"] });
  expect(act(p, "uname", "aarch64")).toBe("errno 1");
  expect(act(p, "getpid", "aarch64")).toBe("allow");
  expect(act(p, "iopl", "x86_64")).toBe("errno 1");
});

test("the same policy compiles to the same bytes", () => {
  const p = policy({ deny: ["uname", "bpf", "keyctl"], nestedUserns: false });
  expect(compileFilter(p, "x86_64")).toEqual(compileFilter({ ...p, deny: [...p.deny] }, "x86_64"));
});
