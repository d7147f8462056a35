// `nsjail run` for real, as root and as an unprivileged user; every assertion looks from inside.
import { afterAll, describe, expect, test } from "bun:test";
import { readlinkSync } from "node:fs";
import { host, requireHost } from "../support/host.ts";
import { type As, binaryFor, dropTo, nsjail, removeNobodyCopy, sh } from "../support/jail.ts";

requireHost(host.binary, "a built ./nsjail (npm run build)");
requireHost(host.root, "root (CI runs the suite as root)");
requireHost(host.rootless, "unprivileged user namespaces and setpriv");

afterAll(removeNobodyCopy);

const NAMESPACES = ["pid", "mnt", "uts", "ipc", "net", "user", "cgroup"];

for (const as of ["root", "nobody"] as const satisfies readonly As[]) {
  const enabled = host.binary && (as === "root" ? host.root : host.rootless);
  const hostUid = as === "root" ? 0 : 65534;

  describe.skipIf(!enabled)(`nsjail run as ${as}`, () => {
    test("domainname is set in the new uts namespace", () => {
      expect(sh(as, "cat /proc/sys/kernel/domainname", ["--domainname", "jail.example"]).stdout).toBe("jail.example\n");
    });

    test("hostname, pid and ids seen from inside", () => {
      const r = sh(as, 'echo "$(hostname) $$ $(id -u) $(id -g)"', ["--hostname", "jailhost"]);
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe(`jailhost 2 ${hostUid} ${hostUid}\n`);
      expect(r.code).toBe(0);
    });

    test("--as-pid-1 runs the command itself as PID 1", () => {
      expect(sh(as, "echo $$", ["--as-pid-1"]).stdout).toBe("1\n");
    });

    test("a fresh /proc shows only the jail's processes", () => {
      const pids = sh(as, "ls /proc | grep -E '^[0-9]+$'").stdout.trim().split("\n").map(Number);
      // init, the shell and the pipeline's own processes: nothing from the host.
      expect(pids).toContain(1);
      expect(pids).toContain(2);
      expect(Math.max(...pids)).toBeLessThan(10);
    });

    test("every namespace differs from the host's", () => {
      const script = NAMESPACES.map((ns) => `readlink /proc/self/ns/${ns}`).join("; ");
      const inside = sh(as, script).stdout.trim().split("\n");
      const outside = NAMESPACES.map((ns) => readlinkSync(`/proc/self/ns/${ns}`));
      expect(inside).toHaveLength(NAMESPACES.length);
      inside.forEach((link, i) => expect(link).not.toBe(outside[i]));
    });

    test("uid_map maps the inside root onto the caller, or onto nobody for a root caller", () => {
      const r = sh(as, "cat /proc/self/uid_map /proc/self/gid_map", ["--uid", "0", "--gid", "0"]);
      const lines = r.stdout.trim().split("\n").map((l) => l.trim().split(/\s+/).join(" "));
      expect(lines).toEqual(["0 65534 1", "0 65534 1"]);
      expect(sh(as, "id -u", ["--uid", "0"]).stdout).toBe("0\n");
    });

    test("exit codes: the command's own, and 128+N for a signal", () => {
      expect(sh(as, "exit 0").code).toBe(0);
      expect(sh(as, "exit 7").code).toBe(7);
      expect(sh(as, "kill -TERM $$; sleep 5").code).toBe(128 + 15);
    });

    test("time limit: SIGTERM first, and nsjail exits 124 as timeout(1) does", () => {
      const r = sh(as, "trap 'echo got TERM; exit 5' TERM; sleep 30 & wait", ["--time-limit", "1"]);
      expect(r.stdout).toBe("got TERM\n");
      expect(r.code).toBe(124);
      expect(r.stderr).toContain("time limit of 1 s reached: SIGTERM to the jail");
      expect(r.rawStderr).toMatch(/nsjail: jail \d+ ended: exited with 5 after 1\.\d{3} s \(time limit\)\n/);
    });

    test("time limit: a jail that ignores SIGTERM is killed --kill-after seconds later, 137", () => {
      const r = sh(as, "trap '' TERM; sleep 30 & wait; echo survived", ["--time-limit", "1", "--kill-after", "1"]);
      expect(r.code).toBe(137);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("outlived 1 s after SIGTERM: SIGKILL");
      expect(r.rawStderr).toMatch(/ended: killed by SIGKILL after 2\.\d{3} s \(time limit\)\n/);
    });

    test("fd 9 opened before the launch is closed inside unless passed", () => {
      const probe = "[ -e /proc/self/fd/9 ] && echo open || echo closed; ls /proc/self/fd | tr '\\n' ' '";
      const closed = sh(as, probe, [], { shell: "exec 9</etc/hostname; " });
      expect(closed.stdout).toBe("closed\n0 1 2 3 "); // 3 is ls's own directory fd
      const passed = sh(as, probe, ["--pass-fd", "9"], { shell: "exec 9</etc/hostname; " });
      expect(passed.stdout.split("\n")[0]).toBe("open");
    });

    test("no capabilities, no_new_privs, own session", () => {
      const r = sh(as, "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)' /proc/self/status; ps -o sid= -p $$ 2>/dev/null || cat /proc/self/stat");
      expect(r.stdout).toMatch(/CapEff:\s+0{16}/);
      expect(r.stdout).toMatch(/CapPrm:\s+0{16}/);
      expect(r.stdout).toMatch(/CapBnd:\s+0{16}/);
      expect(r.stdout).toMatch(/CapAmb:\s+0{16}/);
      expect(r.stdout).toMatch(/NoNewPrivs:\s+1/);
      const stat = sh(as, "cut -d' ' -f6 /proc/self/stat; echo $$").stdout.trim().split("\n");
      // The shell leads its own session: session id == its pid.
      expect(stat[0]).toBe(stat[1]);
    });

    test("the command cannot reach the init's fds or memory", () => {
      const r = sh(as, 'printf x > /proc/1/fd/1 && echo wrote; cat /proc/1/environ >/dev/null && echo read; echo done');
      expect(r.stdout).toBe("done\n");
      expect(r.stderr).toContain("Permission denied");
    });

    test("without a pid namespace the command still cannot reach nsjail's memory", () => {
      // $PPID is nsjail itself here: same host uid when rootless, but nsjail is non-dumpable.
      const r = sh(as, 'cat /proc/$PPID/environ >/dev/null 2>&1 && echo read || echo denied', ["--unshare", "user,fs,uts"]);
      expect(r.stdout).toBe("denied\n");
    });

    test("--cap keeps one capability", () => {
      const r = sh(as, "grep -E '^(CapEff|CapBnd)' /proc/self/status", ["--cap", "net_bind_service", "--uid", "0"]);
      expect(r.stdout).toMatch(/CapEff:\s+0{13}400/);
      expect(r.stdout).toMatch(/CapBnd:\s+0{13}400/);
    });

    test("lo is up in the new network namespace", () => {
      const r = sh(as, "ip -o link show lo");
      expect(r.stdout).toMatch(/<LOOPBACK,UP/);
    });

    test("environment is clean except documented defaults and --env/--keep-env", () => {
      const r = sh(as, "env | sort", ["--env", "A=1", "--keep-env", "SECRET_OK"], { shell: "export SECRET_OK=yes LEAK=no; " });
      const env = r.stdout.trim().split("\n");
      expect(env).toContain("A=1");
      expect(env).toContain("SECRET_OK=yes");
      expect(env.some((l) => l.startsWith("LEAK="))).toBe(false);
      expect(env.some((l) => l.startsWith("PATH="))).toBe(true);
    });

    test("a missing command exits 127 with one clear line, as env(1) does", () => {
      const r = nsjail(as, ["run", "--", "no-such-command-here"]);
      expect(r.code).toBe(127);
      expect(r.stderr.trim()).toBe(
        "nsjail: execve no-such-command-here [command]: ENOENT (No such file or directory) — the command was not found inside the jail (check the path and PATH)",
      );
    });

    test("a refused op names op, config key and errno", () => {
      const r = nsjail(as, ["run", "--unshare", "pid,fs,user", "--", "/bin/true"]);
      expect(r.code).toBe(0);
      const bad = nsjail(as, ["run", "--chdir", "/no/such/dir", "--", "/bin/true"]);
      expect(bad.code).toBe(255);
      expect(bad.stderr).toContain("chdir /no/such/dir [chdir]: ENOENT (No such file or directory)");
    });

    test("SIGTERM to nsjail reaches the command", async () => {
      const child = Bun.spawn([...dropTo(as), "/bin/sh", "-c", `exec ${binaryFor(as)} run -- /bin/sh -c 'trap "exit 42" TERM; echo ready; while :; do sleep 0.05; done'`], {
        stdout: "pipe",
        stderr: "pipe",
      });
      const reader = child.stdout.getReader();
      await reader.read(); // "ready"
      child.kill("SIGTERM");
      expect(await child.exited).toBe(42);
    });
  });
}

