// Stage 6 (supervisor): the exit record's reason and numbers for every way a jail ends, and
// the supervisor's collection of the init's late records.
import { describe, expect, test } from "bun:test";
import { SetupError, SyscallError } from "../../../src/errors.ts";
import { resolveConfig } from "../../../src/config/resolve.ts";
import { prepareJail } from "../../../src/jail.ts";
import type { CgroupUsage } from "../../../src/launch/cgroup/limits.ts";
import { createLogger } from "../../../src/log.ts";
import type { Events } from "../../../src/supervisor/events.ts";
import { exitRecordOf, type JailOutcome } from "../../../src/supervisor/exit-record.ts";
import { Reaper } from "../../../src/supervisor/reaper.ts";
import { Supervisor, type JailEnd } from "../../../src/supervisor/supervisor.ts";
import { STATUS_EXIT, STATUS_SECCOMP, STATUS_USAGE } from "../../../src/wire/format.ts";
import { FakeSys, statusRecord } from "../../support/fake-sys.ts";
import { fixedHost } from "../../support/plans.ts";

const exited = (code: number) => code << 8;
const SIGKILL = 9;
const SIGSYS = 31;

function end(over: Partial<JailEnd> = {}): JailEnd {
  return { code: 0, exit: { status: 0, cpuUsec: 2500 }, commandStatus: 0, maxRssBytes: 3 << 20, verdict: null, seccompKills: [], ...over };
}

function outcome(over: Partial<JailOutcome> = {}): JailOutcome {
  return { end: end(), failure: null, pid: 4242, usage: null, wallMs: 12.3456, filtered: false, syscallName: (nr) => (nr === 63 ? "uname" : null), ...over };
}

const cgroup = (over: Partial<CgroupUsage> = {}): CgroupUsage => ({ oomKills: 0, memoryPeak: 64 << 20, cpuUsec: 900_000, ...over });

describe("exit record", () => {
  test("a command that exits: its code, the times, the init's peak memory", () => {
    expect(exitRecordOf(outcome({ end: end({ code: 3, commandStatus: exited(3) }) }))).toEqual({
      reason: "exited", exit_code: 3, signal: null, nsjail_exit: 3, syscall: null, setup: null, timeout_signal: null,
      pid: 4242, wall_time_s: 0.012, cpu_time_s: 0.0025, memory_peak_bytes: 3 << 20, oom_kills: null,
    });
  });

  test("a signal: the command's own status from its init, not the init's 128+N exit", () => {
    const r = exitRecordOf(outcome({ end: end({ code: 143, exit: { status: exited(143), cpuUsec: 0 }, commandStatus: 15 }) }));
    expect([r.reason, r.exit_code, r.signal, r.nsjail_exit]).toEqual(["signaled", null, "SIGTERM", 143]);
  });

  test("without an init, the first process's status; no peak memory without a cgroup", () => {
    const r = exitRecordOf(outcome({ end: end({ code: 137, exit: { status: SIGKILL, cpuUsec: 1 }, commandStatus: null, maxRssBytes: null }) }));
    expect([r.reason, r.signal, r.memory_peak_bytes]).toEqual(["signaled", "SIGKILL", null]);
  });

  test("the supervisor's time limit wins over the signal it sent, and says which it sent last", () => {
    const r = exitRecordOf(outcome({ end: end({ code: 137, exit: { status: SIGKILL, cpuUsec: 0 }, commandStatus: null, verdict: { kind: "time_limit", sent: "SIGKILL" } }) }));
    expect([r.reason, r.signal, r.nsjail_exit, r.timeout_signal]).toEqual(["timeout", "SIGKILL", 137, "SIGKILL"]);
    // SIGTERM sufficed: the command died of it (or exited on it), nsjail exits 124.
    const term = exitRecordOf(outcome({ end: end({ code: 124, exit: { status: exited(143), cpuUsec: 0 }, commandStatus: 15, verdict: { kind: "time_limit", sent: "SIGTERM" } }) }));
    expect([term.reason, term.signal, term.nsjail_exit, term.timeout_signal]).toEqual(["timeout", "SIGTERM", 124, "SIGTERM"]);
    expect(exitRecordOf(outcome()).timeout_signal).toBeNull();
  });

  test("an OOM kill counted by the cgroup; the cgroup's CPU time and peak", () => {
    const r = exitRecordOf(outcome({ end: end({ code: 137, commandStatus: SIGKILL }), usage: cgroup({ oomKills: 1 }) }));
    expect(r).toMatchObject({ reason: "oom", signal: "SIGKILL", oom_kills: 1, cpu_time_s: 0.9, memory_peak_bytes: 64 << 20 });
    // A shell that survives its child's OOM kill and exits non-zero is still "oom"; 0 is not.
    expect(exitRecordOf(outcome({ end: end({ code: 137, commandStatus: exited(137) }), usage: cgroup({ oomKills: 1 }) })).reason).toBe("oom");
    expect(exitRecordOf(outcome({ usage: cgroup({ oomKills: 2 }) })).reason).toBe("exited");
  });

  test("seccomp: SIGSYS under a filter, named by the last kill the init reported", () => {
    const killed = end({ code: 159, commandStatus: SIGSYS, seccompKills: [{ pid: 5, nr: 0 }, { pid: 2, nr: 63 }] });
    expect(exitRecordOf(outcome({ end: killed, filtered: true }))).toMatchObject({ reason: "seccomp", signal: "SIGSYS", syscall: "uname" });
    // No init to name it (SECCOMP_RET_KILL_PROCESS), or SIGSYS without a filter.
    expect(exitRecordOf(outcome({ end: end({ commandStatus: SIGSYS | 0x80 }), filtered: true }))).toMatchObject({ reason: "seccomp", syscall: null });
    expect(exitRecordOf(outcome({ end: end({ commandStatus: SIGSYS }) })).reason).toBe("signaled");
  });

  test("setup failures: the op, its key and the errno; or the error line alone", () => {
    const failure = new SetupError("execve", "execve /x", "command", 2);
    expect(exitRecordOf(outcome({ end: null, failure }))).toEqual({
      reason: "setup_failed", exit_code: null, signal: null, nsjail_exit: 255, syscall: null,
      setup: { op: "execve", key: "command", errno: "ENOENT", message: failure.message }, timeout_signal: null,
      pid: 4242, wall_time_s: 0.012, cpu_time_s: null, memory_peak_bytes: null, oom_kills: null,
    });
    // A command not found exits 127 as env(1) does, also when looked up before a filter.
    const missing = new SetupError("faccessat", "execve /x", "command", 2, undefined, 127);
    expect(exitRecordOf(outcome({ end: null, failure: missing }))).toMatchObject({ nsjail_exit: 127, setup: { op: "faccessat", errno: "ENOENT" } });
    expect(exitRecordOf(outcome({ end: null, pid: null, failure: new SyscallError("clone", 1) })).setup).toMatchObject({ op: "clone", key: null, errno: "EPERM" });
    expect(exitRecordOf(outcome({ end: null, failure: new Error("cgroup v1: mkdir x: EACCES") })).setup).toEqual({ op: null, key: null, errno: null, message: "cgroup v1: mkdir x: EACCES" });
  });
});

