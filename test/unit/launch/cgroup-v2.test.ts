// Stage 5 (launch): the cgroup manager on a fake cgroup v2 tree — delegation, subtree_control,
// the no-internal-processes rule, limits, usage, cleanup and the stale sweep.
import { describe, expect, test } from "bun:test";
import { NO_LIMITS, type LimitsSpec } from "../../../src/config/limits-model.ts";
import { CgroupError } from "../../../src/launch/cgroup/errors.ts";
import { CgroupManager } from "../../../src/launch/cgroup/manager.ts";
import { FakeCgroupFs, fakeEnv, procFiles } from "../../support/fake-cgroup.ts";

const US = 100;
const ROOT = "/sys/fs/cgroup";
const SCOPE = `${ROOT}/user.slice/app.scope`;
const limits = (over: Partial<LimitsSpec>): LimitsSpec => ({ ...NO_LIMITS, ...over });
const FULL = limits({ memory: 64 * 2 ** 20, pids: 20, cpu: 0.5 });

/** A systemd-like host: nsjail (pid 100) alone in a delegated scope. */
function delegatedHost(opts: { scopeProcs?: number[]; scopeControllers?: string[] } = {}) {
  const given = opts.scopeControllers ?? ["cpu", "memory", "pids"];
  const fs = new FakeCgroupFs();
  fs.mount(ROOT, 2, ["cpu", "io", "memory", "pids"]);
  for (const c of given) fs.dirs.get(ROOT)!.subtree.add(c);
  fs.cgroup(`${ROOT}/user.slice`, [], given);
  fs.cgroup(SCOPE, opts.scopeProcs ?? [US]);
  procFiles(fs, ["0::/user.slice/app.scope"], ["/ /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate"]);
  return { fs, env: fakeEnv(fs, US, 1000) };
}

