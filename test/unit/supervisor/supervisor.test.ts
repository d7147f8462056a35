// Supervisor and launch logic against a recording Sys: order of parent-side steps, signal
// forwarding, time limit, exit-status mapping, late setup failures.
import { expect, test } from "bun:test";
import { resolveConfig } from "../../../src/config/resolve.ts";
import type { JailConfig } from "../../../src/config/model.ts";
import { prepareJail } from "../../../src/jail.ts";
import { spawnJail } from "../../../src/launch/spawn.ts";
import { createLogger } from "../../../src/log.ts";
import type { Events } from "../../../src/supervisor/events.ts";
import { Reaper } from "../../../src/supervisor/reaper.ts";
import { EXIT_TIME_LIMIT_KILLED, EXIT_TIMED_OUT, Supervisor } from "../../../src/supervisor/supervisor.ts";
import { STATUS_ERROR, STATUS_EXIT, STATUS_READY, STATUS_STARTED } from "../../../src/wire/format.ts";
import { exitCodeOf } from "../../../src/wire/wait-status.ts";
import { FakeSys, statusRecord } from "../../support/fake-sys.ts";
import { fixedHost } from "../../support/plans.ts";

const config = (cli: Record<string, unknown> = {}, uid = 1000) =>
  resolveConfig({ file: null, cli, command: ["/bin/true"] }, fixedHost(uid));

class ManualEvents implements Events {
  handlers = new Map<string, () => void>();
  timers: (() => void)[] = [];
  on(s: string, h: () => void) { this.handlers.set(s, h); }
  off(s: string) { this.handlers.delete(s); }
  setTimer(_ms: number, fn: () => void) { this.timers.push(fn); return () => {}; }
  fire(s: string) { this.handlers.get(s)?.(); }
}

const quiet = createLogger("error", () => {});
const host = fixedHost(1000);
const jailOf = (cli = {}) => ({ pid: 4242, statusFd: 9, plan: prepareJail(config(cli), host).plan });
const spawn = (sys: FakeSys, cfg: JailConfig) => {
  const { plan, bytes } = prepareJail(cfg, host);
  return spawnJail(sys, plan, bytes, cfg, host, { image: 6, plan: 7 }, quiet);
};
const supervisorOf = (sys: FakeSys, events: ManualEvents) => new Supervisor(sys, quiet, new Reaper(sys, events), events, 100);

test("exit statuses map to the codes people expect", () => {
  expect(exitCodeOf(0)).toBe(0);
  expect(exitCodeOf(7 << 8)).toBe(7);
  expect(exitCodeOf(15)).toBe(143);
});

test("rootless launch: maps written once the setup image runs, then released", () => {
  const sys = new FakeSys();
  sys.reads = [statusRecord(0, 0, STATUS_STARTED), statusRecord(0, 0, STATUS_READY)];
  spawn(sys, config());
  const names = sys.calls.map((c) => c[0]);
  const at = (name: string, arg?: unknown) => sys.calls.findIndex((c) => c[0] === name && (arg === undefined || c[1] === arg));
  expect(sys.calls.filter((c) => c[0] === "writeProcFile").map((c) => [c[1], c[2]])).toEqual([
    ["/proc/4242/setgroups", "deny"],
    ["/proc/4242/uid_map", "1000 1000 1\n"],
    ["/proc/4242/gid_map", "1000 1000 1\n"],
  ]);
  // The maps wait for the setup image's STARTED record (its own mm, its /proc files ours).
  expect(at("spawn")).toBeLessThan(at("read"));
  expect(at("read")).toBeLessThan(at("writeProcFile"));
  expect(at("write")).toBeGreaterThan(names.lastIndexOf("writeProcFile"));
  // Never dumpable: not around the clone, not after.
  expect(sys.calls.filter((c) => c[0] === "setDumpable")).toEqual([["setDumpable", false]]);
  expect(at("setDumpable", false)).toBeLessThan(at("spawn"));
});

