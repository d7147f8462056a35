// `run --restart`: the jailed reload. The whole jail is respawned in fresh namespaces after
// its command ends, backs off, gives up after N failures; SIGHUP restarts it, SIGTERM ends it.
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { host, requireHost } from "../support/host.ts";
import { type As, binaryFor, dropTo, nsjail, removeNobodyCopy, withoutJailLines } from "../support/jail.ts";
import { pidsRunning, uniqueSleep, waitFor } from "../support/procs.ts";

requireHost(host.binary, "a built ./nsjail (npm run build)");
requireHost(host.root, "root (CI runs the suite as root)");
requireHost(host.rootless, "unprivileged user namespaces and setpriv");

afterAll(removeNobodyCopy);

for (const as of ["root", "nobody"] as const satisfies readonly As[]) {
  const enabled = host.binary && (as === "root" ? host.root : host.rootless);

  describe.skipIf(!enabled)(`run --restart as ${as}`, () => {
    test("on-failure respawns with backoff and gives up after restart_max_failures", () => {
      const r = nsjail(as, ["run", "--restart", "on-failure", "--restart-delay", "10", "--restart-max-failures", "3", "--", "/bin/sh", "-c", "echo pid=$$; exit 3"]);
      expect(r.code).toBe(3);
      // Each run is a fresh jail: a new pid namespace every time, so the shell is pid 2 again.
      expect(r.stdout).toBe("pid=2\npid=2\npid=2\n");
      expect(r.stderr).toBe(
        "nsjail: the jail ended with exit 3: restarting it in 10 ms\n" +
          "nsjail: the jail ended with exit 3: restarting it in 20 ms\n" +
          "nsjail: error: the jail failed 3 times within 60 s (exit 3): not restarting it\n",
      );
    });

    test("each jail started writes its own exit record, with its own pid and rlimit", () => {
      const dir = mkdtempSync(join(tmpdir(), "nsjail-restart-"));
      try {
        chmodSync(dir, 0o777);
        const file = join(dir, "records.jsonl");
        const script = "[ \"$(ulimit -n)\" = 32 ] || exit 9; exit 3";
        const r = nsjail(as, ["run", "--restart", "on-failure", "--restart-delay", "10", "--restart-max-failures", "2", "--status-file", file, "--rlimit-nofile", "32", "--", "/bin/sh", "-c", script]);
        expect(r.code).toBe(3);
        const records = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
        expect(records.map((x) => [x.reason, x.exit_code, x.nsjail_exit])).toEqual([["exited", 3, 3], ["exited", 3, 3]]);
        expect(records[0].pid).not.toBe(records[1].pid);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test("always respawns a clean exit at once; a clean exit under on-failure ends it", () => {
      const dir = mkdtempSync(join(tmpdir(), "nsjail-restart-"));
      try {
        chmodSync(dir, 0o777);
        const count = `n=$(cat ${dir}/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${dir}/n; echo run $n; [ $n -lt 3 ] || exit 7`;
        const r = nsjail(as, ["run", "--unshare", "user,pid,uts,ipc", "--restart", "always", "--restart-max-failures", "1", "--", "/bin/sh", "-c", count]);
        expect(r.code).toBe(7);
        expect(r.stdout).toBe("run 1\nrun 2\nrun 3\n");
        const once = nsjail(as, ["run", "--restart", "on-failure", "--", "/bin/true"]);
        expect(once.code).toBe(0);
        expect(once.stderr).toBe("");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test("host hooks run around every start: pre_jail before each clone, post_spawn with each jail's pid", () => {
      const dir = mkdtempSync(join(tmpdir(), "nsjail-restart-"));
      try {
        chmodSync(dir, 0o777);
        const hooks = ["--hook-pre-jail", `exec:echo pre >> ${dir}/log`, "--hook-post-spawn", `exec:echo post $NSJAIL_PID >> ${dir}/log`];
        const args = ["run", "--restart", "on-failure", "--restart-delay", "10", "--restart-max-failures", "2", ...hooks, "--", "/bin/sh", "-c", "sleep 0.2; exit 3"];
        const r = nsjail(as, args);
        expect(r.code).toBe(3);
        const log = readFileSync(join(dir, "log"), "utf8").split("\n");
        expect(log.map((l) => l.replace(/\d+$/, "N"))).toEqual(["pre", "post N", "pre", "post N", ""]);
        expect(log[1]).not.toBe(log[3]); // a fresh jail, a new pid
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test("SIGHUP restarts the jail gracefully; SIGTERM ends nsjail and the jail", async () => {
      const sleep = uniqueSleep();
      const proc = Bun.spawn([...dropTo(as), binaryFor(as), "run", "--restart", "on-failure", "--", "/bin/sh", "-c", `echo started; exec ${sleep.join(" ")}`], { stdout: "pipe", stderr: "pipe" });
      try {
        await waitFor("the first jail", () => pidsRunning(sleep.join(" ")).length === 1);
        const [first] = pidsRunning(sleep.join(" "));
        proc.kill("SIGHUP");
        await waitFor("a second jail after SIGHUP", () => pidsRunning(sleep.join(" ")).some((p) => p !== first));
        proc.kill("SIGTERM");
        expect(await proc.exited).toBe(143);
        expect(pidsRunning(sleep.join(" "))).toEqual([]);
        expect(await new Response(proc.stdout).text()).toBe("started\nstarted\n");
        expect(withoutJailLines(await new Response(proc.stderr).text())).toBe("nsjail: restarting the jail (SIGHUP)\n");
      } finally {
        proc.kill(9);
      }
    }, 20_000);

    test("restart with exec is refused at validation", () => {
      const r = nsjail(as, ["run", "--exec", "--restart", "always", "--", "/bin/true"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe("nsjail: --restart: needs nsjail to stay as supervisor: not with exec\n");
    });
  });
}
