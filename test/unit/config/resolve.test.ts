// Stage 1 (config): CLI flags → raw → merged over the file → validated, with CLI precedence.
import { describe, expect, test } from "bun:test";
import { Command } from "commander";
import { flagsToRaw } from "../../../src/cli/flags-to-raw.ts";
import { addConfigFlags } from "../../../src/cli/flags.ts";
import { SCHEMA } from "../../../src/config/schema/index.ts";
import { resolveConfig } from "../../../src/config/resolve.ts";
import { configErrorOf, userHost } from "./fake-host.ts";

const FIXTURES = new URL("../../fixtures/configs/", import.meta.url).pathname;
const BASE = `${FIXTURES}base.toml`;

/** Parses argv the way run.ts would: config flags plus the words after `--`. */
function parse(argv: string[]): { cli: Record<string, unknown>; command: string[] } {
  const cmd = addConfigFlags(new Command("run")).argument("[command...]").exitOverride();
  cmd.parse(argv, { from: "user" });
  return { cli: flagsToRaw(cmd.opts()), command: cmd.args };
}

function resolveArgs(file: string | null, argv: string[]) {
  return resolveConfig({ file, ...parse(argv) }, userHost);
}


describe("flagsToRaw", () => {
  test("only given flags, in TOML shape and types", () => {
    const { cli, command } = parse([
      "--uid", "nobody", "--uid-map", "0:1000:1", "--uid-map", "1:100000:10",
      "--unshare", "net,pid", "--unshare", "uts", "--time-limit", "30", "--pass-fd", "4",
      "--as-pid-1", "--no-exec", "--env", "A=1,2", "--", "/bin/ls", "-l",
    ]);
    expect(cli).toEqual({
      unshare: ["net", "pid", "uts"],
      uid: "nobody",
      uid_map: ["0:1000:1", "1:100000:10"],
      env: ["A=1,2"],
      time_limit: 30,
      as_pid_1: true,
      exec: false,
      pass_fd: [4],
    });
    expect(command).toEqual(["/bin/ls", "-l"]);
  });
  test("nothing given, nothing set", () => {
    expect(parse([]).cli).toEqual({});
  });
  test("every schema key with a flag gets an option", () => {
    const cmd = addConfigFlags(new Command("run"));
    const longs = cmd.options.map((o) => o.long);
    for (const s of SCHEMA) if (s.flag !== null) expect(longs).toContain(s.flag);
    expect(longs).toContain("--no-as-pid-1");
  });
});

