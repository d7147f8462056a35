// The command line as people type it, run through the built ./nsjail as root and as uid 65534:
// usage errors, namespace sharing, list flags over a file, the environment, exit codes of a
// command that cannot run, the start and end lines, log formats, check, version, --dry-run --json.
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { host, requireHost } from "../support/host.ts";
import { type As, JAIL_LINE, nsjail, removeNobodyCopy, sh } from "../support/jail.ts";

requireHost(host.binary, "a built ./nsjail (npm run build)");
requireHost(host.root, "root (CI runs the suite as root)");
requireHost(host.rootless, "unprivileged user namespaces and setpriv");

const dir = mkdtempSync(join(tmpdir(), "nsjail-cli-"));
chmodSync(dir, 0o755);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  removeNobodyCopy();
});

function file(name: string, text: string, mode = 0o644): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

for (const as of ["root", "nobody"] as const satisfies readonly As[]) {
  const enabled = host.binary && (as === "root" ? host.root : host.rootless);

  describe.skipIf(!enabled)(`the command line as ${as}`, () => {
    test("a value flag never takes `--`: a usage error in one line, the command does not run", () => {
      const r = nsjail(as, ["run", "--hostname", "--", "/bin/sh", "-c", "echo ran"]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe("nsjail: option '--hostname <NAME>' argument '--' is invalid. -- ends the options, so the value is missing — try 'nsjail run --help'\n");
    });

    test("an unknown or malformed option is one line and a --help hint, not the help text", () => {
      const typo = nsjail(as, ["run", "--hostnme", "x", "--", "/bin/true"]);
      expect(typo.code).toBe(2);
      expect(typo.stderr).toBe("nsjail: unknown option '--hostnme' (did you mean --hostname?) — try 'nsjail run --help'\n");
      const missing = nsjail(as, ["run", "--time-limit"]);
      expect(missing.stderr).toBe("nsjail: option '--time-limit <SECONDS>' argument missing — try 'nsjail run --help'\n");
      expect(nsjail(as, ["frob"]).stderr).toBe("nsjail: unknown command 'frob' — try 'nsjail --help'\n");
    });

    test("--share net and a -net item keep the host's network; mount is fs", () => {
      const ns = "readlink /proc/self/ns/net /proc/self/ns/mnt /proc/self/ns/pid";
      const hostNs = ["net", "mnt", "pid"].map((n) => readlinkSync(`/proc/self/ns/${n}`));
      for (const flags of [["--share", "net"], ["--unshare", "-net"]]) {
        const [net, mnt, pid] = sh(as, ns, flags).stdout.trim().split("\n");
        expect(net).toBe(hostNs[0]!);
        expect([mnt, pid]).not.toContain(hostNs[1]!);
        expect(pid).not.toBe(hostNs[2]!);
      }
      const [net, mnt, pid] = sh(as, ns, ["--unshare", "mount"]).stdout.trim().split("\n");
      expect([net, mnt, pid]).toEqual([hostNs[0]!, expect.not.stringMatching(hostNs[1]!), hostNs[2]!]);
    });

    test("list flags add to the file's lists; --env overrides a file variable of the same name", () => {
      const config = file(`env-${as}.toml`, 'env = ["A=file", "B=file"]\ncommand = ["/bin/sh", "-c", "echo $A $B $C"]\n');
      expect(nsjail(as, ["run", "-c", config, "--env", "B=cli", "--env", "C=cli"]).stdout).toBe("file cli cli\n");
    });

    test("--keep-env '*' and --keep-env-all keep the host environment", () => {
      for (const flag of [["--keep-env", "*"], ["--keep-env-all"]]) {
        const r = nsjail(as, ["run", ...flag, "--", "/bin/sh", "-c", 'echo "$FROM_HOST $TERM"'], { shell: "export FROM_HOST=yes; " });
        expect(r.stdout).toBe("yes dumb\n");
      }
      expect(sh(as, 'echo "${FROM_HOST:-unset}"', [], { shell: "export FROM_HOST=yes; " }).stdout).toBe("unset\n");
    });

    test("a command that is not found exits 127, one that cannot be executed 126, in exec mode too", () => {
      const script = file(`no-shebang-${as}`, "echo hi\n", 0o755);
      for (const mode of [[], ["--exec"]]) {
        expect(nsjail(as, ["run", ...mode, "--", "/no/such/file"]).code).toBe(127);
        expect(nsjail(as, ["run", ...mode, "--", "no-such-command-anywhere"]).code).toBe(127);
        const noexec = nsjail(as, ["run", ...mode, "--", "/etc/passwd"]);
        expect(noexec.code).toBe(126);
        expect(noexec.stderr).toContain("execve /etc/passwd [command]: EACCES");
        const enoexec = nsjail(as, ["run", ...mode, "--", script]);
        expect(enoexec.code).toBe(126);
        expect(enoexec.stderr).toContain("ENOEXEC");
      }
      // Other setup failures keep 255.
      expect(nsjail(as, ["run", "--chdir", "/no/such/dir", "--", "/bin/true"]).code).toBe(255);
    });

    test("one line when a jail starts and one when it ends; -q hides them, -v adds the plan digest", () => {
      const r = sh(as, "exit 3", ["--unshare", "pid,uts,user"]);
      expect(r.code).toBe(3);
      const lines = r.rawStderr.split("\n").filter(Boolean);
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^nsjail: jail (\d+) started: \/bin\/sh; namespaces pid,uts,user$/);
      const pid = lines[0]!.match(/jail (\d+)/)![1];
      expect(lines[1]).toMatch(new RegExp(`^nsjail: jail ${pid} ended: exited with 3 after \\d+\\.\\d{3} s$`));
      expect(sh(as, "kill -USR1 $$").rawStderr).toMatch(/ended: killed by SIGUSR1 after/);
      expect(sh(as, "true", ["-q"]).rawStderr).toBe("");
      expect(sh(as, "true", ["-v"]).rawStderr).toMatch(/^nsjail: debug: plan: \d+ ops, \d+ bytes, hash [0-9a-f]+$/m);
    });

    test("--log-format json: one JSON object a line, with the event's fields", () => {
      const r = sh(as, "exit 4", ["--log-format", "json", "--unshare", "pid,user"]);
      const events = r.rawStderr.trim().split("\n").map((l) => JSON.parse(l));
      expect(events.map((e) => [e.level, e.event])).toEqual([["info", "start"], ["info", "end"]]);
      expect(events[0]).toMatchObject({ command: "/bin/sh", namespaces: ["pid", "user"] });
      expect(events[1]).toMatchObject({ pid: events[0].pid, code: 4, signal: null, reason: null });
      expect(Date.parse(events[1].time)).toBeGreaterThan(0);
      const bad = nsjail(as, ["run", "--log-format", "json", "--chdir", "/nope", "--", "/bin/true"]);
      expect(JSON.parse(bad.rawStderr.trim().split("\n").at(-1)!)).toMatchObject({ level: "error", msg: expect.stringContaining("chdir /nope [chdir]: ENOENT") });
    });

    test("stderr that is the journal gets syslog priorities; a stale JOURNAL_STREAM does not", () => {
      const log = file(`journal-${as}.log`, "", 0o666);
      const shell = (stream: string) => `exec 2>${log}; export JOURNAL_STREAM=${stream}; `;
      nsjail(as, ["run", "--time-limit", "1", "--kill-after", "0", "--", "/bin/sleep", "5"], { shell: shell("$(stat -c %d:%i " + log + ")") });
      const lines = require("node:fs").readFileSync(log, "utf8").trim().split("\n");
      expect(lines[0]).toMatch(/^<6>jail \d+ started: \/bin\/sleep; /);
      expect(lines[1]).toMatch(/^<4>time limit of 1 s reached: killing the jail/);
      expect(lines[2]).toMatch(/^<6>jail \d+ ended: killed by SIGKILL after .* \(time limit\)$/);
      nsjail(as, ["run", "--", "/bin/true"], { shell: shell("1:1") });
      expect(require("node:fs").readFileSync(log, "utf8")).toMatch(/^nsjail: jail \d+ started/);
    });
  });
}