describe("cgroup v2", () => {
  test("nsjail moves into a leaf, enables the controllers, creates the jail's cgroup with its limits", () => {
    const { fs, env } = delegatedHost();
    const jail = new CgroupManager(env).create(FULL);
    expect(jail.version).toBe(2);
    expect(jail.dirs).toEqual([`${SCOPE}/nsjail.100.0`]);
    expect(fs.log).toEqual([
      `mkdir ${SCOPE}/supervisor`,
      `write ${SCOPE}/supervisor/cgroup.procs 100`,
      `write ${SCOPE}/cgroup.subtree_control +memory +pids +cpu`,
      `mkdir ${SCOPE}/nsjail.100.0`,
      `write ${SCOPE}/nsjail.100.0/memory.max 67108864`,
      `write ${SCOPE}/nsjail.100.0/pids.max 20`,
      `write ${SCOPE}/nsjail.100.0/cpu.max 50000 100000`,
    ]);
    expect(fs.pidsIn(SCOPE)).toEqual([]);
    expect(fs.pidsIn(`${SCOPE}/supervisor`)).toEqual([US]);
  });

  test("attach, usage, remove: processes killed with cgroup.kill, the directory removed", () => {
    const { fs, env } = delegatedHost();
    const jail = new CgroupManager(env).create(FULL);
    const dir = jail.dirs[0]!;
    jail.attach(4242);
    fs.dirs.get(dir)!.procs.add(4243); // the jail forked
    expect(fs.pidsIn(dir)).toEqual([4242, 4243]);
    fs.dirs.get(dir)!.files.set("memory.events", "low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\n");
    fs.dirs.get(dir)!.files.set("memory.peak", "66000000\n");
    fs.dirs.get(dir)!.files.set("cpu.stat", "usage_usec 123456\nuser_usec 1\n");
    expect(jail.usage()).toEqual({ oomKills: 1, memoryPeak: 66000000, cpuUsec: 123456 });
    jail.remove();
    expect(fs.log.slice(-2)).toEqual([`write ${dir}/cgroup.kill 1`, `rmdir ${dir}`]);
    expect(fs.dirs.has(dir)).toBe(false);
    jail.remove(); // twice is harmless
    expect(env.kills).toEqual([]);
  });

  test("a second jail reuses the enabled controllers and takes the next name", () => {
    const { fs, env } = delegatedHost();
    const manager = new CgroupManager(env);
    manager.create(FULL);
    const before = fs.log.length;
    expect(manager.create(limits({ pids: 5 })).dirs).toEqual([`${SCOPE}/nsjail.100.1`]);
    expect(fs.log.slice(before)).toEqual([`mkdir ${SCOPE}/nsjail.100.1`, `write ${SCOPE}/nsjail.100.1/pids.max 5`]);
  });

  test("in the root cgroup, which may hold processes, no leaf is needed", () => {
    const fs = new FakeCgroupFs();
    fs.mount(ROOT, 2, ["memory", "pids"]);
    fs.dirs.get(ROOT)!.procs.add(US);
    procFiles(fs, ["0::/"], ["/ /sys/fs/cgroup rw - cgroup2 cgroup2 rw"]);
    const jail = new CgroupManager(fakeEnv(fs, US)).create(limits({ pids: 3 }));
    expect(fs.log.slice(0, 2)).toEqual([`write ${ROOT}/cgroup.subtree_control +pids +memory`, `mkdir ${ROOT}/nsjail.100.0`]);
    expect(jail.dirs).toEqual([`${ROOT}/nsjail.100.0`]);
  });

  test("other processes in our cgroup: an EBUSY error that says why, nothing created", () => {
    const { fs, env } = delegatedHost({ scopeProcs: [US, 77] });
    const err = errorOf(() => new CgroupManager(env).create(FULL));
    expect(err.message).toStartWith(`cgroup v2: write "+memory +pids +cpu" to ${SCOPE}/cgroup.subtree_control: EBUSY — other processes (77) share nsjail's cgroup`);
    expect(err.message).toContain("systemd-run --user -p Delegate=yes --scope nsjail ...");
    expect([...fs.dirs.keys()].filter((d) => d.includes("nsjail."))).toEqual([]);
  });

  test("not delegated: one line naming the file, EACCES and how to delegate", () => {
    const { fs, env } = delegatedHost();
    fs.denied.add(SCOPE);
    const err = errorOf(() => new CgroupManager(env).create(limits({ pids: 1 })));
    expect(err.message).toBe(
      `cgroup v2: write "+pids +memory" to ${SCOPE}/cgroup.subtree_control: EACCES (Permission denied) — uid 1000 needs a delegated cgroup: run systemd-run --user -p Delegate=yes --scope nsjail ..., or start nsjail from a unit with Delegate=yes`,
    );
    expect(err.message).not.toContain("\n");
  });

  test("a controller our cgroup was not given: named, with the delegation hint", () => {
    const { env } = delegatedHost({ scopeControllers: ["memory", "pids"] });
    const err = errorOf(() => new CgroupManager(env).create(FULL));
    expect(err.message).toStartWith(`cgroup v2: ${SCOPE} offers no cpu controller (cgroup.controllers: memory pids) — uid 1000 needs a delegated cgroup`);
  });

  test("a limit the kernel lacks fails with its key, and the half-made cgroup is removed", () => {
    const { fs, env } = delegatedHost();
    fs.absent.add("memory.swap.max"); // no swap accounting
    const err = errorOf(() => new CgroupManager(env).create(limits({ memory: 2 ** 20, memorySwap: 0 })));
    expect(err.message).toBe(`cgroup v2: limits.memory_swap: write "0" to ${SCOPE}/nsjail.100.0/memory.swap.max: ENOENT (No such file or directory)`);
    expect(fs.dirs.has(`${SCOPE}/nsjail.100.0`)).toBe(false);
  });

  test("stale cgroups of dead nsjails are killed and removed; live ones and other names stay", () => {
    const { fs, env } = delegatedHost();
    fs.cgroup(`${SCOPE}/nsjail.555.0`, [777]);
    fs.cgroup(`${SCOPE}/nsjail.555.0/inner`, [778]);
    fs.cgroup(`${SCOPE}/nsjail.556.2`);
    fs.cgroup(`${SCOPE}/nsjail.100.0`); // our pid, from an earlier nsjail: its name is skipped
    fs.cgroup(`${SCOPE}/nsjail.x.1`);
    env.alive.add(556);
    const jail = new CgroupManager(env).create(limits({ pids: 1 }));
    expect(fs.list(SCOPE).sort()).toEqual(["nsjail.100.0", "nsjail.100.1", "nsjail.556.2", "nsjail.x.1", "supervisor"]);
    expect(jail.dirs).toEqual([`${SCOPE}/nsjail.100.1`]);
    expect(fs.allPids()).toEqual(new Set([US]));
    expect(env.warnings).toEqual([`removed the cgroup ${SCOPE}/nsjail.555.0 left behind by nsjail pid 555`]);
  });

  test("without cgroup.kill, processes are signalled round after round until none is left", () => {
    const { fs, env } = delegatedHost();
    fs.hasKillFile = false;
    const jail = new CgroupManager(env).create(FULL);
    const dir = jail.dirs[0]!;
    jail.attach(1000);
    let next = 1001;
    // A fork bomb: each process killed has already forked another, five times over.
    env.onKill = () => void (next < 1006 && fs.dirs.get(dir)!.procs.add(next++));
    jail.remove();
    expect(env.kills.map(([pid]) => pid)).toEqual([1000, 1001, 1002, 1003, 1004, 1005]);
    expect(env.kills.every(([, sig]) => sig === 9)).toBe(true);
    expect(fs.dirs.has(dir)).toBe(false);
  });

  test("a process that never dies: an error after bounded rounds, not a hang", () => {
    const { fs, env } = delegatedHost();
    fs.hasKillFile = false;
    const jail = new CgroupManager(env).create(FULL);
    jail.attach(1000);
    env.kill = () => {}; // unkillable (e.g. stuck in the kernel)
    expect(() => jail.remove()).toThrow(`cgroup v2: cannot empty ${jail.dirs[0]}: 1 processes remain (1000)`);
    expect(env.sleeps).toBe(200);
  });
});

function errorOf(fn: () => unknown): CgroupError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CgroupError) return err;
    throw err;
  }
  throw new Error("expected a CgroupError");
}
