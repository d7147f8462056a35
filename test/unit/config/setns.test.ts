// Stage 1 (config): the setns socket's keys — accepted values, defaults, and every refusal
// with its path, message and line; and `nsjail join`'s own command line.
import { describe, expect, test } from "bun:test";
import { resolveJoinRequest } from "../../../src/config/join.ts";
import { configErrorOf, configOf, issuesOf, rootHost } from "./fake-host.ts";

const CMD = 'command = ["/bin/true"]\n';

describe("setns keys", () => {
  test("off by default", () => {
    const c = configOf(CMD);
    expect(c.setns.path).toBeNull();
    expect(c.setns.preopen).toBe(false);
  });

  test("a socket sends every unshared namespace but the skipped ones", () => {
    const c = configOf(`${CMD}unshare = ["user", "net", "uts", "mnt"]\nsetns_socket = "/run/a.sock"\nsetns_skip = ["net", "pid"]\nsetns_preopen = true`);
    expect(c.setns.path).toBe("/run/a.sock");
    expect(c.setns.preopen).toBe(true);
    expect(c.setns.kinds).toEqual(["fs", "uts", "user"]);
    expect([...c.setns.skip]).toEqual(["net", "pid"]);
    expect(Object.isFrozen(c.setns.kinds)).toBe(true);
    expect(() => (c.setns.skip as Set<string>).add("ipc")).toThrow();
  });

  test("setns_allow takes users and groups by name or number", () => {
    const c = configOf(`${CMD}setns_socket = "/s"\nsetns_allow = ["alice", 1001, "user:7", "group:users", "group:42", "nobody", "alice"]`);
    expect(c.setns.allowUids).toEqual([7, 1000, 1001, 65534]);
    expect(c.setns.allowGids).toEqual([42, 100]);
  });

  const BAD: [string, string, (string | number)[][]][] = [
    ["relative path", `setns_socket = "run/a.sock"`, [["setns_socket", "expected an absolute path to a socket file, got 'run/a.sock'", 2]]],
    ["a directory", `setns_socket = "/run/"`, [["setns_socket", "expected an absolute path to a socket file, got '/run/'", 2]]],
    ["too long for sun_path", `setns_socket = "/${"a".repeat(107)}"`, [["setns_socket", "108 bytes is too long for a UNIX socket (at most 107)", 2]]],
    ["unknown namespace", `setns_socket = "/s"\nsetns_skip = ["nett"]`, [["setns_skip[0]", "unknown namespace 'nett' (did you mean 'net'?)", 3]]],
    ["unknown user", `setns_socket = "/s"\nsetns_allow = ["mallory"]`, [["setns_allow[0]", "no user named 'mallory' on this host", 3]]],
    ["unknown group", `setns_socket = "/s"\nsetns_allow = ["group:wheel"]`, [["setns_allow[0]", "no group named 'wheel' on this host", 3]]],
    ["options without a socket", `setns_preopen = true\nsetns_skip = ["net"]\nsetns_allow = ["alice"]`, [
      ["setns_preopen", "needs setns_socket", 2],
      ["setns_skip", "needs setns_socket", 3],
      ["setns_allow", "needs setns_socket", 4],
    ]],
    ["exec mode has no supervisor", `setns_socket = "/s"\nexec = true`, [["setns_socket", "needs nsjail to stay as supervisor: not with exec", 2]]],
    ["nothing left to send", `unshare = ["net", "user"]\nsetns_socket = "/s"\nsetns_skip = ["net", "user"]`, [["setns_skip", "leaves none of the jail's namespaces to send", 4]]],
  ];
  for (const [name, toml, want] of BAD) {
    test(`refuses: ${name}`, () => {
      expect(issuesOf(`${CMD}${toml}`).map((i) => [i.path, i.message, i.line].filter((x) => x !== undefined))).toEqual(want);
    });
  }

  test("as root without a user namespace, nothing adds one to the list", () => {
    const c = configOf(`${CMD}unshare = ["net"]\nsetns_socket = "/s"`, rootHost);
    expect(c.setns.kinds).toEqual(["net"]);
  });
});

describe("nsjail join's command line", () => {
  const base = { command: [] as string[] };

  test("a socket, the defaults", () => {
    expect(resolveJoinRequest({ ...base, socket: "/run/a.sock" })).toEqual({
      target: { socket: "/run/a.sock" }, only: null, waitSeconds: 0, command: ["/bin/sh"], dryRun: false, logLevel: "info",
    });
  });

  test("--pid, --ns lists (repeatable, mnt alias), a command", () => {
    const r = resolveJoinRequest({ pid: "42", ns: ["uts,mnt", "user"], command: ["ps", "-ef"] });
    expect(r.target).toEqual({ pid: 42 });
    expect([...r.only!]).toEqual(["uts", "fs", "user"]);
    expect(r.command).toEqual(["ps", "-ef"]);
  });

  test("every problem at once, under its flag", () => {
    const err = configErrorOf(() => resolveJoinRequest({ socket: "/s", pid: "x", ns: ["nett"], wait: "-1", logLevel: "loud", command: ["a\0b"] }));
    expect(err.message.split("\n")).toEqual([
      "join: give either SOCKET or --pid PID",
      "--ns[0]: unknown namespace 'nett' (did you mean 'net'?)",
      "--wait: expected a non-negative integer, got '-1'",
      "--wait: only with a SOCKET: a pid is there or not",
      "COMMAND[0]: must not contain a NUL byte",
      "--log-level: expected one of debug, info, warn, error, got 'loud'",
    ]);
    expect(err.exitCode).toBe(2);
  });

  test("neither target, a zero pid, an empty --ns, a long wait", () => {
    expect(configErrorOf(() => resolveJoinRequest(base)).message).toBe("join: give either SOCKET or --pid PID");
    expect(configErrorOf(() => resolveJoinRequest({ ...base, pid: "0" })).message).toBe("--pid: expected an integer ≥ 1, got 0");
    expect(configErrorOf(() => resolveJoinRequest({ ...base, socket: "/s", ns: [","] })).message).toBe("--ns: names no namespace");
    expect(configErrorOf(() => resolveJoinRequest({ ...base, socket: "/s", wait: "99999" })).message).toBe("--wait: 99999 is too large (at most 3600)");
  });
});
