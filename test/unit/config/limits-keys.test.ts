// Stage 1 (config): [limits], [seccomp], groups and the exit record as keys of a jail — in
// the file, as flags, both at once, and every refusal with its path or flag.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { flagsToRaw } from "../../../src/cli/flags-to-raw.ts";
import { addConfigFlags } from "../../../src/cli/flags.ts";
import { NO_LIMITS } from "../../../src/config/limits-model.ts";
import { resolveConfig } from "../../../src/config/resolve.ts";
import { configErrorOf, configOf, fakeHost, issuesOf, rootHost, userHost } from "./fake-host.ts";

const CMD = 'command = ["/bin/true"]\n';

function parse(argv: string[]): Record<string, unknown> {
  const cmd = addConfigFlags(new Command("run")).argument("[command...]").exitOverride();
  cmd.parse(argv, { from: "user" });
  return flagsToRaw(cmd.opts());
}

function resolveWith(toml: string | null, argv: string[], host = userHost) {
  let file: string | null = null;
  if (toml !== null) {
    file = join(mkdtempSync(join(tmpdir(), "nsjail-cfg-")), "t.toml");
    writeFileSync(file, toml);
  }
  return resolveConfig({ file, cli: parse(argv), command: ["/bin/true"] }, host);
}

describe("[limits] as a key", () => {
  test("absent: no limits and no filter", () => {
    const c = configOf(CMD);
    expect(c.limits).toBe(NO_LIMITS);
    expect(c.seccomp).toBeNull();
    expect([c.statusFd, c.statusFile, c.groups]).toEqual([null, null, []]);
  });

  test("from the file", () => {
    const c = configOf(`${CMD}[limits]\npids = 20\nmemory = "64M"\nrlimit_nofile = "64:128"`);
    expect(c.limits).toMatchObject({ pids: 20, memory: 64 << 20, rlimits: [{ resource: "nofile", soft: 64, hard: 128 }] });
  });

  test("every limit has a flag that lands in the table", () => {
    const raw = parse(["--memory", "64M", "--pids", "20", "--cpu", "0.5", "--nice", "5", "--cpu-affinity", "0", "--rlimit-nofile", "64:128", "--cgroup-version", "v1"]);
    expect(raw).toEqual({ limits: { memory: "64M", pids: 20, cpu: "0.5", nice: "5", cpu_affinity: "0", rlimit_nofile: "64:128", cgroup_version: "v1" } });
    const c = resolveWith(null, ["--memory", "64M", "--pids", "20", "--cpu", "0.5", "--nice", "5", "--cpu-affinity", "0", "--rlimit-nofile", "64:128"]);
    expect(c.limits).toMatchObject({ memory: 64 << 20, pids: 20, cpu: 0.5, nice: 5, cpuAffinity: [0] });
  });

  test("a flag sets its key and keeps the file's others", () => {
    const c = resolveWith("[limits]\npids = 20\nmemory = \"64M\"\n", ["--pids", "5"]);
    expect(c.limits).toMatchObject({ pids: 5, memory: 64 << 20 });
  });

  test("a bad flag value is reported under the flag; a bad file value under its key and line", () => {
    const e = configErrorOf(() => resolveWith("[limits]\nmemory = \"64Q\"\n", ["--pids", "x"]));
    expect(e.message).toContain("--pids: expected an integer ≥ 1, got 'x'");
    expect(e.message).toMatch(/t\.toml:2: limits\.memory: expected a size/);
  });

  test("unknown keys and a non-table", () => {
    expect(issuesOf(`${CMD}[limits]\nmemroy = 1`)).toEqual([{ path: "limits.memroy", message: "unknown key (did you mean 'memory'?)", line: 3 }]);
    expect(issuesOf(`${CMD}limits = 3`)[0]).toMatchObject({ path: "limits", message: "expected a table ([limits]), got integer" });
  });
});