describe("the supervisor keeps the init's late records", () => {
  const host = fixedHost(1000);
  const events: Events = { on: () => {}, off: () => {}, setTimer: () => () => {} };
  test("seccomp kills, the command's usage and exit", async () => {
    const config = resolveConfig({ file: null, cli: {}, command: ["/bin/true"] }, host);
    const sys = new FakeSys();
    sys.reads = [statusRecord(7, 63, STATUS_SECCOMP), statusRecord(1536, 0, STATUS_USAGE), statusRecord(40, SIGSYS, STATUS_EXIT)];
    sys.exitStatus = exited(159);
    const sup = new Supervisor(sys, createLogger("error", () => {}), new Reaper(sys, events), events, 100);
    const got = await sup.supervise(config, () => ({ pid: 4242, statusFd: 9, plan: prepareJail(config, host).plan }));
    expect(got).toEqual({ code: 159, exit: { status: exited(159), cpuUsec: 1500 }, commandStatus: SIGSYS, maxRssBytes: 1536 * 1024, verdict: null, seccompKills: [{ pid: 7, nr: 63 }] });
  });

  test("those the launch read while it waited for the command's execve count as well", async () => {
    const config = resolveConfig({ file: null, cli: {}, command: ["/bin/true"] }, host);
    const sys = new FakeSys();
    sys.reads = [statusRecord(1536, 0, STATUS_USAGE)];
    sys.exitStatus = exited(3);
    const sup = new Supervisor(sys, createLogger("error", () => {}), new Reaper(sys, events), events, 100);
    const early = [{ kind: "exit", waitStatus: exited(3) }] as const;
    const got = await sup.supervise(config, () => ({ pid: 4242, statusFd: 9, plan: prepareJail(config, host).plan, early }));
    expect(got).toMatchObject({ code: 3, commandStatus: exited(3), maxRssBytes: 1536 * 1024 });
  });
});
