// [seccomp] end to end, as root and rootless: the filter the command gets, seen from inside,
// and the exit record of a kill; the jail's init stays unfiltered.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { host, requireHost } from "../support/host.ts";
import { type As, nsjail, removeNobodyCopy } from "../support/jail.ts";

const hasSeccomp = /^Seccomp:\s/m.test(readFileSync("/proc/self/status", "utf8"));
const tools = ["uname", "unshare"].every((t) => Bun.which(t) !== null);
requireHost(host.binary && hasSeccomp && tools, "a built ./nsjail, seccomp filters, uname(1) and unshare(1)");
requireHost(host.root, "root (CI runs the suite as root)");
requireHost(host.rootless, "unprivileged user namespaces and setpriv");

afterAll(removeNobodyCopy);

/** nsjail with its exit record on fd 3 (the shell's stderr), split back out of stderr. */
function run(as: As, args: readonly string[]) {
  const r = nsjail(as, ["run", "--status-fd", "3", ...args], { shell: "exec 3>&2; " });
  const lines = r.stderr.split("\n");
  const json = lines.find((l) => l.startsWith("{"));
  return { ...r, stderr: lines.filter((l) => !l.startsWith("{")).join("\n"), record: json ? (JSON.parse(json) as Record<string, unknown>) : null };
}

for (const as of ["root", "nobody"] as const satisfies readonly As[]) {
  const enabled = host.binary && hasSeccomp && tools && (as === "root" ? host.root : host.rootless);

  describe.skipIf(!enabled)(`seccomp in a jail as ${as}`, () => {
    test("a denied syscall fails with the configured errno; the rest of the command runs", () => {
      const r = run(as, ["--seccomp-deny", "uname", "--", "/bin/sh", "-c", "uname; echo after $?"]);
      expect(r.stdout).toBe("after 1\n");
      expect(r.stderr).toBe("uname: cannot get system name: Operation not permitted\n");
      const eacces = run(as, ["--seccomp-deny", "uname", "--seccomp-errno", "EACCES", "--", "uname"]);
      expect(eacces.stderr).toBe("uname: cannot get system name: Permission denied\n");
      expect(eacces.record).toMatchObject({ reason: "exited", exit_code: 1 });
    });

    test("deny_action kill ends the command with reason seccomp and the syscall's name", () => {
      const r = run(as, ["--seccomp-deny", "uname", "--seccomp-deny-action", "kill", "--", "uname"]);
      expect(r.code).toBe(159);
      expect(r.record).toMatchObject({ reason: "seccomp", signal: "SIGSYS", syscall: "uname", nsjail_exit: 159 });
    });

    test("a kill in a child process: the command goes on, the record names no reason of it", () => {
      const r = run(as, ["--seccomp-deny", "uname", "--seccomp-deny-action", "kill", "--", "/bin/sh", "-c", "uname; echo after $?"]);
      expect(r.stdout).toBe("after 137\n");
      expect(r.record).toMatchObject({ reason: "exited", exit_code: 0 });
      expect(r.stderr).toContain("seccomp: killed pid");
    });

    test("as PID 1 (no init) the kernel kills: reason seccomp, syscall unknown", () => {
      const r = run(as, ["--as-pid-1", "--seccomp-deny", "uname", "--seccomp-deny-action", "kill", "--", "uname"]);
      expect(r.code).toBe(159);
      expect(r.record).toMatchObject({ reason: "seccomp", signal: "SIGSYS", syscall: null });
    });

    test("an allow list under default kill: what is not listed kills", () => {
      // The listener is handed to the init with sendmsg: a filter that kills sendmsg kills by
      // signal, and the syscall stays unnamed.
      const r = run(as, ["--seccomp-default", "kill", "--seccomp-allow", "read", "--", "/bin/true"]);
      expect(r.code).toBe(159);
      expect(r.record).toMatchObject({ reason: "seccomp", signal: "SIGSYS", syscall: null });
      const named = run(as, ["--seccomp-default", "kill", "--seccomp-allow", "read", "--seccomp-allow", "sendmsg", "--", "/bin/true"]);
      expect(named.code).toBe(159);
      expect(named.record).toMatchObject({ reason: "seccomp", signal: "SIGSYS" });
      expect(named.record!.syscall).toMatch(/^(brk|mmap|arch_prctl|access|openat|newfstatat|fstat)$/);
    });

    test("nested_userns = false: unshare -U fails, other namespaces still can", () => {
      const r = run(as, ["--no-nested-userns", "--", "/bin/sh", "-c", "unshare -U true; echo user $?; unshare -r true; echo root $?"]);
      expect(r.stdout).toBe("user 1\nroot 1\n");
      expect(r.stderr).toContain("unshare failed: Operation not permitted");
      expect(run(as, ["--", "/bin/sh", "-c", "unshare -U true; echo user $?"]).stdout).toBe("user 0\n");
    });

    test("the jail's init stays unfiltered: it still reaps and forwards with wait4 and kill denied", () => {
      const r = run(as, ["--seccomp-deny", "wait4", "--seccomp-deny", "kill", "--", "/bin/sh", "-c", "exit 7"]);
      expect(r.code).toBe(7);
      expect(r.record).toMatchObject({ reason: "exited", exit_code: 7 });
    });

    test("under a filter that blocks write, a missing command is still a setup error, exit 127", () => {
      const r = run(as, ["--seccomp-default", "kill", "--seccomp-allow", "read", "--", "/no/such/command"]);
      expect(r.code).toBe(127);
      expect(r.stderr).toBe("nsjail: execve /no/such/command [command]: ENOENT (No such file or directory) — the command was not found inside the jail (check the path and PATH)\n");
      expect(r.record).toMatchObject({ reason: "setup_failed", nsjail_exit: 127, setup: { op: "faccessat", key: "command", errno: "ENOENT" } });
    });

    test("nsjail test installs a filter in a real jail", () => {
      expect(nsjail(as, ["test"], { timeoutMs: 60_000 }).stdout).toMatch(/^ok +seccomp filter +a jail ran under a filter/m);
    }, 60_000);

    test("--dry-run prints the filter's rules under its op", () => {
      const r = nsjail(as, ["run", "--dry-run", "--seccomp-deny", "uname", "--seccomp-deny-action", "kill", "--", "uname"]);
      expect(r.stdout).toMatch(/seccomp_listener\(<\d+ bytes>, 8, <listener>\)  # \[seccomp\] install the seccomp filter/);
      expect(r.stdout).toContain("   uname → kill  # deny");
    });
  });
}
