// The respawn policy shared by `run --restart` and the emperor: modes, backoff, the throttle.
import { expect, test } from "bun:test";
import type { RestartConfig } from "../../../src/config/model.ts";
import { RestartPolicy } from "../../../src/supervisor/restart.ts";

const cfg = (over: Partial<RestartConfig> = {}): RestartConfig => ({ mode: "always", delayMs: 100, maxDelayMs: 1000, maxFailures: 5, windowS: 60, ...over });

test("never stops after any end; on-failure only after a failure", () => {
  expect(new RestartPolicy(cfg({ mode: "never" })).onExit(1, 0)).toEqual({ kind: "stop" });
  const onFailure = new RestartPolicy(cfg({ mode: "on-failure" }));
  expect(onFailure.onExit(0, 0)).toEqual({ kind: "stop" });
  expect(onFailure.onExit(137, 0)).toEqual({ kind: "respawn", delayMs: 100 });
});

test("a clean exit under always respawns at once and ends the failure streak", () => {
  const p = new RestartPolicy(cfg());
  expect(p.onExit(1, 0)).toEqual({ kind: "respawn", delayMs: 100 });
  expect(p.onExit(1, 10)).toEqual({ kind: "respawn", delayMs: 200 });
  expect(p.onExit(0, 20)).toEqual({ kind: "respawn", delayMs: 0 });
  expect(p.recentFailures).toBe(0);
  expect(p.onExit(1, 30)).toEqual({ kind: "respawn", delayMs: 100 });
});

test("the backoff doubles and stops at the maximum", () => {
  const p = new RestartPolicy(cfg({ maxFailures: 100 }));
  const delays = Array.from({ length: 6 }, (_, i) => p.onExit(2, i));
  expect(delays.map((d) => (d.kind === "respawn" ? d.delayMs : -1))).toEqual([100, 200, 400, 800, 1000, 1000]);
});

test("N failures within the window mark it failed; older ones fall out of the window", () => {
  const p = new RestartPolicy(cfg({ maxFailures: 3, windowS: 10 }));
  expect(p.onExit(1, 0).kind).toBe("respawn");
  expect(p.onExit(1, 5000).kind).toBe("respawn");
  // 11 s after the first: it has left the window, so this is the second failure, not the third.
  expect(p.onExit(1, 11_000)).toEqual({ kind: "respawn", delayMs: 200 });
  expect(p.onExit(1, 12_000)).toEqual({ kind: "failed", failures: 3 });
  p.reset();
  expect(p.onExit(1, 12_000)).toEqual({ kind: "respawn", delayMs: 100 });
});

test("a huge failure count never overflows the delay", () => {
  const p = new RestartPolicy(cfg({ maxFailures: 1_000_000, maxDelayMs: 5000 }));
  let last = { kind: "stop" } as ReturnType<RestartPolicy["onExit"]>;
  for (let i = 0; i < 2000; i++) last = p.onExit(1, i);
  expect(last).toEqual({ kind: "respawn", delayMs: 5000 });
});
