// Stage 5 (launch): the cgroup manager on a fake host shaped like this project's CI machine —
// cgroup v1 controllers (cpu and cpuacct co-mounted here) and an empty v2 hierarchy.
import { describe, expect, test } from "bun:test";
import { NO_LIMITS, type LimitsSpec } from "../../../src/config/limits-model.ts";
import { CgroupError } from "../../../src/launch/cgroup/errors.ts";
import { CgroupManager } from "../../../src/launch/cgroup/manager.ts";
import { FakeCgroupFs, fakeEnv, procFiles } from "../../support/fake-cgroup.ts";

const US = 100;
const MEM = "/sys/fs/cgroup/memory";
const OWN_MEM = `${MEM}/process_api/abc`;
const PIDS = "/sys/fs/cgroup/pids";
const CPU = "/sys/fs/cgroup/cpu,cpuacct";
const limits = (over: Partial<LimitsSpec>): LimitsSpec => ({ ...NO_LIMITS, ...over });

function hybridHost() {
  const fs = new FakeCgroupFs();
  fs.mount(MEM, 1, ["memory"]);
  fs.cgroup(`${MEM}/process_api`);
  fs.cgroup(OWN_MEM, [US]);
  fs.mount(PIDS, 1, ["pids"]);
  fs.mount(CPU, 1, ["cpu", "cpuacct"]);
  fs.mount("/sys/fs/cgroup/unified", 2, []);
  for (const root of [PIDS, CPU, "/sys/fs/cgroup/unified"]) fs.dirs.get(root)!.procs.add(US);
  procFiles(
    fs,
    ["4:pids:/", "3:memory:/process_api/abc", "2:cpu,cpuacct:/", "1:name=systemd:/", "0::/"],
    [
      "/ /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids",
      "/ /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory",
      "/ /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct",
      "/ /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd",
      "/ /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw",
    ],
  );
  return { fs, env: fakeEnv(fs, US) };
}

describe("cgroup v1", () => {
  test("auto picks v1 when v2 has no controllers; one directory per hierarchy, under our own cgroup", () => {
    const { fs, env } = hybridHost();
    const jail = new CgroupManager(env).create(limits({ memory: 2 ** 26, memorySwap: 2 ** 20, pids: 20, cpu: 0.2 }));
    expect(jail.version).toBe(1);
    expect(jail.dirs).toEqual([`${OWN_MEM}/nsjail.100.0`, `${PIDS}/nsjail.100.0`, `${CPU}/nsjail.100.0`]);
    expect(fs.log).toEqual([
      `mkdir ${OWN_MEM}/nsjail.100.0`,
      `mkdir ${PIDS}/nsjail.100.0`,
      `mkdir ${CPU}/nsjail.100.0`,
      `write ${OWN_MEM}/nsjail.100.0/memory.limit_in_bytes 67108864`,
      `write ${OWN_MEM}/nsjail.100.0/memory.memsw.limit_in_bytes 68157440`,
      `write ${PIDS}/nsjail.100.0/pids.max 20`,
      `write ${CPU}/nsjail.100.0/cpu.cfs_period_us 100000`,
      `write ${CPU}/nsjail.100.0/cpu.cfs_quota_us 20000`,
    ]);
  });

  test("accounting hierarchies (memory, cpuacct) are joined without a limit in them", () => {
    const { env } = hybridHost();
    expect(new CgroupManager(env).create(limits({ pids: 5 })).dirs).toEqual([
      `${PIDS}/nsjail.100.0`,
      `${OWN_MEM}/nsjail.100.0`,
      `${CPU}/nsjail.100.0`,
    ]);
  });

  test("attach writes every hierarchy; usage from oom_control, max_usage_in_bytes, cpuacct.usage", () => {
    const { fs, env } = hybridHost();
    const jail = new CgroupManager(env).create(limits({ memory: 2 ** 26 }));
    jail.attach(4242);
    for (const dir of jail.dirs) expect(fs.pidsIn(dir)).toEqual([4242]);
    const mem = fs.dirs.get(`${OWN_MEM}/nsjail.100.0`)!.files;
    mem.set("memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
    mem.set("memory.max_usage_in_bytes", "67100000\n");
    fs.dirs.get(`${CPU}/nsjail.100.0`)!.files.set("cpuacct.usage", "2500000400\n");
    expect(jail.usage()).toEqual({ oomKills: 2, memoryPeak: 67100000, cpuUsec: 2500000 });
  });

  test("remove SIGKILLs the processes, then removes the directory in every hierarchy", () => {
    const { fs, env } = hybridHost();
    const jail = new CgroupManager(env).create(limits({ pids: 5 }));
    jail.attach(4242);
    jail.remove();
    expect(env.kills).toEqual([[4242, 9]]);
    for (const dir of jail.dirs) expect(fs.dirs.has(dir)).toBe(false);
  });

  test("stale cgroups are swept in each hierarchy", () => {
    const { fs, env } = hybridHost();
    fs.cgroup(`${PIDS}/nsjail.555.3`, [901]);
    fs.cgroup(`${OWN_MEM}/nsjail.555.3`, [901]);
    new CgroupManager(env).create(limits({ pids: 5 }));
    expect(fs.dirs.has(`${PIDS}/nsjail.555.3`) || fs.dirs.has(`${OWN_MEM}/nsjail.555.3`)).toBe(false);
    expect(env.kills).toEqual([[901, 9]]);
  });

  test("forced v2 on this host names the missing controllers", () => {
    const { env } = hybridHost();
    expect(() => new CgroupManager(env).create(limits({ pids: 5, cgroupVersion: "v2" }))).toThrow(
      "cgroup v2: /sys/fs/cgroup/unified offers no pids controller (cgroup.controllers: none) — uid 0 needs a delegated cgroup",
    );
  });

  test("forced v1 without the hierarchy, or no cgroups at all", () => {
    const fs = new FakeCgroupFs();
    procFiles(fs, ["0::/"], ["/ /proc rw - proc proc rw"]);
    const env = fakeEnv(fs, US);
    expect(() => new CgroupManager(env).create(limits({ pids: 5, cgroupVersion: "v1" }))).toThrow(
      "cgroup v1: no hierarchy with the pids controller is mounted (see /proc/self/mountinfo)",
    );
    expect(() => new CgroupManager(env).create(limits({ cpu: 1, cgroupVersion: "v2" }))).toThrow(
      "cgroup v2: limits.cgroup_version is v2, but no cgroup2 hierarchy is mounted",
    );
  });

  test("rootless on v1: EACCES with a hint that fits v1", () => {
    const { fs } = hybridHost();
    fs.denied.add(PIDS);
    const env = fakeEnv(fs, US, 1000);
    let err: unknown;
    try {
      new CgroupManager(env).create(limits({ pids: 5 }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CgroupError);
    expect((err as Error).message).toBe(
      `cgroup v1: mkdir ${PIDS}/nsjail.100.0: EACCES (Permission denied) — cgroup v1 has no delegation for unprivileged users: run nsjail as root, or on a cgroup v2 host as systemd-run --user -p Delegate=yes --scope nsjail ...`,
    );
  });
});