describe.skipIf(!host.binary)("nsjail check, version and --dry-run --json", () => {
  test("several files: ok lines on stdout, problems in line order with the prefix on stderr, exit 2", () => {
    const good = file("good.toml", 'command = ["/bin/true"]\n');
    const profile = file("profile.toml", 'hostname = "web"\nenv = ["A=1"]\n');
    const bad = file("bad.toml", 'uid_map = ["x"]\nhostnme = "a"\ncommand = ["/bin/true"]\ntime_limit = -1\n');
    const r = nsjail("root", ["check", good, profile, bad]);
    expect(r.stdout).toBe(`${good}: ok\n${profile}: ok (a profile: no command, give one after -- when running it)\n`);
    expect(r.stderr.split("\n").filter(Boolean)).toEqual([
      `nsjail: ${bad}:1: uid_map[0]: expected "IN:OUT:COUNT" (three non-negative integers), got 'x'`,
      `nsjail: ${bad}:2: hostnme: unknown key (did you mean 'hostname'?)`,
      `nsjail: ${bad}:4: time_limit: expected a non-negative integer, got -1`,
    ]);
    expect(r.code).toBe(2);
    expect(nsjail("root", ["check", good, profile]).code).toBe(0);
  });

  test("check --json: every file with its problems", () => {
    const bad = file("bad2.toml", 'command = ["/bin/true"]\nhostnme = "a"\n');
    const r = nsjail("root", ["check", "--json", bad, join(dir, "missing.toml")]);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      files: [
        { file: bad, ok: false, profile: false, problems: [{ line: 2, key: "hostnme", message: "unknown key (did you mean 'hostname'?)" }], omitted: 0 },
        { file: join(dir, "missing.toml"), ok: false, profile: false, problems: [{ line: null, key: null, message: "cannot read: ENOENT (No such file or directory)" }], omitted: 0 },
      ],
    });
    expect(r.code).toBe(2);
  });

  test("version and --version: version, commit, Bun, architectures", () => {
    const pkg = require("../../package.json");
    for (const args of [["version"], ["--version"], ["-V"]]) {
      const r = nsjail("root", args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^nsjail ${pkg.version.replace(/\./g, "\\.")} \\(commit ([0-9a-f]{12}(-dirty)?|unknown)\\)\\nBun \\d+\\.\\d+\\.\\d+, built for linux x86_64\\narchitectures: x86_64, aarch64\\n$`));
    }
  });

  test("--dry-run --json is the plan --dry-run prints, as JSON", () => {
    const text = nsjail("root", ["run", "--dry-run", "--hostname", "h", "--", "/bin/true"]).stdout.trim().split("\n");
    const json = JSON.parse(nsjail("root", ["run", "--dry-run", "--json", "--hostname", "h", "--", "/bin/true"]).stdout);
    expect(json.head).toBe(text[0]);
    expect(json.ops.map((o: { text: string }) => o.text)).toEqual(text.slice(1, -1).filter((l) => !l.startsWith("--")).map((l) => l.replace(/^ *\d+ /, "").replace(/( optional)?  # .*$/, "")));
    expect(text.at(-1)).toBe(`plan: ${json.digest.ops} ops, ${json.digest.bytes} bytes, hash ${json.digest.hash}`);
    expect(JAIL_LINE.test(nsjail("root", ["run", "--dry-run", "--", "/bin/true"]).rawStderr)).toBe(false);
  });
});