describe("[seccomp] as a key", () => {
  test("from the file", () => {
    const c = configOf(`${CMD}[seccomp]\ndeny = ["uname"]\nerrno = "EACCES"`);
    expect(c.seccomp).toMatchObject({ defaultAction: "allow", deny: ["uname"], errno: 13, nestedUserns: true });
    expect(Object.isFrozen(c.seccomp!.deny)).toBe(true);
  });

  test("flags: lists repeat, errno by number or name, nested user namespaces off", () => {
    const raw = parse(["--seccomp-deny", "uname", "--seccomp-deny", "@dangerous", "--seccomp-errno", "13", "--no-nested-userns", "--seccomp-deny-action", "kill"]);
    expect(raw).toEqual({ seccomp: { deny: ["uname", "@dangerous"], errno: 13, nested_userns: false, deny_action: "kill" } });
    const c = resolveWith(null, ["--seccomp-deny", "uname", "--seccomp-errno", "ENOSYS", "--no-nested-userns"]);
    expect(c.seccomp).toMatchObject({ deny: ["uname"], errno: 38, nestedUserns: false });
  });

  test("a repeated list flag adds to the file's list, as every list flag does; other keys stay", () => {
    const c = resolveWith('[seccomp]\ndeny = ["uname", "ptrace"]\nerrno = "EACCES"\n', ["--seccomp-deny", "sethostname"]);
    expect(c.seccomp).toMatchObject({ deny: ["ptrace", "sethostname", "uname"], errno: 13 });
  });

  test("issues name the flag, with did-you-mean", () => {
    const e = configErrorOf(() => resolveWith(null, ["--seccomp-deny", "unmae", "--seccomp-default", "deny"]));
    expect(e.message).toContain("--seccomp-deny[0]: unknown syscall 'unmae' (did you mean 'uname'?)");
    expect(e.message).toContain("--seccomp-default: expected one of allow, errno, kill, log, trap, got 'deny'");
  });

  test("an architecture without tables is refused", () => {
    expect(issuesOf(`${CMD}[seccomp]\ndeny = ["uname"]`, fakeHost({ arch: "riscv64" }))).toEqual([
      { path: "seccomp", message: "no syscall table for this architecture (riscv64): filters are built for x86_64 and aarch64", line: 2 },
    ]);
  });
});

describe("groups", () => {
  test("names and numbers; the gid itself is dropped, duplicates once", () => {
    const c = configOf(`${CMD}gid = 0\ngroups = ["users", 27, "27", 0]\nunshare = ["fs"]`, rootHost);
    expect(c.groups).toEqual([100, 27]);
  });

  test("as root with a user namespace: each group must be mapped", () => {
    const toml = `${CMD}gid = 0\ngroups = [100, 27]\ngid_map = ["0:65534:1", "100:100:1"]`;
    expect(issuesOf(toml, rootHost)).toEqual([{ path: "groups", message: "gid 27 not mapped by gid_map", line: 3 }]);
  });

  test("rootless with a map nsjail writes itself: setgroups is denied", () => {
    expect(issuesOf(`${CMD}groups = ["users"]`)).toEqual([
      {
        path: "groups",
        message: "needs setgroups, which this jail cannot call: a gid_map nsjail writes itself needs setgroups denied; map a range from /etc/subgid with gid_map (newgidmap allows setgroups)",
        line: 2,
      },
    ]);
  });

  test("rootless with a range from newgidmap: allowed", () => {
    const c = configOf(`${CMD}uid = 0\ngid = 0\nuid_map = ["0:1000:1"]\ngid_map = ["0:1000:1", "1:100000:1000"]\ngroups = [100]`);
    expect(c.groups).toEqual([100]);
  });

  test("exec mode writes its own map: refused", () => {
    expect(issuesOf(`${CMD}exec = true\ngid = 0\ngroups = [0, 5]\ngid_map = ["0:65534:1"]`, rootHost)[0]).toMatchObject({
      path: "groups",
      message: "needs setgroups, which this jail cannot call: exec mode writes its own gid_map, which needs setgroups denied",
    });
  });

  test("unknown names and too many", () => {
    expect(issuesOf(`${CMD}groups = ["wheelz"]`, rootHost)).toEqual([{ path: "groups[0]", message: "no group named 'wheelz' on this host", line: 2 }]);
    const many = Array.from({ length: 64 }, (_, i) => i + 1).join(", ");
    expect(issuesOf(`${CMD}unshare = ["fs"]\ngroups = [${many}]`, rootHost)[0]).toMatchObject({ path: "groups", message: "at most 63 groups besides gid, got 64" });
  });
});

describe("exit record", () => {
  test("fd and file", () => {
    const c = configOf(`${CMD}status_fd = 3\nstatus_file = "/tmp/x.json"`);
    expect([c.statusFd, c.statusFile]).toEqual([3, "/tmp/x.json"]);
    expect(resolveWith(null, ["--status-fd", "5"]).statusFd).toBe(5);
  });

  test("not with exec, not a passed fd, not an empty path", () => {
    expect(issuesOf(`${CMD}exec = true\nstatus_fd = 3\nstatus_file = "r.json"`).map((i) => [i.path, i.message])).toEqual([
      ["status_fd", "needs nsjail to stay as supervisor: not with exec"],
      ["status_file", "needs nsjail to stay as supervisor: not with exec"],
    ]);
    expect(issuesOf(`${CMD}status_fd = 4\npass_fd = [4]`)[0]).toMatchObject({ path: "status_fd", message: "fd 4 is also in pass_fd: the jail could write its own exit record" });
    expect(issuesOf(`${CMD}status_file = ""`)[0]).toMatchObject({ path: "status_file", message: "expected a path, got ''" });
  });
});
