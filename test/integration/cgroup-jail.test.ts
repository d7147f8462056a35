// [limits] cgroups end to end: real jails under a cgroup of the test's own (test/support/
// cgroup-parent.ts), seen from inside and read back from the exit record, for `run` and for a
// vassal of the emperor; and no jail cgroup left behind, after a normal end and after nsjail
// itself is SIGKILLed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cgroupsWritable, testCgroup, type TestCgroup } from "../support/cgroup-parent.ts";
import { TestEmperor, vassal } from "../support/emperor.ts";
import { host, requireHost } from "../support/host.ts";
import { binaryFor, dropTo, removeNobodyCopy, type Result, withoutJailLines } from "../support/jail.ts";
import { pidsRunning, uniqueSleep, waitFor } from "../support/procs.ts";

const writable = host.binary && cgroupsWritable();
requireHost(writable, "a built ./nsjail, root, and writable cgroups with the memory, pids and cpu controllers");

let parent: TestCgroup;

/** nsjail, started by a shell that first joined the test's cgroup (then dropped to `as`). */
function argvIn(args: readonly string[], as: "root" | "nobody" = "root"): string[] {
  const quoted = [...dropTo(as), binaryFor(as), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  return ["/bin/sh", "-c", `${parent.enter}exec 3>&2 ${quoted}`];
}

/** nsjail run with its exit record on fd 3, split back out of stderr; exec mode has none. */
function run(args: readonly string[], as: "root" | "nobody" = "root"): Result & { record: Record<string, unknown> | null } {
  const record = args.includes("--exec") ? [] : ["--status-fd", "3"];
  const r = Bun.spawnSync(argvIn(["run", ...record, ...args], as), { cwd: "/", timeout: 20_000, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
  const stderr = r.stderr.toString();
  const line = stderr.split("\n").find((l) => l.startsWith("{"));
  const rest = withoutJailLines(stderr.split("\n").filter((l) => !l.startsWith("{")).join("\n"));
  return { code: r.exitCode ?? 137, stdout: r.stdout.toString(), stderr: rest, rawStderr: stderr, record: line ? JSON.parse(line) : null };
}

describe.skipIf(!writable)("cgroup limits in a real jail", () => {
  beforeAll(() => (parent = testCgroup()));
  afterAll(() => {
    parent.remove();
    removeNobodyCopy();
  });

  test("a fork bomb is held by pids, and the jail ends with nothing left", async () => {
    // The bomb forks until pids says no, while the shell keeps the jail alive with builtins only
    // (a fork of its own could fail); the host watches the jail's cgroup meanwhile.
    const script = "b() { b & b & sleep 5; }; b & i=0; while [ $i -lt 1500000 ]; do i=$((i+1)); done; echo done";
    const jail = Bun.spawn(argvIn(["run", "--pids", "16", "--", "/bin/sh", "-c", script]), { stdout: "pipe", stderr: "ignore" });
    let most = 0;
    let hitMax = false;
    try {
      await waitFor("the jail's cgroup", () => parent.jails().some((d) => existsSync(join(d, "pids.max"))));
      const dir = parent.jails().find((d) => existsSync(join(d, "pids.max")))!;
      const read = (f: string) => {
        try {
          return readFileSync(join(dir, f), "utf8");
        } catch {
          return ""; // removed at the jail's end
        }
      };
      while (jail.exitCode === null) {
        most = Math.max(most, Number(read("pids.current")) || 0);
        hitMax ||= /^max [1-9]/m.test(read("pids.events"));
        await Bun.sleep(10);
      }
    } finally {
      jail.kill(9);
    }
    expect(await jail.exited).toBe(0);
    expect(await new Response(jail.stdout).text()).toBe("done\n");
    expect(hitMax).toBe(true);
    expect(most).toBeGreaterThan(2);
    expect(most).toBeLessThanOrEqual(16);
    expect(parent.jails()).toEqual([]);
  }, 20_000);

  test("past pids, fork fails inside and the shell says so", () => {
    const r = run(["--pids", "12", "--", "/bin/sh", "-c", "i=0; while [ $i -lt 64 ]; do sleep 30 & i=$((i+1)); echo $i; done"]);
    const last = Number(r.stdout.trim().split("\n").at(-1));
    // 12 minus the init and the shell.
    expect(last).toBe(10);
    expect(r.stderr).toContain("Cannot fork");
    expect(r.code).toBe(2);
  });

  test("a memory hog is OOM-killed and the exit record says oom", () => {
    const r = run(["--memory", "32M", "--memory-swap", "0", "--", "/bin/sh", "-c", "tail /dev/zero"]);
    expect(r.code).toBe(137);
    expect(r.record).toMatchObject({ reason: "oom", exit_code: 137, nsjail_exit: 137 });
    expect(r.record!.oom_kills).toBeGreaterThanOrEqual(1);
    expect(r.record!.memory_peak_bytes).toBeGreaterThan(16 << 20);
    expect(r.record!.memory_peak_bytes).toBeLessThanOrEqual(33 << 20);
    expect(parent.jails()).toEqual([]);
  });

  test("cpu = 0.2 holds a busy loop well below one CPU", () => {
    const r = run(["--cpu", "0.2", "--time-limit", "2", "--", "/bin/sh", "-c", "while :; do :; done"]);
    // The loop dies of the time limit's SIGTERM: timeout(1)'s 124, no SIGKILL needed.
    expect(r.record).toMatchObject({ reason: "timeout", signal: "SIGTERM", nsjail_exit: 124, timeout_signal: "SIGTERM" });
    // A functional check of the kernel's throttling with generous bounds, not a benchmark:
    // unthrottled, the loop would use close to one whole CPU.
    const ratio = (r.record!.cpu_time_s as number) / (r.record!.wall_time_s as number);
    expect(ratio).toBeGreaterThan(0.05);
    expect(ratio).toBeLessThan(0.45);
  });

  test("the cgroup namespace is rooted at the jail's own cgroup", () => {
    const r = run(["--pids", "16", "--", "/bin/cat", "/proc/self/cgroup"]);
    const lines = r.stdout.trim().split("\n");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/:\/$/);
    // Without the namespace the jail sees where it really is.
    const outside = run(["--pids", "16", "--unshare", "fs,pid,user,uts,ipc,net", "--", "/bin/cat", "/proc/self/cgroup"]);
    expect(outside.stdout).toMatch(/^\d+:pids:\/.*nsjail\.\d+\.0$/m);
  });

  test("nothing is left while the jail runs but its cgroup, and nothing after", async () => {
    const sleep = uniqueSleep();
    const jail = Bun.spawn(argvIn(["run", "--pids", "8", "--", ...sleep]), { stdout: "ignore", stderr: "pipe" });
    try {
      await waitFor("the jail to start", () => pidsRunning(sleep.join(" ")).length > 0);
      expect(parent.jails().length).toBeGreaterThan(0);
      expect(parent.jails().every((d) => d.endsWith(`/nsjail.${jail.pid}.0`))).toBe(true);
      jail.kill("SIGTERM");
      expect(await jail.exited).toBe(143);
      expect(parent.jails()).toEqual([]);
    } finally {
      jail.kill(9);
    }
  }, 15_000);

  test("after nsjail is SIGKILLed, the next start removes what it left", async () => {
    const sleep = uniqueSleep();
    const jail = Bun.spawn(argvIn(["run", "--pids", "8", "--", ...sleep]), { stdout: "ignore", stderr: "ignore" });
    await waitFor("the jail to start", () => pidsRunning(sleep.join(" ")).length > 0);
    jail.kill(9);
    await jail.exited;
    await waitFor("the jail to die with nsjail", () => pidsRunning(sleep.join(" ")).length === 0);
    const stale = parent.jails();
    expect(stale.length).toBeGreaterThan(0);
    const next = run(["--pids", "8", "--", "/bin/true"]);
    expect(next.code).toBe(0);
    expect(next.stderr).toContain(`left behind by nsjail pid ${jail.pid}`);
    expect(parent.jails()).toEqual([]);
  }, 15_000);

  test("exec mode: nsjail joins the cgroup before it becomes the jail; the next start removes it", () => {
    const r = run(["--exec", "--pids", "8", "--", "/bin/sh", "-c", "cat /proc/self/cgroup; i=0; while [ $i -lt 20 ]; do sleep 5 & i=$((i+1)); done"]);
    for (const line of r.stdout.trim().split("\n")) expect(line).toMatch(/:\/$/);
    expect(r.stderr).toContain("Cannot fork");
    const left = parent.jails();
    expect(left.length).toBeGreaterThan(0);
    const next = run(["--pids", "8", "--", "/bin/true"]);
    for (const dir of left) expect(next.stderr).toContain(`removed the cgroup ${dir} left behind`);
    expect(parent.jails()).toEqual([]);
  });

  test("a vassal of the emperor with [limits] runs in a jail cgroup of its own, gone when it stops, and writes its record", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nsjail-vassal-cg-"));
    const record = join(dir, "v.jsonl");
    const sleep = uniqueSleep();
    const file = vassal(["/bin/sh", "-c", `cat /proc/self/cgroup; exec ${sleep.join(" ")}`], `status_file = "${record}"\n[limits]\npids = 8`);
    const e = new TestEmperor("root", { "v.toml": file }, [], parent.enter);
    try {
      await e.waitEvent("v", "start");
      await waitFor("the vassal's command", () => pidsRunning(sleep.join(" ")).length === 1);
      // Its cgroup namespace is rooted at the jail's cgroup, made under the emperor's.
      await waitFor("the vassal's /proc/self/cgroup", () => e.output.some((l) => l.startsWith("v| ")));
      for (const line of e.output.filter((l) => l.startsWith("v| ")).map((l) => l.slice(3))) expect(line).toMatch(/:\/$/);
      const dirs = parent.jails();
      expect(dirs.length).toBeGreaterThan(0);
      expect(dirs.map((d) => join(d, "pids.max")).filter(existsSync).map((f) => readFileSync(f, "utf8"))).toEqual(["8\n"]);
      e.remove("v.toml");
      await e.waitEvent("v", "exit");
      await waitFor("the vassal's cgroup to be removed", () => parent.jails().length === 0);
      expect(JSON.parse(readFileSync(record, "utf8"))).toMatchObject({ reason: "signaled", signal: "SIGTERM", setup: null });
    } finally {
      await e.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);

  test("nsjail test makes and removes a jail cgroup", () => {
    const r = Bun.spawnSync(argvIn(["test"]), { cwd: "/", timeout: 60_000 });
    const out = r.stdout.toString();
    expect(out).toMatch(/^ok +cgroups +writable: /m);
    expect(out).toMatch(/^ok +jail cgroup +cgroup v[12]: made and removed \/sys\/fs\/cgroup\/\S+\/nsjail\.\d+\.0$/m);
    expect(parent.jails()).toEqual([]);
  }, 60_000);

  test.skipIf(!host.rootless)("rootless, limits give one line: what failed, where, and how to delegate", () => {
    const r = run(["--pids", "8", "--", "/bin/true"], "nobody");
    expect(r.code).toBe(255);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^nsjail: cgroup v[12]: mkdir \/sys\/fs\/cgroup\/\S+: EACCES \(Permission denied\) — /);
    expect(r.stderr).toContain("systemd-run --user -p Delegate=yes");
    expect(r.record).toMatchObject({ reason: "setup_failed", pid: null, nsjail_exit: 255, setup: { op: null } });
  });
});
