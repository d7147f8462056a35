// Stage 5 (launch): spawnJail's wait for the command's own execve (untilExec), which READY=1
// needs when an init runs first, against a recording Sys.
import { expect, test } from "bun:test";
import { resolveConfig } from "../../../src/config/resolve.ts";
import { prepareJail } from "../../../src/jail.ts";
import { spawnJail, type SpawnExtras } from "../../../src/launch/spawn.ts";
import { createLogger } from "../../../src/log.ts";
import { STATUS_ERROR, STATUS_READY } from "../../../src/wire/format.ts";
import { FakeSys, statusRecord } from "../../support/fake-sys.ts";
import { fixedHost } from "../../support/plans.ts";

const host = fixedHost(1000);
const quiet = createLogger("error", () => {});

function spawn(sys: FakeSys, cli: Record<string, unknown>, extras: SpawnExtras) {
  const config = resolveConfig({ file: null, cli, command: ["/bin/true"] }, host);
  const { plan, bytes } = prepareJail(config, host);
  return { plan, run: () => spawnJail(sys, plan, bytes, config, host, 6, quiet, extras) };
}

test("with an init: after READY, EOF on the exec watch, whose write end only the child holds", () => {
  const sys = new FakeSys();
  sys.reads = [statusRecord(0, 0, STATUS_READY), new Uint8Array(0)];
  spawn(sys, {}, { untilExec: true, fds: { pty: 7 } }).run();
  const pipes = sys.calls.filter((c) => c[0] === "pipe");
  expect(pipes).toHaveLength(3); // status, sync, exec watch
  const [, watchRead, watchWrite] = pipes[2] as [string, number, number];
  const table = sys.calls.find((c) => c[0] === "spawn")![2] as number[];
  expect(table.slice(5)).toEqual([7, watchWrite, -1]); // pty, exec_watch, notify
  const at = (call: unknown[]) => sys.calls.findIndex((c) => c.length === call.length && c.every((v, i) => v === call[i]));
  const spawned = sys.calls.findIndex((c) => c[0] === "spawn");
  // Our copies of the child's ends go once it has its own; the watch is read after release.
  expect(at(["close", watchWrite])).toBeGreaterThan(spawned);
  expect(at(["close", 7])).toBeGreaterThan(spawned);
  expect(at(["read", watchRead])).toBeGreaterThan(at(["release"]));
  expect(at(["close", watchRead])).toBeGreaterThan(at(["read", watchRead]));
});

test("with an init: the command's child failed before its execve → its error, and the jail killed", () => {
  const sys = new FakeSys();
  const { plan, run } = spawn(sys, {}, { untilExec: true });
  const chdir = plan.ops.findIndex((o) => o.kind === "chdir");
  sys.reads = [statusRecord(0, 0, STATUS_READY), new Uint8Array(0), statusRecord(chdir, 2, STATUS_ERROR)];
  sys.readables = [true];
  expect(run).toThrow("chdir / [chdir]: ENOENT (No such file or directory)");
  expect(sys.calls.filter((c) => c[0] === "kill" || c[0] === "wait")).toEqual([["kill", 4242, 9], ["wait", 4242]]);
  expect(sys.calls.filter((c) => c[0] === "release")).toHaveLength(1); // never twice
});

test("without an init, EOF on the status pipe already means execve: no watch", () => {
  const sys = new FakeSys();
  spawn(sys, { as_pid_1: true }, { untilExec: true }).run();
  expect(sys.calls.filter((c) => c[0] === "pipe")).toHaveLength(2);
  expect(sys.calls.some((c) => c[0] === "readable")).toBe(false);
});
