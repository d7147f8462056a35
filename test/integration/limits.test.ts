// [limits] without cgroups, supplementary groups, kept capabilities and the exit record's
// file, as root and rootless: each seen from inside the jail (/proc/self/limits, stat,
// status) or read back from the record.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { host, requireHost } from "../support/host.ts";
import { type As, nsjail, removeNobodyCopy, sh } from "../support/jail.ts";

requireHost(host.binary, "a built ./nsjail (npm run build)");
requireHost(host.root, "root (CI runs the suite as root)");
requireHost(host.rootless, "unprivileged user namespaces and setpriv");

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "nsjail-limits-"));
  chmodSync(dir, 0o1777); // uid 65534 writes its records here too
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  removeNobodyCopy();
});

/** `/proc/self/limits` row for a resource: [soft, hard]. */
function limitOf(text: string, name: string): [string, string] {
  const row = text.split("\n").find((l) => l.startsWith(name));
  if (row === undefined) throw new Error(`no ${name} in /proc/self/limits:\n${text}`);
  const [soft, hard] = row.slice(26).trim().split(/\s+/);
  return [soft!, hard!];
}

for (const as of ["root", "nobody"] as const satisfies readonly As[]) {
  const enabled = host.binary && (as === "root" ? host.root : host.rootless);

  describe.skipIf(!enabled)(`limits in a jail as ${as}`, () => {
    test("rlimits show in /proc/self/limits: soft:hard, a single value, sizes, inf", () => {
      const flags = ["--rlimit-nofile", "64:128", "--rlimit-core", "0", "--rlimit-fsize", "1M", "--rlimit-stack", "inf:inf", "--rlimit-nproc", "200"];
      const text = sh(as, "cat /proc/self/limits", as === "root" ? flags : flags.filter((_, i) => i < 6)).stdout;
      expect(limitOf(text, "Max open files")).toEqual(["64", "128"]);
      expect(limitOf(text, "Max core file size")).toEqual(["0", "0"]);
      expect(limitOf(text, "Max file size")).toEqual(["1048576", "1048576"]);
      if (as === "root") {
        // Raising a hard limit needs CAP_SYS_RESOURCE, which the jail still holds at this point.
        expect(limitOf(text, "Max stack size")).toEqual(["unlimited", "unlimited"]);
        expect(limitOf(text, "Max processes")).toEqual(["200", "200"]);
      }
    });

    test("a limit that bites: writing past rlimit_fsize fails inside", () => {
      const r = sh(as, "head -c 4096 /dev/zero > /tmp/nsjail-fsize-$$ ; echo $?; rm -f /tmp/nsjail-fsize-$$", ["--rlimit-fsize", "1024"]);
      expect(r.stdout).toBe("153\n"); // 128 + SIGXFSZ
    });

    test("rootless, a hard limit above nsjail's own is one line naming the key", () => {
      if (as === "root") return;
      const r = sh(as, "true", ["--rlimit-nofile", "inf"]);
      expect(r.code).toBe(255);
      expect(r.stderr).toMatch(/^nsjail: setrlimit RLIMIT_NOFILE inf:inf \[limits\.rlimit_nofile\]: EPERM \(Operation not permitted\) — raising a hard limit/);
    });

    test("the nice level shows in /proc/self/stat", () => {
      const stat = sh(as, "cat /proc/self/stat", ["--nice", "7"]).stdout;
      expect(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]).toBe("7");
    });

    test("CPU affinity shows in /proc/self/status", () => {
      expect(sh(as, "grep Cpus_allowed_list /proc/self/status", ["--cpu-affinity", "0"]).stdout).toMatch(/^Cpus_allowed_list:\s+0\n$/);
    });

    test("a kept capability is in the effective set of a non-root command, and nothing else", () => {
      const ids = as === "root" ? ["--uid", "1000"] : ["--uid", "1000", "--uid-map", "1000:65534:1"];
      const r = sh(as, "grep -E '^Cap(Eff|Prm|Amb|Bnd)' /proc/self/status; id -u", ["--cap", "net_bind_service", ...ids]);
      expect(r.stdout).toBe("CapPrm:\t0000000000000400\nCapEff:\t0000000000000400\nCapBnd:\t0000000000000400\nCapAmb:\t0000000000000400\n1000\n");
    });

    test("the exit record is appended to status_file, one line per jail", () => {
      const file = join(dir, `record-${as}.jsonl`);
      expect(nsjail(as, ["run", "--status-file", file, "--", "/bin/sh", "-c", "exit 3"]).code).toBe(3);
      expect(nsjail(as, ["run", "--status-file", file, "--", "/no/such/command"]).code).toBe(127);
      const [first, second, ...rest] = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
      expect(rest).toEqual([]);
      expect(first).toMatchObject({ reason: "exited", exit_code: 3, nsjail_exit: 3, setup: null });
      expect(first.wall_time_s).toBeGreaterThan(0);
      expect(first.cpu_time_s).toBeGreaterThan(0);
      expect(first.memory_peak_bytes).toBeGreaterThan(0);
      expect(second).toMatchObject({ reason: "setup_failed", nsjail_exit: 127, setup: { op: "execve", key: "command", errno: "ENOENT" } });
    });

    test("a time limit's record says whether SIGTERM sufficed (124) or SIGKILL was needed (137)", () => {
      const file = join(dir, `timeout-${as}.jsonl`);
      const limit = ["run", "--status-file", file, "--time-limit", "1", "--kill-after", "1", "--"];
      expect(nsjail(as, [...limit, "/bin/sh", "-c", "sleep 30"]).code).toBe(124);
      // The command ignores SIGTERM; as PID 1 its shell would not hear it anyway.
      expect(nsjail(as, [...limit, "/bin/sh", "-c", "trap '' TERM; while :; do sleep 1; done"]).code).toBe(137);
      const [term, kill] = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
      expect(term).toMatchObject({ reason: "timeout", nsjail_exit: 124, timeout_signal: "SIGTERM" });
      expect(kill).toMatchObject({ reason: "timeout", nsjail_exit: 137, timeout_signal: "SIGKILL", signal: "SIGKILL" });
    });

    test("a status_fd nsjail was not given, or a status_file it cannot open, stops the run first", () => {
      const fd = nsjail(as, ["run", "--status-fd", "7", "--", "/bin/true"]);
      expect([fd.code, fd.stderr]).toEqual([2, "nsjail: --status-fd 7: fd 7 is not open in nsjail's caller\n"]);
      const file = nsjail(as, ["run", "--status-file", "/no/such/dir/r.json", "--", "/bin/true"]);
      expect(file.code).toBe(255);
      expect(file.stderr).toBe("nsjail: open /no/such/dir/r.json [status_file]: ENOENT (No such file or directory)\n");
    });
  });
}

describe.skipIf(!(host.binary && host.root))("supplementary groups", () => {
  test("as root: setgroups with the configured groups, each mapped", () => {
    const r = sh("root", "grep -E '^Groups' /proc/self/status; id -G", ["--gid", "0", "--groups", "27", "--groups", "100", "--gid-map", "0:65534:1", "--gid-map", "27:27:1", "--gid-map", "100:100:1"]);
    // The kernel keeps them sorted by host gid: 0 is host 65534 here.
    expect(r.stdout).toBe("Groups:\t27 100 0 \n0 27 100\n");
  });

  test("without them, only the gid", () => {
    expect(sh("root", "grep -E '^Groups' /proc/self/status", ["--gid", "0"]).stdout).toBe("Groups:\t0 \n");
  });
});