test("the jail's cgroup takes the child after its maps and before the release", () => {
  const sys = new FakeSys();
  sys.reads = [statusRecord(0, 0, STATUS_STARTED), statusRecord(0, 0, STATUS_READY)];
  const cfg = config({ limits: { pids: 10 } });
  const { plan, bytes } = prepareJail(cfg, host);
  spawnJail(sys, plan, bytes, cfg, host, { image: 6, plan: 7 }, quiet, { attach: (pid) => void sys.calls.push(["attach", pid]) });
  const names = sys.calls.map((c) => c[0]);
  expect(names.indexOf("attach")).toBeGreaterThan(names.lastIndexOf("writeProcFile"));
  expect(names.indexOf("attach")).toBeLessThan(names.indexOf("write"));
  expect(sys.calls).toContainEqual(["attach", 4242]);
});

test("a failed attach kills and reaps the child", () => {
  const sys = new FakeSys();
  const cfg = config({ limits: { pids: 10 } });
  const { plan, bytes } = prepareJail(cfg, host);
  sys.reads = [statusRecord(0, 0, STATUS_STARTED)];
  const attach = () => {
    throw new Error("cgroup v1: attach pid 4242: EACCES");
  };
  expect(() => spawnJail(sys, plan, bytes, cfg, host, { image: 6, plan: 7 }, quiet, { attach })).toThrow("attach pid 4242");
  expect(sys.calls.filter((c) => ["kill", "wait", "write"].includes(c[0] as string))).toEqual([["kill", 4242, 9], ["wait", 4242]]);
});

test("ranges go through newuidmap and keep setgroups allowed", () => {
  const sys = new FakeSys();
  sys.reads = [statusRecord(0, 0, STATUS_STARTED), statusRecord(0, 0, STATUS_READY)];
  const cfg = config({ uid: 0, gid: 0, uid_map: ["0:1000:1", "1:100000:65536"], gid_map: ["0:1000:1", "1:100000:65536"] });
  spawn(sys, cfg);
  expect(sys.calls.filter((c) => c[0] === "runHelper")).toEqual([
    ["runHelper", "newuidmap", "4242", "0", "1000", "1", "1", "100000", "65536"],
    ["runHelper", "newgidmap", "4242", "0", "1000", "1", "1", "100000", "65536"],
  ]);
  expect(sys.calls.some((c) => c[0] === "writeProcFile")).toBe(false);
});

test("a setup error kills and reaps the child and names the op", () => {
  const sys = new FakeSys();
  const plan = jailOf().plan;
  const chdir = plan.ops.findIndex((o) => o.kind === "chdir");
  sys.reads = [statusRecord(chdir, 2, STATUS_ERROR)];
  expect(() => spawn(sys, config())).toThrow(
    "chdir / [chdir]: ENOENT (No such file or directory)",
  );
  expect(sys.calls.filter((c) => c[0] === "kill" || c[0] === "wait")).toEqual([["kill", 4242, 9], ["wait", 4242]]);
});

test("signals are forwarded and the exit code is the command's", async () => {
  const sys = new FakeSys();
  const events = new ManualEvents();
  const done = supervisorOf(sys, events).supervise(config(), () => jailOf());
  events.fire("SIGTERM");
  events.fire("SIGUSR1");
  sys.exitStatus = 3 << 8;
  events.fire("SIGCHLD");
  expect((await done).code).toBe(3);
  expect(sys.calls.filter((c) => c[0] === "kill")).toEqual([["kill", 4242, 15], ["kill", 4242, 18], ["kill", 4242, 10], ["kill", 4242, 18]]);
  expect(events.handlers.size).toBe(0);
});

