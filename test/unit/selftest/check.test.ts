// `nsjail test`: how checks run and read (skips for unmet needs, a throwing probe is a
// failure, the summary line), and which known blocker a failed namespace probe is blamed on.
import { describe, expect, test } from "bun:test";
import { namespaceBlocker, type HostView } from "../../../src/selftest/blockers.ts";
import { type Check, fail, formatResult, formatSummary, ok, runChecks, skip } from "../../../src/selftest/check.ts";

const check = (name: string, probe: Check["probe"], needs?: string[]): Check => (needs ? { name, needs, probe } : { name, probe });

describe("runChecks", () => {
  test("a check whose needs did not pass is skipped; a throwing probe fails; counts add up", async () => {
    const heard: string[] = [];
    const report = await runChecks(
      [
        check("a", async () => ok("fine")),
        check("b", async () => fail("broken", "fix b")),
        check("c", async () => ok("never runs"), ["a", "b"]),
        check("d", async () => {
          throw new Error("boom");
        }),
        check("e", async () => skip("not here")),
      ],
      (name, r) => heard.push(`${name}:${r.status}`),
    );
    expect(heard).toEqual(["a:ok", "b:fail", "c:skip", "d:fail", "e:skip"]);
    expect(report.checks[2]).toEqual({ name: "c", status: "skip", detail: "needs b" });
    expect(report.checks[3]).toEqual({ name: "d", status: "fail", detail: "boom" });
    expect([report.passed, report.failed, report.skipped]).toEqual([1, 2, 2]);
    expect(formatSummary(report)).toBe("1 passed, 2 failed, 2 skipped");
  });

  test("one line per check: status, padded name, detail, and the hint after a dash", () => {
    expect(formatResult("namespace user", ok("user"), 16)).toBe("ok    namespace user    user");
    expect(formatResult("cgroups", fail("not writable", "delegate one"), 10)).toBe("FAIL  cgroups     not writable — delegate one");
    expect(formatResult("newuidmap", skip("root writes id maps itself"), 9)).toBe("skip  newuidmap  root writes id maps itself");
  });
});

describe("known blockers", () => {
  const view = (uid: number, files: Record<string, string>): HostView => ({ uid, read: (p) => files[p] ?? null });
  const EPERM = "clone3: EPERM (Operation not permitted)";

  test("each sysctl that refuses user namespaces is named with its fix", () => {
    expect(namespaceBlocker("user", EPERM, view(1000, { "/proc/sys/kernel/unprivileged_userns_clone": "0\n" }))).toStartWith(
      "kernel.unprivileged_userns_clone=0: unprivileged user namespaces are off",
    );
    expect(namespaceBlocker("user", EPERM, view(0, { "/proc/sys/user/max_user_namespaces": "0\n" }))).toStartWith("user.max_user_namespaces=0:");
    expect(namespaceBlocker("net", EPERM, view(1000, { "/proc/sys/kernel/apparmor_restrict_unprivileged_userns": "1\n" }))).toStartWith(
      "kernel.apparmor_restrict_unprivileged_userns=1: AppArmor",
    );
  });

  test("settings that stop only unprivileged callers are not blamed for root", () => {
    const files = { "/proc/sys/kernel/unprivileged_userns_clone": "0\n", "/proc/sys/kernel/apparmor_restrict_unprivileged_userns": "1\n" };
    expect(namespaceBlocker("user", EPERM, view(0, files))).toBeNull();
    expect(namespaceBlocker("pid", EPERM, view(0, { "/proc/sys/user/max_user_namespaces": "0" }))).toBeNull();
  });

  test("a container's seccomp filter is blamed for EPERM when nsjail itself is filtered", () => {
    const files = { "/proc/self/status": "Name:\tnsjail\nSeccomp:\t2\nSeccomp_filters:\t1\n" };
    expect(namespaceBlocker("pid", EPERM, view(0, files))).toStartWith("nsjail runs under a seccomp filter (Seccomp: 2");
    expect(namespaceBlocker("pid", "mount: EINVAL", view(0, files))).toBeNull();
    expect(namespaceBlocker("pid", EPERM, view(0, { "/proc/self/status": "Seccomp:\t0\n" }))).toBeNull();
  });
});
