// Stage 5 (launch): spawnJail's wait for the command's own execve (untilExec), which READY=1
// needs when an init runs first, against a recording Sys.
import { expect, test } from "bun:test";
import { resolveConfig } from "../../../src/config/resolve.ts";
import { prepareJail } from "../../../src/jail.ts";
import { spawnJail, type LaunchFds } from "../../../src/launch/spawn.ts";
import { createLogger } from "../../../src/log.ts";
import { FD_SLOTS } from "../../../src/plan/ops.ts";
import { STATUS_ERROR, STATUS_EXIT, STATUS_READY, STATUS_STARTED, STATUS_USAGE } from "../../../src/wire/format.ts";
import { FakeSys, statusRecord } from "../../support/fake-sys.ts";
import { fixedHost } from "../../support/plans.ts";

const host = fixedHost(1000);
const quiet = createLogger("error", () => {});
const STARTED = statusRecord(0, 0, STATUS_STARTED);

function spawn(sys: FakeSys, cli: Record<string, unknown>, extra: Partial<LaunchFds> = {}) {
  const config = resolveConfig({ file: null, cli, command: ["/bin/true"] }, host);
  const { plan, bytes } = prepareJail(config, host);
  return { plan, run: () => spawnJail(sys, plan, bytes, config, host, { image: 5, plan: 6, ...extra }, quiet, null, true) };
}

const slot = (name: (typeof FD_SLOTS)[number]) => FD_SLOTS.indexOf(name);

test("with an init: after READY, EOF on the exec watch, whose write end only the child holds", () => {
  const sys = new FakeSys();
  sys.reads = [STARTED, statusRecord(0, 0, STATUS_READY), new Uint8Array(0)];
  const running = spawn(sys, {}, { pty: 7, notify: 8 }).run();
  expect(running.early).toBeUndefined();
  const pipes = sys.calls.filter((c) => c[0] === "pipe");
  expect(pipes).toHaveLength(3); // status, sync, exec watch
  const [, watchRead, watchWrite] = pipes[2] as [string, number, number];
  const table = sys.calls.find((c) => c[0] === "spawn")![2] as number[];
  expect([table[slot("pty")], table[slot("exec_watch")], table[slot("notify")]]).toEqual([7, watchWrite, 8]);
  const at = (call: unknown[]) => sys.calls.findIndex((c) => c.length === call.length && c.every((v, i) => v === call[i]));
  const spawned = sys.calls.findIndex((c) => c[0] === "spawn");
  // Our copy of the watch's write end goes once the child has its own; the pty and the
  // notify socket are the caller's and stay open. The watch is read after READY.
  expect(at(["close", watchWrite])).toBeGreaterThan(spawned);
  expect(at(["close", 7])).toBe(-1);
  expect(at(["close", 8])).toBe(-1);
  const reads = sys.calls.filter((c) => c[0] === "read").map((c) => c[1]);
  expect(reads.at(-1)).toBe(watchRead);
  expect(at(["close", watchRead])).toBeGreaterThan(at(["read", watchRead]));
});

test("with an init: a command that exec'd and ended at once → its records are kept for the supervisor", () => {
  const sys = new FakeSys();
  sys.reads = [STARTED, statusRecord(0, 0, STATUS_READY), new Uint8Array(0), statusRecord(3, 7 << 8, STATUS_EXIT), statusRecord(2048, 0, STATUS_USAGE)];
  sys.readables = [true, true];
  expect(spawn(sys, {}).run().early).toEqual([
    { kind: "exit", waitStatus: 7 << 8 },
    { kind: "usage", maxRssBytes: 2048 * 1024 },
  ]);
});

test("with an init: the command's child failed before its execve → its error, and the jail killed", () => {
  const sys = new FakeSys();
  const { plan, run } = spawn(sys, {});
  const chdir = plan.ops.findIndex((o) => o.kind === "chdir");
  sys.reads = [STARTED, statusRecord(0, 0, STATUS_READY), new Uint8Array(0), statusRecord(chdir, 2, STATUS_ERROR)];
  sys.readables = [true];
  expect(run).toThrow("chdir / [chdir]: ENOENT (No such file or directory)");
  expect(sys.calls.filter((c) => c[0] === "kill" || c[0] === "wait")).toEqual([["kill", 4242, 9], ["wait", 4242]]);
});

test("without an init, EOF on the status pipe already means execve: no watch", () => {
  const sys = new FakeSys();
  sys.reads = [STARTED];
  spawn(sys, { as_pid_1: true }).run();
  expect(sys.calls.filter((c) => c[0] === "pipe")).toHaveLength(2);
  expect(sys.calls.some((c) => c[0] === "readable")).toBe(false);
});
