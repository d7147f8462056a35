// The emperor's logic without a kernel: scans diffed into start/reload/stop, the vassal state
// machine (respawn, throttle, reload while running, invalid edits), settings and the socket's
// request/reply, all against fakes driven by hand.
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "../../../src/config/resolve.ts";
import { answer } from "../../../src/emperor/control.ts";
import { Emperor } from "../../../src/emperor/emperor.ts";
import { createEventLog } from "../../../src/emperor/report.ts";
import { diffScans } from "../../../src/emperor/scan.ts";
import { loadSettings } from "../../../src/emperor/settings.ts";
import type { Launched, VassalJail } from "../../../src/emperor/vassal.ts";
import { ConfigError } from "../../../src/errors.ts";
import { fixedHost } from "../../support/plans.ts";

const host = fixedHost(1000);

/** A fake world: files are TOML strings, launches are promises resolved by exit(). */
class World {
  files = new Map<string, string>();
  timers: { at: number; fn: () => void }[] = [];
  clock = 0;
  lines: string[] = [];
  launches: { name: string; pid: number; exit: (code: number) => void; stopped: boolean; config: VassalJail["config"] }[] = [];
  disposed = 0;
  private nextPid = 100;

  emperor = new Emperor({
    dir: "/v",
    events: { on: () => {}, off: () => {}, setTimer: (ms, fn) => this.setTimer(ms, fn) },
    log: createEventLog("text", (l) => this.lines.push(l.trim())),
    now: () => this.clock,
    scan: () => new Map([...this.files].map(([name, text]) => [name, text])),
    load: (file) => {
      const name = file.slice("/v/".length, -".toml".length);
      const text = this.files.get(name)!;
      if (text.includes("BROKEN")) throw new ConfigError(file, [{ path: "hostname", message: "expected a string", line: 2 }]);
      const config = resolveConfig({ file: null, cli: { restart: "always", restart_delay: 10, restart_max_failures: 3, hostname: text }, command: ["/bin/true"] }, host);
      return { config, dispose: () => this.disposed++ };
    },
    launch: (name, jail) => this.launch(name, jail),
    forget: () => {},
  });

  private setTimer(ms: number, fn: () => void): () => void {
    const t = { at: this.clock + ms, fn };
    this.timers.push(t);
    return () => (this.timers = this.timers.filter((x) => x !== t));
  }

  private launch(name: string, jail: VassalJail): Launched {
    let exit = (_: number) => {};
    const exited = new Promise<number>((r) => (exit = r));
    const l = { name, pid: this.nextPid++, exit, stopped: false, config: jail.config };
    this.launches.push(l);
    return { pid: l.pid, exited, stop: () => (l.stopped = true) };
  }

  /** Runs every timer due by `ms` from now, then lets promise callbacks settle. */
  async advance(ms: number): Promise<void> {
    await Bun.sleep(0); // exits resolved just before are heard at the old time
    this.clock += ms;
    for (let due = this.timers.filter((t) => t.at <= this.clock); due.length > 0; due = this.timers.filter((t) => t.at <= this.clock)) {
      this.timers = this.timers.filter((t) => !due.includes(t));
      for (const t of due) t.fn();
      await Bun.sleep(0);
    }
    await Bun.sleep(0);
  }

  running(name: string) {
    return this.launches.filter((l) => l.name === name).at(-1)!;
  }

  state(name: string) {
    return this.emperor.status().find((s) => s.name === name)?.state;
  }
}

test("scans diff into added, changed and removed, each sorted", () => {
  const before = new Map([["a", "1"], ["b", "1"], ["c", "1"]]);
  const after = new Map([["c", "2"], ["b", "1"], ["e", "1"], ["d", "1"]]);
  expect(diffScans(before, after)).toEqual({ added: ["d", "e"], changed: ["c"], removed: ["a"] });
});

test("a new file starts, an edit reloads after the old jail ends, a removal stops for good", async () => {
  const w = new World();
  w.files.set("web", "one");
  w.emperor.rescan();
  expect(w.launches.map((l) => [l.name, l.config.hostname])).toEqual([["web", "one"]]);
  w.files.set("web", "two");
  w.emperor.rescan();
  expect(w.running("web").stopped).toBe(true);
  expect(w.state("web")).toBe("stopping");
  w.running("web").exit(143);
  await w.advance(0);
  expect(w.launches.map((l) => l.config.hostname)).toEqual(["one", "two"]);
  expect(w.disposed).toBe(1); // the old config's plan memfd
  w.files.delete("web");
  w.emperor.rescan();
  w.running("web").exit(143);
  await w.advance(0);
  expect(w.emperor.status()).toEqual([]);
  expect(w.lines.at(-1)).toBe("nsjail emperor: [web] removed");
});

