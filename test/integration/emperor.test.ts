// The emperor on a real temp directory, as root and as uid 65534: vassals start, reload on
// edit, stop on removal, respawn after kill -9, end failed after N failures, survive an
// invalid edit; status tells it; SIGTERM leaves nothing behind and SIGKILL no vassal.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { TestEmperor, vassal } from "../support/emperor.ts";
import { buildTestRoot, fsJailReady, type TestRoot } from "../support/fs-jail.ts";
import { host, requireHost } from "../support/host.ts";
import { type As, removeNobodyCopy } from "../support/jail.ts";
import { pidsRunning, uniqueSleep, waitFor } from "../support/procs.ts";

requireHost(host.binary, "a built ./nsjail (npm run build)");
requireHost(host.root, "root (CI runs the suite as root)");
requireHost(host.rootless, "unprivileged user namespaces and setpriv");

const fsReady = fsJailReady();
let rootfs: TestRoot | null = null;
afterAll(() => {
  rootfs?.remove();
  removeNobodyCopy();
});

/** A vassal that says who it is, then sleeps under a unique command line. */
function greeter(name: string, sleep: readonly string[], extra = ""): string {
  const script = `echo "${name} host=$(hostname) pid1=$(tr '\\0' ' ' </proc/1/cmdline | cut -d' ' -f1) me=$$"; exec ${sleep.join(" ")}`;
  return vassal(["/bin/sh", "-c", script], `hostname = "${name}-host"\nrestart_delay = 10\n${extra}`);
}

let emperors: TestEmperor[] = [];
afterEach(async () => {
  for (const e of emperors) await e.dispose();
  emperors = [];
});

function start(as: As, files: Record<string, string>): TestEmperor {
  const e = new TestEmperor(as, files);
  emperors.push(e);
  return e;
}

const mountTable = () => readFileSync("/proc/self/mountinfo", "utf8");

