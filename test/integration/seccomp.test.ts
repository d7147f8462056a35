// Real kernel: filters compiled by src/plan/seccomp, installed by a tiny freestanding helper
// (test/support/seccomp-exec.c) the way the trampoline will: no_new_privs, seccomp, execve.
// Does not need the trampoline; it checks what the kernel does with the bytes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SeccompPolicy } from "../../src/config/seccomp.ts";
import { compileFilter } from "../../src/plan/seccomp/compile.ts";
import { syscallArchOf, syscallNumbers } from "../../src/sys/syscall-names.ts";
import { host, requireHost } from "../support/host.ts";

const arch = syscallArchOf(process.arch);
const cc = Bun.which(process.env.CC ?? "cc");
const hasSeccomp = /^Seccomp:\s/m.test(readFileSync("/proc/self/status", "utf8"));
const uname = Bun.which("uname");
const ok = arch !== null && cc !== null && hasSeccomp && uname !== null;
requireHost(ok, "seccomp filters, a C compiler and uname(1) on x86_64 or aarch64");

const NEEDED = ["openat", "read", "close", "prctl", "seccomp", "execve", "exit_group"];
const CLONE_NEWUSER = 0x10000000;
const SIGCHLD = 17;
const BASE: SeccompPolicy = { defaultAction: "allow", allow: [], deny: [], denyAction: "errno", errno: 1, nestedUserns: true };

describe.skipIf(!ok)("seccomp filters on this kernel", () => {
  let dir = "";
  let helper = "";
  const numbers = arch === null ? new Map<string, number>() : syscallNumbers(arch);
  const nr = (name: string) => String(numbers.get(name));

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "nsjail-seccomp-"));
    chmodSync(dir, 0o755); // the rootless case runs the helper as uid 65534
    helper = join(dir, "seccomp-exec");
    const source = new URL("../support/seccomp-exec.c", import.meta.url).pathname;
    const defines = NEEDED.map((n) => `-DNR_${n}=${nr(n)}`);
    const flags = ["-O2", "-static", "-nostdlib", "-nostartfiles", "-ffreestanding", "-fno-builtin", "-fno-stack-protector", "-fno-pie", "-no-pie", "-Wall", "-Wextra", "-Werror"];
    const r = spawnSync(cc!, [...flags, ...defines, "-o", helper, source], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`cc seccomp-exec.c: ${r.stderr}`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the helper under the filter of `policy` (or none); exit code or signal, and stderr. */
  function run(policy: SeccompPolicy | null, ...args: string[]) {
    return runAs([], policy, ...args);
  }

  function runAs(prefix: string[], policy: SeccompPolicy | null, ...args: string[]) {
    const file = join(dir, "filter.bpf");
    if (policy !== null) writeFileSync(file, compileFilter(policy, arch!), { mode: 0o644 });
    const argv = [...prefix, helper, policy === null ? "-" : file, ...args];
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", env: { PATH: process.env.PATH, LC_ALL: "C" } });
    return { status: r.status, signal: r.signal, stderr: r.stderr };
  }

  test("deny uname: uname(1) fails with EPERM, and runs without the rule", () => {
    expect(run({ ...BASE }, "exec", uname!, "-s")).toEqual({ status: 0, signal: null, stderr: "" });
    const denied = run({ ...BASE, deny: ["uname"] }, "exec", uname!, "-s");
    expect(denied.status).toBe(1);
    expect(denied.stderr).toContain("Operation not permitted");
  });

  test("deny uname with deny_action kill: SIGSYS", () => {
    expect(run({ ...BASE, deny: ["uname"], denyAction: "kill" }, "exec", uname!, "-s")).toMatchObject({ status: null, signal: "SIGSYS" });
  });

  test("default kill with an empty allow list: execve still works, the next call is killed", () => {
    const p: SeccompPolicy = { ...BASE, defaultAction: "kill" };
    expect(run(p, "exec", helper, "-", "call", nr("getppid"))).toMatchObject({ status: null, signal: "SIGSYS" });
    expect(run({ ...p, defaultAction: "errno", errno: 13 }, "exec", helper, "-", "call", nr("getppid"))).toMatchObject({ status: 13 });
    expect(run({ ...p, allow: ["getppid"] }, "exec", helper, "-", "call", nr("getppid"))).toMatchObject({ status: 0 });
  });

  test("nested_userns = false: no user namespace by unshare, clone or clone3", () => {
    const p: SeccompPolicy = { ...BASE, nestedUserns: false };
    // Without the filter the same calls reach the kernel: unshare works, clone3(NULL, 0) is EINVAL.
    if (host.root) expect(run(null, "call", nr("unshare"), String(CLONE_NEWUSER)).status).toBe(0);
    expect(run(null, "call", nr("clone3"), "0").status).toBe(22);
    expect(run(p, "call", nr("unshare"), String(CLONE_NEWUSER)).status).toBe(1);
    expect(run(p, "call", nr("clone"), String(CLONE_NEWUSER | SIGCHLD)).status).toBe(1);
    expect(run(p, "call", nr("clone3"), "0").status).toBe(38);
    expect(run(p, "call", nr("unshare"), "0").status).toBe(0);
  });

  test.skipIf(!host.rootless)("rootless: uid 65534 installs the same filter under no_new_privs", () => {
    const drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
    const denied = runAs(drop, { ...BASE, deny: ["uname"], nestedUserns: false }, "exec", uname!, "-s");
    expect(denied.status).toBe(1);
    expect(denied.stderr).toContain("Operation not permitted");
    expect(runAs(drop, null, "call", nr("unshare"), String(CLONE_NEWUSER)).status).toBe(0);
    expect(runAs(drop, { ...BASE, nestedUserns: false }, "call", nr("unshare"), String(CLONE_NEWUSER)).status).toBe(1);
  });

  test("x32 numbers are killed; nr -1 still reaches the kernel (ENOSYS)", () => {
    if (arch !== "x86_64") return;
    expect(run({ ...BASE }, "call", String(0x40000000 + numbers.get("getpid")!)).signal).toBe("SIGSYS");
    expect(run({ ...BASE }, "call", "0xffffffffffffffff").status).toBe(38);
  });
});