test("respawn with backoff, failed after N failures in the window, start gives a clean slate", async () => {
  const w = new World();
  w.files.set("bad", "x");
  w.emperor.rescan();
  w.running("bad").exit(1);
  await w.advance(0);
  expect(w.state("bad")).toBe("backoff");
  await w.advance(10);
  w.running("bad").exit(1);
  await w.advance(20);
  w.running("bad").exit(1);
  await w.advance(0);
  expect(w.state("bad")).toBe("failed");
  expect(w.launches.length).toBe(3);
  expect(w.lines.filter((l) => l.includes("respawning in"))).toEqual(["nsjail emperor: [bad] respawning in 10 ms", "nsjail emperor: [bad] respawning in 20 ms"]);
  w.emperor.command("start", "bad");
  expect(w.launches.length).toBe(4);
  expect(w.state("bad")).toBe("running");
});

test("an invalid edit keeps the running jail; an invalid new file shows as invalid", async () => {
  const w = new World();
  w.files.set("web", "one");
  w.files.set("new", "BROKEN");
  w.emperor.rescan();
  w.files.set("web", "BROKEN");
  w.emperor.rescan();
  expect(w.running("web").stopped).toBe(false);
  expect(w.state("web")).toBe("running");
  expect(w.state("new")).toBe("invalid");
  expect(w.lines.filter((l) => l.includes("expected a string"))).toEqual([
    "nsjail emperor: [new] /v/new.toml:2: hostname: expected a string",
    "nsjail emperor: [web] /v/web.toml:2: hostname: expected a string: the running jail is kept",
  ]);
});

test("shutdown stops every vassal and resolves once all have ended", async () => {
  const w = new World();
  w.files.set("a", "a");
  w.files.set("b", "b");
  w.emperor.rescan();
  let done = false;
  void w.emperor.shutdown().then(() => (done = true));
  expect(w.launches.every((l) => l.stopped)).toBe(true);
  w.running("a").exit(143);
  await w.advance(0);
  expect(done).toBe(false);
  w.running("b").exit(137);
  await w.advance(0);
  expect(done).toBe(true);
  expect(w.launches.length).toBe(2); // nothing respawned while stopping
});

test("the control protocol: status, verbs, and errors as replies", () => {
  const w = new World();
  w.files.set("a", "a");
  w.emperor.rescan();
  expect(answer(w.emperor, '{"cmd":"status"}')).toEqual({ ok: true, vassals: [{ name: "a", state: "running", pid: 100, uptime_s: 0, restarts: 0, last_exit: null }] });
  expect(answer(w.emperor, '{"cmd":"stop","name":"zz"}')).toEqual({ ok: false, error: "no vassal named 'zz'" });
  expect(answer(w.emperor, "nope")).toEqual({ ok: false, error: "not a JSON object" });
  expect(answer(w.emperor, '{"cmd":"dance"}').ok).toBe(false);
  expect(answer(w.emperor, '{"cmd":"stop","name":"a"}')).toEqual({ ok: true });
  expect(w.running("a").stopped).toBe(true);
});

test("emperor.toml: defaults are checked against the jail schema with this file's lines", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsjail-settings-"));
  try {
    const read = (p: string) => new Uint8Array(require("node:fs").readFileSync(p));
    const exists = (p: string) => require("node:fs").existsSync(p);
    writeFileSync(join(dir, "emperor.toml"), 'use_clone = ["user", "pid", "fs"]\nstop_timeout = 3\nlog_dir = "/var/log/v"\n[defaults]\ntime_limit = 60\n');
    expect(loadSettings(dir, host, read, exists)).toEqual({ defaults: { time_limit: 60, unshare: ["user", "pid", "fs"], stop_timeout: 3 }, logDir: "/var/log/v", rescanS: 5 });
    writeFileSync(join(dir, "emperor.toml"), 'use_clone = ["user", "fs"]\nrescan = 0\nbogus = 1\n[defaults]\ncommand = ["x"]\ntime_limit = "soon"\n');
    let err: unknown;
    try {
      loadSettings(dir, host, read, exists);
    } catch (e) {
      err = e;
    }
    expect((err as ConfigError).message.split("\n").map((l) => l.replace(dir, "D"))).toEqual([
      "D/emperor.toml:3: bogus: unknown key (known: use_clone, stop_timeout, log_dir, rescan, defaults)",
      "D/emperor.toml:5: defaults.command: each vassal sets this in its own file",
      "D/emperor.toml:6: defaults.time_limit: expected a non-negative integer, got 'soon'",
      "D/emperor.toml:2: rescan: expected whole seconds from 1 to 86400",
    ]);
    writeFileSync(join(dir, "emperor.toml"), 'use_clone = ["user", "fs"]\n');
    expect(() => loadSettings(dir, host, read, exists)).toThrow(`${dir}/emperor.toml:1: use_clone: a vassal always runs in its own pid namespace (add "pid")`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
