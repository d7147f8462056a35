// Stage 5 (launch): the cgroup manager on this host's real cgroups, with plain processes
// (/bin/sh) attached while they wait on stdin, the way a jail's child waits before exec.
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NO_LIMITS, type LimitsSpec } from "../../src/config/limits-model.ts";
import { CgroupManager, type JailCgroup } from "../../src/launch/cgroup/manager.ts";
import { nodeCgroupEnv } from "../../src/launch/cgroup/node-env.ts";
import { host, requireHost } from "../support/host.ts";
import { dropTo } from "../support/jail.ts";

/** Unique per test process: other suites' cgroups (and their sweeps) never meet ours. */
const PREFIX = `nsjtest-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const warnings: string[] = [];
const manager = new CgroupManager(nodeCgroupEnv((m) => warnings.push(m)), PREFIX);
const limits = (over: Partial<LimitsSpec>): LimitsSpec => ({ ...NO_LIMITS, ...over });

function cgroupsWritable(): boolean {
  if (!host.root) return false;
  try {
    manager.create(limits({ pids: 1, memory: 1 << 24, cpu: 1 })).remove();
    return true;
  } catch {
    return false;
  }
}
const writable = cgroupsWritable();
requireHost(writable, "root and writable cgroups with the memory, pids and cpu controllers");

/** /bin/sh -c script, attached to `jail` before it gets past `read`. */
async function startIn(jail: JailCgroup, script: string) {
  const proc = Bun.spawn(["/bin/sh", "-c", `read go; ${script}`], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  jail.attach(proc.pid);
  for (const dir of jail.dirs) expect(readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n")).toContain(String(proc.pid));
  proc.stdin.write("go\n");
  await proc.stdin.flush();
  return proc;
}

/** Runs `body` on a new jail cgroup, which is removed afterwards even when an assertion fails. */
async function withJail(l: LimitsSpec, body: (jail: JailCgroup) => Promise<void>, by = manager): Promise<JailCgroup> {
  const jail = by.create(l);
  try {
    await body(jail);
  } finally {
    jail.remove();
  }
  return jail;
}

const procsIn = (dir: string) => readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean).length;
const leftovers = (jail: JailCgroup) => jail.dirs.filter((d) => existsSync(d));

describe.skipIf(!writable)("cgroups on this host", () => {
  test("a fork bomb stays within pids, and nothing is left after remove", async () => {
    const jail = await withJail(limits({ pids: 16 }), async (jail) => {
      // Each process forks two more, then sleeps; sh exits where fork fails. Bounded (2^11
      // processes, 3 s each) in case the limit did not hold.
      await startIn(jail, "b() { [ $1 -lt 10 ] && { b $(($1+1)) & b $(($1+1)) & }; exec sleep 3; }; b 0");
      const pidsDir = jail.dirs.find((d) => existsSync(join(d, "pids.max")))!;
      let most = 0;
      for (let i = 0; i < 20; i++) {
        most = Math.max(most, procsIn(pidsDir));
        await Bun.sleep(50);
      }
      expect(most).toBeGreaterThan(1);
      expect(most).toBeLessThanOrEqual(16);
      expect(readFileSync(join(pidsDir, "pids.events"), "utf8")).toMatch(/^max [1-9]/m);
    });
    expect(leftovers(jail)).toEqual([]);
  });

  test("a memory hog is OOM-killed and the kill is read back", async () => {
    const jail = await withJail(limits({ memory: 32 << 20, memorySwap: 0 }), async (jail) => {
      const proc = await startIn(jail, "exec tail /dev/zero");
      await proc.exited;
      expect(proc.signalCode).toBe("SIGKILL");
      const usage = jail.usage();
      expect(usage.oomKills).toBeGreaterThanOrEqual(1);
      expect(usage.memoryPeak).toBeGreaterThan(16 << 20);
      expect(usage.memoryPeak).toBeLessThanOrEqual(33 << 20);
    });
    expect(leftovers(jail)).toEqual([]);
  });

  test("cpu = 0.2 holds a busy loop well below one CPU", async () => {
    const jail = await withJail(limits({ cpu: 0.2 }), async (jail) => {
      const started = performance.now();
      await startIn(jail, "while :; do :; done");
      await Bun.sleep(1500);
      const ratio = jail.usage().cpuUsec! / ((performance.now() - started) * 1000);
      // A functional check of the kernel's throttling, not a benchmark: unthrottled, the
      // loop would use close to one whole CPU.
      expect(ratio).toBeGreaterThan(0.05);
      expect(ratio).toBeLessThan(0.45);
    });
    expect(leftovers(jail)).toEqual([]);
  });

  test("cgroup v2 where it has no controllers: attach, CPU time, cgroup.kill, rmdir", async () => {
    const jail = await withJail(limits({ cgroupVersion: "v2" }), async (jail) => {
      expect(jail.version).toBe(2);
      const proc = await startIn(jail, "while :; do :; done");
      await Bun.sleep(300);
      expect(jail.usage().cpuUsec).toBeGreaterThan(0);
      jail.remove();
      await proc.exited;
      expect(proc.signalCode).toBe("SIGKILL");
    });
    expect(leftovers(jail)).toEqual([]);
  });

  test("the cgroup of a killed nsjail is removed, its processes killed, on the next start", async () => {
    const dead = Bun.spawn(["/bin/true"]);
    await dead.exited;
    const stale = new CgroupManager({ ...nodeCgroupEnv(() => {}), pid: dead.pid }, PREFIX).create(limits({ pids: 4 }));
    try {
      const proc = await startIn(stale, "exec sleep 30");
      // A fresh nsjail process: a new manager with a live pid sweeps on its first jail.
      await withJail(limits({ pids: 4 }), async () => {
        await proc.exited;
        expect(proc.signalCode).toBe("SIGKILL");
        expect(leftovers(stale)).toEqual([]);
        expect(warnings.some((w) => w.includes(`left behind by nsjail pid ${dead.pid}`))).toBe(true);
      }, new CgroupManager(nodeCgroupEnv((m) => warnings.push(m)), PREFIX));
    } finally {
      stale.remove();
    }
  });
});

describe.skipIf(!(writable && host.rootless))("cgroups without privileges", () => {
  let dir: string | null = null;
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  test("uid 65534 gets one line with the path, the errno and how to delegate", async () => {
    dir = mkdtempSync(join(tmpdir(), "nsjail-cgroup-"));
    chmodSync(dir, 0o755);
    const built = await Bun.build({ entrypoints: [join(import.meta.dir, "../support/cgroup-probe.ts")], outdir: dir, target: "bun" });
    expect(built.success).toBe(true);
    // uid 65534 may not reach this checkout's bun: then it runs a copy.
    let bun = process.execPath;
    if (Bun.spawnSync([...dropTo("nobody"), "test", "-x", bun]).exitCode !== 0) {
      bun = join(dir, "bun");
      copyFileSync(process.execPath, bun);
      chmodSync(bun, 0o755);
    }
    const r = Bun.spawnSync([...dropTo("nobody"), bun, join(dir, "cgroup-probe.js"), PREFIX], { cwd: "/" });
    const stderr = r.stderr.toString();
    expect(r.exitCode).toBe(255);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^cgroup v[12]: (mkdir|write) .*\/sys\/fs\/cgroup\/\S+: EACCES \(Permission denied\) — /);
    expect(stderr).toContain("systemd-run --user -p Delegate=yes --scope nsjail");
  });
});
