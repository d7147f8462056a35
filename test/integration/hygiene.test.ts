// What a jail leaves behind (nothing), what its init costs (under 1 MiB), and how bad
// input is reported (one line per problem, exit 2).
import { afterAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { host, requireHost } from "../support/host.ts";
import { type As, BIN, nsjail, removeNobodyCopy, sh } from "../support/jail.ts";

requireHost(host.binary && host.root, "root and a built ./nsjail");
afterAll(removeNobodyCopy);

function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((p) => {
      try {
        return Number(readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1]!.split(" ")[1]) === pid;
      } catch {
        return false;
      }
    });
}

function uss(pid: number): number {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const kb = (key: string) => Number(rollup.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"))?.[1] ?? 0);
  return kb("Private_Clean") + kb("Private_Dirty");
}

describe.skipIf(!(host.binary && host.root))("host hygiene", () => {
  test("the jail's init keeps under 1 MiB of unique memory", async () => {
    const jail = Bun.spawn([BIN, "run", "--", "/bin/sh", "-c", "echo up; sleep 5"], { stdout: "pipe" });
    await jail.stdout.getReader().read();
    const [init] = childrenOf(jail.pid);
    expect(init).toBeDefined();
    expect(readFileSync(`/proc/${init}/cmdline`, "utf8").split("\0")[0]).toBe("nsjail-init");
    const kb = uss(init!);
    expect(kb).toBeGreaterThan(0);
    expect(kb).toBeLessThan(1024);
    jail.kill("SIGKILL");
    await jail.exited;
  });

  test("no mounts, processes or fds are left on the host", async () => {
    const mountsBefore = readFileSync("/proc/self/mountinfo", "utf8");
    for (const flags of [[], ["--as-pid-1"], ["--time-limit", "1"]]) sh("root", "sleep 0.1; exit 3", flags);
    expect(nsjail("root", ["run", "--", "no-such-command"]).code).toBe(127);
    expect(readFileSync("/proc/self/mountinfo", "utf8")).toBe(mountsBefore);
    const strays = readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .filter((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, "utf8").startsWith("nsjail-init");
        } catch {
          return false;
        }
      });
    expect(strays).toEqual([]);
  });

  test("killing nsjail kills the whole jail", async () => {
    const jail = Bun.spawn([BIN, "run", "--", "/bin/sh", "-c", "echo up; sleep 30"], { stdout: "pipe" });
    await jail.stdout.getReader().read();
    const [init] = childrenOf(jail.pid);
    jail.kill("SIGKILL");
    await jail.exited;
    await Bun.sleep(200);
    // Gone, or a zombie waiting for the host's init to reap it: either way not running.
    let state = "gone";
    try {
      state = readFileSync(`/proc/${init}/stat`, "utf8").split(") ")[1]!.split(" ")[0]!;
    } catch {}
    expect(["gone", "Z"]).toContain(state);
  });
});

describe.skipIf(!host.binary)("bad input", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsjail-bad-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("check reports every problem with file:line and key, exit 2", () => {
    const file = join(dir, "bad.toml");
    writeFileSync(file, 'hostnme = "x"\ntime_limit = "soon"\ncommand = ["/bin/true"]\n');
    const r = nsjail("root", ["check", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:1: hostnme: unknown key (did you mean 'hostname'?)`);
    expect(r.stderr).toContain(`${file}:2: time_limit:`);
  });

  test("run refuses a broken config before touching the host", () => {
    const file = join(dir, "syntax.toml");
    writeFileSync(file, "command = [\n");
    const r = nsjail("root", ["run", "-c", file]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toContain(file);
  });

  test("invalid UTF-8 is an error, not a crash", () => {
    const file = join(dir, "binary.toml");
    writeFileSync(file, Buffer.from([0x68, 0x6f, 0x73, 0x74, 0x6e, 0x61, 0x6d, 0x65, 0x3d, 0x22, 0xff, 0x22, 0x0a]));
    const r = nsjail("root", ["check", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/UTF-8/);
  });

  test("unknown flags are usage errors", () => {
    expect(nsjail("root", ["run", "--no-such-flag", "--", "/bin/true"]).code).toBe(2);
  });
});

describe.skipIf(!(host.binary && host.root))("root without a user namespace", () => {
  test("switches to the configured ids with setgroups/setresgid/setresuid", () => {
    const r = sh("root", "id -u; id -g; id -G", ["--unshare", "pid,fs,uts", "--uid", "65534", "--gid", "65534"]);
    expect(r.stdout).toBe("65534\n65534\n65534\n");
    expect(r.stderr).toBe("");
  });

  test("warns when the jail runs as real host root", () => {
    const r = sh("root", "id -u", ["--unshare", "pid,fs"]);
    expect(r.stdout).toBe("0\n");
    expect(r.stderr).toBe("nsjail: warn: the jail runs as real root of the host (no user namespace, uid 0)\n");
  });
});

describe.skipIf(!host.binary)("nsjail test", () => {
  // Many jails from one process: rootless, this also proves the supervisor can still write
  // the next child's uid_map after an earlier jail made it non-dumpable.
  const users: As[] = host.rootless ? ["root", "nobody"] : ["root"];
  test.each(users)("every namespace is reported ok as %s, one line a check, then the counts", (as) => {
    const r = nsjail(as, ["test"], { timeoutMs: 60_000 });
    const lines = r.stdout.trimEnd().split("\n");
    for (const ns of ["user", "fs", "pid", "uts", "ipc", "net", "cgroup", "time"]) expect(r.stdout).toMatch(new RegExp(`^ok {4}namespace ${ns} `, "m"));
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/^(ok  |FAIL|skip) {2}\S/);
    const [passed, failed, skipped] = lines.at(-1)!.match(/^(\d+) passed, (\d+) failed, (\d+) skipped$/)!.slice(1).map(Number);
    expect(passed! + failed! + skipped!).toBe(lines.length - 1);
    expect(failed).toBe(lines.filter((l) => l.startsWith("FAIL")).length);
    expect(r.code).toBe(failed === 0 ? 0 : 1);
    // Root writes its own id maps; a rootless run needs the setuid helpers, if installed.
    if (as === "root") expect(r.stdout).toMatch(/^skip {2}newuidmap +root writes id maps itself$/m);
  });

  test("--json: the same checks as one object", () => {
    const r = nsjail("root", ["test", "--json"], { timeoutMs: 60_000 });
    const report = JSON.parse(r.stdout);
    expect(report.checks.find((c: { name: string }) => c.name === "namespace pid")).toEqual({ name: "namespace pid", status: "ok", detail: "pid" });
    expect(report.passed + report.failed + report.skipped).toBe(report.checks.length);
    expect(r.code).toBe(report.failed === 0 ? 0 : 1);
  });
});
