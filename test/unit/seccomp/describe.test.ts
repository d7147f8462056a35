// Stage 2 (plan): the --dry-run text of a seccomp filter, one line per rule.
import { expect, test } from "bun:test";
import type { SeccompPolicy } from "../../../src/config/seccomp.ts";
import { compileFilter } from "../../../src/plan/seccomp/compile.ts";
import { describeFilter } from "../../../src/plan/seccomp/describe.ts";

const BASE: SeccompPolicy = { defaultAction: "allow", allow: [], deny: [], denyAction: "errno", errno: 1, nestedUserns: true };

test("a deny list with nested_userns = false on aarch64", () => {
  expect(describeFilter({ ...BASE, deny: ["bpf", "iopl", "uname"], nestedUserns: false }, "aarch64")).toEqual([
    "seccomp filter for aarch64: 31 instructions, installed right before execve",
    "  arch is not aarch64 → kill",
    "  clone, unshare → errno EPERM with CLONE_NEWUSER, else allow  # nested_userns = false",
    "  clone3 → errno ENOSYS  # nested_userns = false",
    "  bpf, uname → errno EPERM  # deny",
    "  any other syscall → allow  # default",
    "  not on aarch64, nothing to filter: iopl",
  ]);
});

test("an allow list under default kill on x86_64", () => {
  const p: SeccompPolicy = { ...BASE, defaultAction: "kill", allow: ["write", "read"], deny: ["uname"], denyAction: "log", errno: 13 };
  expect(describeFilter(p, "x86_64")).toEqual([
    "seccomp filter for x86_64: 22 instructions, installed right before execve",
    "  arch is not x86_64 → kill",
    "  x32 syscall (nr ≥ 0x40000000) → kill",
    "  execve, exit, exit_group → allow  # nsjail execs the command after the filter",
    "  uname → log  # deny",
    "  read, write → allow  # allow",
    "  any other syscall → kill  # default",
  ]);
});

test("the instruction count printed is the program's", () => {
  const p: SeccompPolicy = { ...BASE, deny: ["uname", "bpf"], errno: 38 };
  const [head] = describeFilter(p, "x86_64");
  expect(head).toBe(`seccomp filter for x86_64: ${compileFilter(p, "x86_64").length / 8} instructions, installed right before execve`);
  expect(describeFilter(p, "x86_64")).toContain("  bpf, uname → errno ENOSYS  # deny");
});
