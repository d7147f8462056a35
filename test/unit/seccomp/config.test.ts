// Stage 1 (config): the [seccomp] table reader: parsed TOML in, a SeccompPolicy or the exact
// issues (key path and message) out.
import { expect, test } from "bun:test";
import TOML from "@iarna/toml";
import { readSeccomp, type SeccompPolicy } from "../../../src/config/seccomp.ts";
import { SYSCALL_GROUPS } from "../../../src/config/seccomp-groups.ts";
import { isSyscallName, syscallNumbers } from "../../../src/sys/syscall-names.ts";

function read(toml: string): { policy: SeccompPolicy | undefined; issues: string[] } {
  const issues: string[] = [];
  const raw = TOML.parse(toml) as Record<string, unknown>;
  const policy = readSeccomp(raw.seccomp, "seccomp", (path, message) => issues.push(`${path}: ${message}`));
  return { policy, issues };
}

function policyOf(toml: string): SeccompPolicy {
  const { policy, issues } = read(toml);
  expect(issues).toEqual([]);
  return policy!;
}

test("an empty table allows everything, errno EPERM, nested user namespaces allowed", () => {
  expect(policyOf("[seccomp]")).toEqual({ defaultAction: "allow", allow: [], deny: [], denyAction: "errno", errno: 1, nestedUserns: true });
});

test("every key", () => {
  const p = policyOf(`[seccomp]
default = "kill"
allow = ["write", "read", "read"]
deny = ["uname"]
deny_action = "trap"
errno = "EACCES"
nested_userns = false`);
  expect(p).toEqual({ defaultAction: "kill", allow: ["read", "write"], deny: ["uname"], denyAction: "trap", errno: 13, nestedUserns: false });
});

test("errno by number and by alias", () => {
  expect(policyOf("[seccomp]\nerrno = 38").errno).toBe(38);
  expect(policyOf('[seccomp]\nerrno = "EWOULDBLOCK"').errno).toBe(11);
});

test("@dangerous expands, and an explicit allow takes a member out", () => {
  const p = policyOf('[seccomp]\ndeny = ["@dangerous", "uname"]\nallow = ["perf_event_open"]');
  expect(p.deny).toContain("bpf");
  expect(p.deny).toContain("uname");
  expect(p.deny).not.toContain("perf_event_open");
  expect(p.allow).toEqual(["perf_event_open"]);
  expect(p.deny).toEqual([...p.deny].sort());
});

test("the @dangerous group: real names, nothing nsjail needs", () => {
  for (const [group, names] of SYSCALL_GROUPS) {
    for (const name of names) expect(`${group}: ${name} ${isSyscallName(name)}`).toBe(`${group}: ${name} true`);
    for (const name of ["execve", "exit", "exit_group", "write", "read"]) expect(names).not.toContain(name);
  }
  // Every member but the x86-only port I/O calls exists on aarch64 too.
  const arm = syscallNumbers("aarch64");
  expect(SYSCALL_GROUPS.get("@dangerous")!.filter((n) => !arm.has(n)).sort()).toEqual(["ioperm", "iopl", "uselib"]);
});

