// The one Reaper: on SIGCHLD it reaps the children the kernel names as exited, not every
// watched pid, and falls back to asking each watched pid when a child is not its own.
import { expect, test } from "bun:test";
import type { Events } from "../../../src/supervisor/events.ts";
import { Reaper } from "../../../src/supervisor/reaper.ts";
import type { ChildExit } from "../../../src/sys/sys.ts";
import { FakeSys } from "../../support/fake-sys.ts";

class Kids extends FakeSys {
  zombies: number[] = [];
  override peekExited(): number | null {
    return this.zombies[0] ?? null;
  }
  override tryWait(pid: number): ChildExit | null {
    this.calls.push(["tryWait", pid]);
    const i = this.zombies.indexOf(pid);
    if (i < 0) return null;
    this.zombies.splice(i, 1);
    return { status: pid << 8, cpuUsec: pid };
  }
}

function setup() {
  const sys = new Kids();
  let onChld = () => {};
  const events: Events = { on: (_s, h) => (onChld = h), off: () => {}, setTimer: () => () => {} };
  const reaper = new Reaper(sys, events);
  const exits: [number, number][] = [];
  for (const pid of [10, 11, 12, 13]) reaper.watch(pid, (exit) => exits.push([pid, exit.status >> 8]));
  sys.calls.length = 0;
  return { sys, exits, chld: () => onChld() };
}

test("only the exited children are waited for", () => {
  const { sys, exits, chld } = setup();
  sys.zombies = [12, 10];
  chld();
  expect(exits).toEqual([[12, 12], [10, 10]]);
  expect(sys.calls).toEqual([["tryWait", 12], ["tryWait", 10]]);
});

test("a child that is not ours makes it ask every watched pid, and leaves that child alone", () => {
  const { sys, exits, chld } = setup();
  sys.zombies = [99, 11];
  chld();
  expect(exits).toEqual([[11, 11]]);
  expect(sys.calls).toEqual([10, 11, 12, 13].map((p) => ["tryWait", p]));
  expect(sys.zombies).toEqual([99]);
});