test("the time limit sends SIGTERM; a jail that ends within the grace exits 124, as timeout(1)", async () => {
  const sys = new FakeSys();
  const events = new ManualEvents();
  const lines: string[] = [];
  const log = createLogger("info", (l) => void lines.push(l));
  const done = new Supervisor(sys, log, new Reaper(sys, events), events, 100).supervise(config({ time_limit: 2, kill_after: 3 }), () => jailOf());
  expect(events.timers).toHaveLength(1);
  events.timers[0]!();
  expect(sys.calls.filter((c) => c[0] === "kill")).toEqual([["kill", 4242, 15], ["kill", 4242, 18]]);
  expect(events.timers).toHaveLength(2); // the SIGKILL, 3 s later
  sys.exitStatus = 143 << 8; // the init exits with its command's 128+SIGTERM
  events.fire("SIGCHLD");
  const end = await done;
  expect(end.code).toBe(EXIT_TIMED_OUT);
  expect(end.verdict).toEqual({ kind: "time_limit", sent: "SIGTERM" });
  expect(EXIT_TIMED_OUT).toBe(124);
  expect(lines[1]).toBe("nsjail: warn: time limit of 2 s reached: SIGTERM to the jail (pid 4242), SIGKILL in 3 s\n");
  expect(lines[2]).toMatch(/^nsjail: jail 4242 ended: exited with 143 after \d+\.\d{3} s \(time limit\)\n$/);
});

test("a jail that outlives the grace gets SIGKILL and nsjail exits 137", async () => {
  const sys = new FakeSys();
  const events = new ManualEvents();
  const done = supervisorOf(sys, events).supervise(config({ time_limit: 2 }), () => jailOf());
  events.timers[0]!();
  events.timers[1]!();
  expect(sys.calls.filter((c) => c[0] === "kill").map((c) => c[2])).toEqual([15, 18, 9]);
  sys.exitStatus = 9;
  events.fire("SIGCHLD");
  const end = await done;
  expect(end.code).toBe(EXIT_TIME_LIMIT_KILLED);
  expect(end.verdict).toEqual({ kind: "time_limit", sent: "SIGKILL" });
  expect(EXIT_TIME_LIMIT_KILLED).toBe(137);
});

test("kill_after = 0 kills at the limit with SIGKILL", async () => {
  const sys = new FakeSys();
  const events = new ManualEvents();
  const done = supervisorOf(sys, events).supervise(config({ time_limit: 2, kill_after: 0 }), () => jailOf());
  events.timers[0]!();
  expect(events.timers).toHaveLength(1);
  expect(sys.calls.filter((c) => c[0] === "kill").map((c) => c[2])).toEqual([9]);
  sys.exitStatus = 9;
  events.fire("SIGCHLD");
  expect(await done).toMatchObject({ code: 137, verdict: { kind: "time_limit", sent: "SIGKILL" } });
});

test("the end line names the command's own status, as the init reported it", async () => {
  const sys = new FakeSys();
  const events = new ManualEvents();
  const lines: string[] = [];
  const log = createLogger("info", (l) => void lines.push(l));
  sys.reads = [statusRecord(0, 15, STATUS_EXIT)];
  const done = new Supervisor(sys, log, new Reaper(sys, events), events, 100).supervise(config(), () => jailOf());
  sys.exitStatus = 143 << 8;
  events.fire("SIGCHLD");
  expect((await done).code).toBe(143);
  expect(lines).toHaveLength(2);
  expect(lines[0]).toBe("nsjail: jail 4242 started: /bin/true; namespaces fs,ipc,pid,uts,net,user,cgroup\n");
  expect(lines[1]).toMatch(/^nsjail: jail 4242 ended: killed by SIGTERM after \d+\.\d{3} s\n$/);
});

test("a jail that has already ended when it is watched still logs its start first", async () => {
  const sys = new FakeSys();
  const events = new ManualEvents();
  const lines: string[] = [];
  sys.exitStatus = 0; // reaped inside watch(), before any SIGCHLD
  const { code } = await new Supervisor(sys, createLogger("info", (l) => void lines.push(l)), new Reaper(sys, events), events, 100).supervise(config(), () => jailOf());
  expect(code).toBe(0);
  expect(lines.map((l) => l.split(":")[1]!.trim().split(" ").slice(0, 3).join(" "))).toEqual(["jail 4242 started", "jail 4242 ended"]);
});