describe("resolveConfig", () => {
  test("the file alone", () => {
    const c = resolveArgs(BASE, []);
    expect(c).toMatchObject({ source: BASE, hostname: "from-file", timeLimit: 10, asPid1: true, uid: 0 });
    expect(c.command).toEqual(["/bin/sh", "-c", "true"]);
  });
  test("flags win; list flags add to the file's lists, --env overriding a file variable; the CLI command replaces the file's", () => {
    const c = resolveArgs(BASE, ["--hostname", "from-cli", "--env", "SHARED=cli", "--env", "MORE=2", "--no-as-pid-1", "--", "/bin/echo", "hi"]);
    expect(c.hostname).toBe("from-cli");
    expect(c.asPid1).toBe(false);
    expect(c.timeLimit).toBe(10);
    expect(c.env.filter(([k]) => ["FROM_FILE", "SHARED", "MORE"].includes(k))).toEqual([["FROM_FILE", "1"], ["SHARED", "cli"], ["MORE", "2"]]);
    expect(c.uidMap).toEqual([{ inside: 0, outside: 1000, count: 1 }]);
    expect(c.command).toEqual(["/bin/echo", "hi"]);
  });
  test("--unshare replaces the file's list; --share and -NAME items take namespaces away", () => {
    expect([...resolveArgs(BASE, ["--unshare", "uts,mount"]).unshare]).toEqual(["fs", "uts", "user"]);
    expect([...resolveArgs(BASE, ["--share", "pid"]).unshare]).toEqual(["fs", "uts", "user"]);
    expect([...resolveArgs(null, ["--share", "net", "--", "x"]).unshare]).toEqual(["fs", "ipc", "pid", "uts", "user", "cgroup"]);
    expect([...resolveArgs(null, ["--unshare", "-net,-ipc", "--", "x"]).unshare]).toEqual(["fs", "pid", "uts", "user", "cgroup"]);
    expect([...resolveArgs(null, ["--unshare", "net,time,-net", "--", "x"]).unshare]).toEqual(["user", "time"]);
  });
  test("--keep-env '*' and --keep-env-all keep the whole host environment, --env still wins", () => {
    for (const flags of [["--keep-env", "*"], ["--keep-env-all"]]) {
      const env = Object.fromEntries(resolveArgs(null, [...flags, "--env", "TZ=x", "--", "x"]).env);
      expect(env).toEqual({ PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/home/alice", TERM: "xterm-256color", LANG: "C.UTF-8", TZ: "x" });
    }
  });
  test("-q and -v stand for --log-level warn and debug; --log-level wins, -v wins over -q", () => {
    expect(resolveArgs(null, ["-q", "x"]).logLevel).toBe("warn");
    expect(resolveArgs(null, ["--verbose", "x"]).logLevel).toBe("debug");
    expect(resolveArgs(null, ["-q", "-v", "x"]).logLevel).toBe("debug");
    expect(resolveArgs(null, ["-v", "--log-level", "error", "x"]).logLevel).toBe("error");
  });
  test("an issue in a list the flags added to names the file's line or the flag's own index", () => {
    const e = configErrorOf(() => resolveArgs(BASE, ["--env", "OK=1", "--env", "=bad"]));
    expect(e.issues).toEqual([{ path: "--env[1]", message: "invalid variable name '' (letters, digits and _, not starting with a digit)", cli: true }]);
  });
  test("a CLI-only jail", () => {
    const c = resolveArgs(null, ["--unshare", "pid,uts", "--hostname", "h", "--", "/bin/true"]);
    expect(c.source).toBeNull();
    expect([...c.unshare]).toEqual(["pid", "uts", "user"]);
  });
  test("CLI issues name the flag; file issues keep their line", () => {
    const e = configErrorOf(() => resolveArgs(BASE, ["--time-limit", "x", "--uid-map", "0:1000", "--unshare", "net"]));
    expect(e.issues).toEqual([
      { path: "--uid-map[0]", message: `expected "IN:OUT:COUNT" (three non-negative integers), got '0:1000'`, cli: true },
      { path: "--time-limit", message: "expected a non-negative integer, got 'x'", cli: true },
      { path: "hostname", message: 'needs the uts namespace (add "uts" to unshare)', line: 4 },
    ]);
    // Flag issues carry no file name: the file did not say it.
    expect(e.message.split("\n")).toEqual([
      `--uid-map[0]: expected "IN:OUT:COUNT" (three non-negative integers), got '0:1000'`,
      "--time-limit: expected a non-negative integer, got 'x'",
      `${BASE}:4: hostname: needs the uts namespace (add "uts" to unshare)`,
    ]);
  });
  test("no command anywhere", () => {
    const e = configErrorOf(() => resolveArgs(null, []));
    expect(e.message).toBe("command: no command: give one in the config or after --");
  });
  test("every mistake of a file at once, with lines", () => {
    const e = configErrorOf(() => resolveArgs(`${FIXTURES}typos.toml`, []));
    expect(e.message.split("\n")).toEqual([
      `${FIXTURES}typos.toml:3: hostnme: unknown key (did you mean 'hostname'?)`,
      `${FIXTURES}typos.toml:4: time_limit: expected a non-negative integer, got 'soon'`,
      `${FIXTURES}typos.toml:5: uid_map: does not map uid 1000, the uid the command runs as`,
      `${FIXTURES}typos.toml:7: uid_map[1]: inside range 0-0 overlaps uid_map[0] (0-0)`,
    ]);
  });
  test("a missing file is one issue", () => {
    expect(configErrorOf(() => resolveArgs("/nonexistent/x.toml", [])).message).toBe(
      "/nonexistent/x.toml: cannot read: ENOENT (No such file or directory)",
    );
  });
});