for (const as of ["root", "nobody"] as const satisfies readonly As[]) {
  const enabled = host.binary && (as === "root" ? host.root : host.rootless);

  describe.skipIf(!enabled)(`emperor as ${as}`, () => {
    test("three vassals, an edit, a removal, kill -9, an invalid edit, status and SIGTERM", async () => {
      const mountsBefore = mountTable();
      const sleeps = { a: uniqueSleep(), b: uniqueSleep(), c: uniqueSleep() };
      const e = start(as, { "a.toml": greeter("a", sleeps.a), "b.toml": greeter("b", sleeps.b), "c.toml": greeter("c", sleeps.c) });
      for (const n of ["a", "b", "c"]) await e.waitOutput(`${n}| ${n} host=${n}-host pid1=nsjail-init me=2`);

      const status = e.client(["status"]);
      expect(status.code).toBe(0);
      const rows = status.stdout.trim().split("\n").map((l) => l.split(/\s+/));
      expect(rows[0]).toEqual(["NAME", "STATE", "PID", "UPTIME", "RESTARTS", "LAST", "EXIT"]);
      expect(rows.slice(1).map((r) => [r[0], r[1], r[4], r[5]])).toEqual([["a", "running", "0", "-"], ["b", "running", "0", "-"], ["c", "running", "0", "-"]]);
      const json = JSON.parse(e.client(["status", "--json"]).stdout) as { name: string; pid: number }[];
      expect(json.map((v) => v.pid)).toEqual(rows.slice(1).map((r) => Number(r[2])));

      // An edit: the old jail stops, the new one runs with its new hostname.
      const a2 = uniqueSleep();
      e.write("a.toml", greeter("a", a2).replace('"a-host"', '"a-second"'));
      await e.waitOutput("a| a host=a-second pid1=nsjail-init me=2");
      await waitFor("a's first jail to be gone", () => pidsRunning(sleeps.a.join(" ")).length === 0);

      // A removal: c stops and is forgotten.
      e.remove("c.toml");
      await e.waitEvent("c", "removed");
      expect(pidsRunning(sleeps.c.join(" "))).toEqual([]);

      // kill -9 of b's command: the jail ends and is respawned (restart = "always" by default).
      const [bPid] = pidsRunning(sleeps.b.join(" "));
      process.kill(bPid!, 9);
      await e.waitEvent("b", "start", 2);
      await waitFor("b's command to run again", () => pidsRunning(sleeps.b.join(" ")).some((p) => p !== bPid));

      // An invalid edit: logged with file:line, and b's running jail is kept.
      const running = pidsRunning(sleeps.b.join(" "));
      e.write("b.toml", `${greeter("b", sleeps.b)}\nhostname = 7\n`);
      const invalid = await e.waitEvent("b", "invalid");
      expect(invalid.message).toMatch(/b\.toml:\d+: .*the running jail is kept/);
      expect(pidsRunning(sleeps.b.join(" "))).toEqual(running);

      const after = e.client(["status"]).stdout;
      expect(after).toMatch(/^a\s+running\s+\d+\s+\S+\s+0\s+143$/m);
      expect(after).toMatch(/^b\s+running\s+\d+\s+\S+\s+1\s+137$/m);
      expect(after).not.toMatch(/^c\s/m);

      e.proc.kill("SIGTERM");
      expect(await e.proc.exited).toBe(0);
      for (const s of [a2, sleeps.b]) expect(pidsRunning(s.join(" "))).toEqual([]);
      expect(existsSync(e.control)).toBe(false);
      expect(mountTable()).toBe(mountsBefore);
    }, 60_000);

    test("a vassal that always exits 1 ends failed after restart_max_failures tries", async () => {
      const e = start(as, { "bad.toml": vassal(["/bin/sh", "-c", "echo try; exit 1"], "restart_delay = 10\nrestart_max_failures = 3") });
      const failed = await e.waitEvent("bad", "failed");
      expect(failed.message).toContain("failed 3 times");
      expect(e.eventsOf("bad", "start").length).toBe(3);
      expect(e.output.filter((l) => l === "bad| try").length).toBe(3);
      expect(e.client(["status"]).stdout).toMatch(/^bad\s+failed\s+-\s+-\s+2\s+1$/m);
      // start NAME gives it a clean slate
      expect(e.client(["start", "bad"]).code).toBe(0);
      await e.waitEvent("bad", "failed", 2);
    }, 30_000);

    test("stop and start through the control socket; unknown names are refused", async () => {
      const sleep = uniqueSleep();
      const e = start(as, { "s.toml": greeter("s", sleep) });
      await e.waitEvent("s", "start");
      expect(e.client(["stop", "s"]).code).toBe(0);
      await e.waitEvent("s", "exit");
      expect(e.client(["status"]).stdout).toMatch(/^s\s+stopped\s/m);
      expect(pidsRunning(sleep.join(" "))).toEqual([]);
      expect(e.client(["start", "s"]).code).toBe(0);
      await e.waitEvent("s", "start", 2);
      const nope = e.client(["stop", "nope"]);
      expect(nope.code).toBe(1);
      expect(nope.stderr).toBe("nsjail: emperor stop: no vassal named 'nope'\n");
    }, 30_000);

    test("SIGKILL to the emperor leaves no vassal process", async () => {
      const sleeps = [uniqueSleep(), uniqueSleep()];
      const e = start(as, { "k1.toml": greeter("k1", sleeps[0]!), "k2.toml": vassal(sleeps[1]!, 'unshare = ["user", "pid"]') });
      await waitFor("both vassals to run", () => sleeps.every((s) => pidsRunning(s.join(" ")).length === 1));
      e.proc.kill(9);
      await e.proc.exited;
      await waitFor("every vassal to die with the emperor", () => sleeps.every((s) => pidsRunning(s.join(" ")).length === 0));
    }, 30_000);

    test("no vassal can read the emperor's memory or signal it while others are started", async () => {
      // The spy has no mount namespace, so it sees the host's /proc and the emperor's pid.
      const probe = [
        "i=0; while [ $i -lt 300 ]; do",
        "  (exec 3</proc/$EMP/mem) 2>/dev/null && echo MEM",
        "  cat /proc/$EMP/environ >/dev/null 2>&1 && echo ENVIRON",
        "  kill -0 $EMP 2>/dev/null && echo SIGNAL",
        "  i=$((i+1))",
        "done; echo spy-done; exec sleep 1000",
      ].join("\n");
      const e = start(as, {});
      const unshare = as === "root" ? '["pid"]' : '["user", "pid"]';
      e.write("spy.toml", vassal(["/bin/sh", "-c", probe], `unshare = ${unshare}\nenv = ["EMP=${e.proc.pid}"]`));
      await e.waitEvent("spy", "start");
      for (let i = 0; i < 20; i++) e.write(`v${i}.toml`, greeter(`v${i}`, uniqueSleep()));
      await e.waitOutput("spy| spy-done", 30_000);
      await waitFor("the 20 other vassals to start", () => e.events.filter((x) => x.event === "start").length >= 21);
      expect(e.output.filter((l) => l.startsWith("spy| "))).toEqual(["spy| spy-done"]);
    }, 60_000);

    test.skipIf(!fsReady)("a vassal in a rootfs: its own mounts and in-jail hooks, reloaded; host hooks are refused", async () => {
      rootfs ??= buildTestRoot();
      const mountsBefore = mountTable();
      const sleep = uniqueSleep();
      const say = "echo \"fs $(hostname) $(cat /etc/conf.d/app.conf) $(cat /srv/host-file) $(cat /tmp/hook) ro=$( (touch /x) 2>&1 | grep -c Read-only) pid1=$(tr '\\0' ' ' </proc/1/cmdline | cut -d' ' -f1)\"";
      const file = (name: string) =>
        vassal(["/bin/sh", "-c", `${say}; exec ${sleep.join(" ")}`], [
          `rootfs = "${rootfs!.dir}"`,
          `hostname = "${name}"`,
          `hook_as_root = ["write:/tmp/hook from-the-hook"]`,
          "[[mount]]",
          'type = "tmpfs"',
          'dst = "/tmp"',
          "[[mount]]",
          'type = "bind"',
          `src = "${rootfs!.outside}"`,
          'dst = "/srv"',
        ].join("\n"));
      const e = start(as, { "fs.toml": file("first"), "hosthook.toml": vassal(["/bin/true"], `rootfs = "${rootfs.dir}"\nhook_pre_jail = ["write:/tmp/nsjail-never no"]`) });
      // The rootfs is read-only, /tmp and /srv are the vassal's mounts, /proc is the jail's.
      await e.waitOutput("fs| fs first from the rootfs from the host from-the-hook ro=1 pid1=nsjail-init");
      e.write("fs.toml", file("second"));
      await e.waitOutput("fs| fs second from the rootfs from the host from-the-hook ro=1 pid1=nsjail-init");
      const refused = await e.waitEvent("hosthook", "invalid");
      expect(refused.message).toContain("hosthook.toml: hook_pre_jail: runs on the host, which a vassal may not");
      expect(existsSync("/tmp/nsjail-never")).toBe(false);
      e.proc.kill("SIGTERM");
      expect(await e.proc.exited).toBe(0);
      expect(pidsRunning(sleep.join(" "))).toEqual([]);
      expect(mountTable()).toBe(mountsBefore);
    }, 30_000);

    test("a vassal without a pid namespace is refused: it could signal the emperor", async () => {
      const e = start(as, { "nopid.toml": vassal(["/bin/true"], 'unshare = ["user", "fs"]') });
      const refused = await e.waitEvent("nopid", "invalid");
      expect(refused.message).toContain('nopid.toml: unshare: a vassal always runs in its own pid namespace (add "pid")');
      expect(e.eventsOf("nopid", "start")).toEqual([]);
      expect(e.client(["status"]).stdout).toMatch(/^nopid\s+invalid\s+-/m);
    }, 30_000);
  });
}