test("a late error record from the command's child fails the run", async () => {
  const sys = new FakeSys();
  const events = new ManualEvents();
  const jail = jailOf();
  const execve = jail.plan.ops.findIndex((o) => o.kind === "execve");
  sys.reads = [statusRecord(execve, 2, STATUS_ERROR)];
  sys.exitStatus = 255 << 8;
  const done = supervisorOf(sys, events).supervise(config(), () => jail);
  await expect(done).rejects.toThrow("execve /bin/true [command]: ENOENT");
});

test("each forwarded signal is followed by SIGCONT, so a stopped jail cannot hold it", async () => {
  const sys = new FakeSys();
  const events = new ManualEvents();
  const done = supervisorOf(sys, events).supervise(config(), () => jailOf());
  events.fire("SIGINT");
  sys.exitStatus = 2;
  events.fire("SIGCHLD");
  expect((await done).code).toBe(130);
  expect(sys.calls.filter((c) => c[0] === "kill")).toEqual([["kill", 4242, 2], ["kill", 4242, 18]]);
});

test("a PID 1 command that does not catch a forwarded signal is killed after a grace period", async () => {
  const sys = new FakeSys();
  const events = new ManualEvents();
  sys.heard = 1n << 9n; // catches SIGUSR1 only
  const done = supervisorOf(sys, events).supervise(config({ as_pid_1: true }), () => jailOf({ as_pid_1: true }));
  events.fire("SIGUSR1");
  expect(events.timers).toHaveLength(0);
  events.fire("SIGTERM");
  expect(events.timers).toHaveLength(1);
  events.timers[0]!();
  expect(sys.calls).toContainEqual(["kill", 4242, 9]);
  sys.exitStatus = 9;
  events.fire("SIGCHLD");
  expect((await done).code).toBe(143);
});

test("without a pid namespace the jail's leftovers are killed and reaped at its end", async () => {
  const sys = new FakeSys();
  const events = new ManualEvents();
  const cfg = config({ unshare: ["user", "fs"] });
  // The jail (4242) has exited; its daemonized child 4300 came back to us with a child of its own.
  sys.processTables = [
    [{ pid: 4300, ppid: 100, zombie: false }, { pid: 4301, ppid: 4300, zombie: false }, { pid: 7, ppid: 1, zombie: false }],
    [{ pid: 4301, ppid: 100, zombie: true }],
  ];
  sys.exitStatus = 0;
  const done = supervisorOf(sys, events).supervise(cfg, () => ({ pid: 4242, statusFd: 9, plan: prepareJail(cfg, host).plan }));
  expect((await done).code).toBe(0);
  expect(sys.calls.filter((c) => c[0] === "kill" || c[0] === "wait")).toEqual([
    ["kill", 4300, 9], ["kill", 4301, 9], ["wait", 4300], ["wait", 4301],
  ]);
});

test("a signal heard while the jail is set up reaches it once it runs", async () => {
  const sys = new FakeSys();
  const events = new ManualEvents();
  const done = supervisorOf(sys, events).supervise(config(), () => {
    // Registered before the start: Bun delivers it to the handler after start() returns.
    expect(events.handlers.has("SIGTERM")).toBe(true);
    return jailOf();
  });
  events.fire("SIGTERM");
  sys.exitStatus = 15;
  events.fire("SIGCHLD");
  expect((await done).code).toBe(143);
  expect(sys.calls).toContainEqual(["kill", 4242, 15]);
});

test("a failed start removes the signal handlers and rejects", async () => {
  const events = new ManualEvents();
  const failing = supervisorOf(new FakeSys(), events).supervise(config(), () => {
    throw new Error("clone: EPERM");
  });
  await expect(failing).rejects.toThrow("clone: EPERM");
  expect(events.handlers.size).toBe(0);
});
