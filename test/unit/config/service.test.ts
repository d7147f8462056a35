// Stage 1 (config): `pty`, `notify_socket` and socket activation — their defaults, what they
// add to the environment and passed fds, and what they refuse.
import { describe, expect, test } from "bun:test";
import { configOf, fakeHost, issuesOf } from "./fake-host.ts";

const CMD = 'command = ["/bin/true"]\n';
const activated = (env: Record<string, string>) => fakeHost({ pid: 4242, env: { TERM: "xterm", ...env } });
const envOf = (c: ReturnType<typeof configOf>) => Object.fromEntries(c.env);

describe("pty and notify_socket", () => {
  test("both off by default, and no NOTIFY_SOCKET of nsjail's own leaks in", () => {
    const c = configOf(CMD, activated({ NOTIFY_SOCKET: "/run/systemd/notify" }));
    expect([c.pty, c.notifySocket, c.listenFds]).toEqual([false, false, 0]);
    expect(envOf(c).NOTIFY_SOCKET).toBeUndefined();
  });

  test("notify_socket names the jail's own socket, over any value of the same name", () => {
    const c = configOf(`${CMD}notify_socket = true\nenv = ["NOTIFY_SOCKET=/elsewhere"]`);
    expect(c.notifySocket).toBe(true);
    expect(c.env.filter(([k]) => k === "NOTIFY_SOCKET")).toEqual([["NOTIFY_SOCKET", "@nsjail-notify"]]);
  });

  test("exec mode leaves nobody to relay: both refused", () => {
    expect(issuesOf(`${CMD}exec = true\npty = true\nnotify_socket = true`)).toEqual([
      { path: "pty", message: "needs nsjail to stay and relay the terminal: not with exec", line: 3 },
      { path: "notify_socket", message: "needs nsjail to stay and pass messages on: not with exec", line: 4 },
    ]);
  });

  test("notify_socket needs the jail's own network namespace", () => {
    expect(issuesOf(`${CMD}unshare = ["user", "fs"]\nnotify_socket = true`)).toEqual([
      {
        path: "notify_socket",
        message: 'needs the net namespace (add "net" to unshare); without one, keep_env = ["NOTIFY_SOCKET"] lets the command reach systemd directly',
        line: 3,
      },
    ]);
  });

  test("not booleans", () => {
    expect(issuesOf(`${CMD}pty = "yes"`)).toEqual([{ path: "pty", message: "expected a boolean (true or false), got 'yes'", line: 2 }]);
  });
});

describe("socket activation", () => {
  test("LISTEN_PID is nsjail's: fds 3… are passed, LISTEN_FDS and LISTEN_FDNAMES set, the host's LISTEN_PID dropped", () => {
    const c = configOf(`${CMD}pass_fd = [9]\nkeep_env = ["LISTEN_PID"]`, activated({ LISTEN_PID: "4242", LISTEN_FDS: "2", LISTEN_FDNAMES: "web:admin" }));
    expect(c.listenFds).toBe(2);
    expect(c.passFds).toEqual([3, 4, 9]);
    expect(envOf(c)).toMatchObject({ LISTEN_FDS: "2", LISTEN_FDNAMES: "web:admin" });
    expect(envOf(c).LISTEN_PID).toBeUndefined(); // the command's own pid is set in the jail
  });

  test("LISTEN_PID of another process, or none: nothing is passed", () => {
    for (const env of [{ LISTEN_PID: "1", LISTEN_FDS: "2" }, { LISTEN_FDS: "2" }] as Record<string, string>[]) {
      const c = configOf(CMD, activated(env));
      expect([c.listenFds, c.passFds]).toEqual([0, []]);
      expect(envOf(c).LISTEN_FDS).toBeUndefined();
    }
  });

  test("a LISTEN_FDS that is not a count is an error", () => {
    for (const bad of ["0", "x", "-1", "1e3", "99999999"]) {
      expect(issuesOf(CMD, activated({ LISTEN_PID: "4242", LISTEN_FDS: bad }))).toEqual([
        { path: "LISTEN_FDS", message: `in nsjail's environment: expected a count of passed fds from 1 to 65536, got '${bad}'` },
      ]);
    }
  });
});