/** [name, toml body after [seccomp], expected issues] */
const BAD: [string, string, string[]][] = [
  ["not a table", "", ["seccomp: expected a table, got 'x'"]],
  ["unknown key", "dney = []", ["seccomp.dney: unknown key (did you mean 'deny'?)"]],
  ["unknown syscall", 'deny = ["read", "write", "unmae"]', ["seccomp.deny[2]: unknown syscall 'unmae' (did you mean 'uname'?)"]],
  ["unknown syscall, nothing close", 'deny = ["zzzzzzzzzz"]', ["seccomp.deny[0]: unknown syscall 'zzzzzzzzzz'"]],
  ["unknown group", 'deny = ["@dangerus"]', ["seccomp.deny[0]: unknown syscall group '@dangerus' (did you mean '@dangerous'?)"]],
  ["group in allow", 'default = "errno"\nallow = ["@dangerous"]', ["seccomp.allow[0]: unknown syscall group '@dangerous' (groups are accepted in seccomp.deny only)"]],
  ["not a string", "deny = [1]", ["seccomp.deny[0]: expected a string, got integer"]],
  ["not an array", 'deny = "uname"', ["seccomp.deny: expected an array, got 'uname'"]],
  ["bad default", 'default = "deny"', ["seccomp.default: expected one of allow, errno, kill, log, trap, got 'deny'"]],
  ["typo in default", 'default = "kil"', ["seccomp.default: expected one of allow, errno, kill, log, trap, got 'kil' (did you mean 'kill'?)"]],
  ["allow is no deny action", 'deny_action = "allow"', ["seccomp.deny_action: expected one of errno, kill, log, trap, got 'allow'"]],
  ["unknown errno", 'errno = "EPRM"', ["seccomp.errno: unknown errno name 'EPRM' (did you mean 'EPERM'?) (or give a number)"]],
  ["errno 0", "errno = 0", ["seccomp.errno: expected an integer ≥ 1, got 0"]],
  ["errno too large", "errno = 4096", ["seccomp.errno: 4096 is too large (at most 4095)"]],
  ["nested_userns type", 'nested_userns = "no"', ["seccomp.nested_userns: expected a boolean (true or false), got 'no'"]],
  ["execve denied", 'deny = ["execve"]', [
    "seccomp.deny[0]: execve cannot be denied: nsjail starts the command with it after the filter is in place (deny execveat instead, or use an allow list)",
  ]],
  ["exit_group denied", 'deny = ["exit_group"]', ["seccomp.deny[0]: exit_group cannot be denied: a process must always be able to end"]],
  ["in both lists", 'default = "errno"\nallow = ["uname"]\ndeny = ["uname"]', ["seccomp.allow[0]: 'uname' is also denied (seccomp.deny[0])"]],
  ["allow list under default allow", 'allow = ["read"]', [
    `seccomp.allow[0]: 'read' is allowed anyway: an allow list needs seccomp.default = "errno", "kill", "log" or "trap"`,
  ]],
  ["every issue at once", 'default = "x"\ndeny = ["qqqqqq"]\nerrno = "X"', [
    "seccomp.default: expected one of allow, errno, kill, log, trap, got 'x'",
    "seccomp.deny[0]: unknown syscall 'qqqqqq'",
    "seccomp.errno: unknown errno name 'X' (or give a number)",
  ]],
];

for (const [name, body, want] of BAD) {
  test(`issue: ${name}`, () => {
    const { policy, issues } = read(name === "not a table" ? 'seccomp = "x"' : `[seccomp]\n${body}`);
    expect(issues).toEqual(want);
    expect(policy).toBeUndefined();
  });
}

test("did-you-mean prefers a swap of two letters", () => {
  const hint = (name: string) => read(`[seccomp]\ndeny = ["${name}"]`).issues[0];
  expect(hint("exceve")).toEndWith("(did you mean 'execve'?)");
  expect(hint("clnoe3")).toEndWith("(did you mean 'clone3'?)");
  expect(hint("ptrcae")).toEndWith("(did you mean 'ptrace'?)");
  expect(hint("keyclt")).toEndWith("(did you mean 'keyctl'?)");
});

test("did-you-mean work is bounded: long names and many typos get no suggestion", () => {
  const long = "x".repeat(10_000);
  const typos = Array.from({ length: 400 }, (_, i) => `"unmae${i}"`).join(", ");
  const { issues } = read(`[seccomp]\ndeny = ["${long}", ${typos}]`);
  expect(issues).toHaveLength(401);
  expect(issues[0]).toBe(`seccomp.deny[0]: unknown syscall '${"x".repeat(37)}...'`);
  expect(issues.filter((i) => i.includes("did you mean")).length).toBeLessThanOrEqual(8);
});
