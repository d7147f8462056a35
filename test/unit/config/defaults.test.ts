// Stage 1 (config): what a minimal config becomes for root and non-root callers.
import { describe, expect, test } from "bun:test";
import { hostRootWarning } from "../../../src/config/schema/ids.ts";
import { configOf, fakeHost, rootHost, userHost } from "./fake-host.ts";

const CMD = 'command = ["/bin/true"]\n';

describe("defaults for a non-root caller (uid 1000)", () => {
  const c = configOf(CMD, userHost);
  test("every namespace but time, user included", () => {
    expect([...c.unshare]).toEqual(["fs", "ipc", "pid", "uts", "net", "user", "cgroup"]);
  });
  test("runs as the caller, mapped to itself", () => {
    expect([c.uid, c.gid]).toEqual([1000, 1000]);
    expect(c.uidMap).toEqual([{ inside: 1000, outside: 1000, count: 1 }]);
    expect(c.gidMap).toEqual([{ inside: 1000, outside: 1000, count: 1 }]);
  });
  test("scalars", () => {
    expect(c).toMatchObject({
      source: "t.toml",
      hostname: null,
      domainname: null,
      chdir: "/",
      timeLimit: 0,
      asPid1: false,
      exec: false,
      passFds: [],
      caps: [],
      logLevel: "info",
    });
  });
  test("environment: PATH, HOME, host TERM, LANG fallback; host HOME is not leaked", () => {
    expect(c.env).toEqual([
      ["PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
      ["HOME", "/"],
      ["TERM", "xterm-256color"],
      ["LANG", "C.UTF-8"],
    ]);
  });
});

describe("defaults for root", () => {
  test("the user namespace is in the default set and the jail's root is host nobody, never host root", () => {
    const c = configOf(CMD, rootHost);
    expect(c.unshare.has("user")).toBe(true);
    expect(c.uidMap).toEqual([{ inside: 0, outside: 65534, count: 1 }]);
    expect(c.gidMap).toEqual([{ inside: 0, outside: 65534, count: 1 }]);
    expect(hostRootWarning(c, rootHost)).toBeNull();
  });
  test("a chosen uid or gid maps to the same host id: a real drop", () => {
    const c = configOf(`${CMD}uid = 1000\ngid = "users"`, rootHost);
    expect(c.uidMap).toEqual([{ inside: 1000, outside: 1000, count: 1 }]);
    expect(c.gidMap).toEqual([{ inside: 100, outside: 100, count: 1 }]);
    expect(configOf(`${CMD}uid = 0`, rootHost).uidMap).toEqual([{ inside: 0, outside: 65534, count: 1 }]);
  });
  test("host root on files only when a map asks for it, and then one warning", () => {
    const c = configOf(`${CMD}uid_map = ["0:0:1"]\ngid_map = ["0:0:1"]`, rootHost);
    expect(c.uidMap).toEqual([{ inside: 0, outside: 0, count: 1 }]);
    expect(hostRootWarning(c, rootHost)).toBe("the jail holds host root on files (uid_map sends uid 0 to host uid 0)");
    const range = configOf(`${CMD}uid = 5\nuid_map = ["0:100000:5", "5:0:1"]\ngid_map = ["0:0:1"]`, rootHost);
    expect(hostRootWarning(range, rootHost)).toBe("the jail holds host root on files (uid_map sends uid 5 to host uid 0)");
  });
  test("root may leave the user namespace out; maps are then empty", () => {
    const c = configOf(`${CMD}unshare = ["pid", "net"]`, rootHost);
    expect([...c.unshare]).toEqual(["pid", "net"]);
    expect(c.uidMap).toEqual([]);
    expect(c.gidMap).toEqual([]);
    expect(hostRootWarning(c, rootHost)).toBe("the jail runs as real root of the host (no user namespace, uid 0)");
    expect(hostRootWarning(configOf(`${CMD}unshare = ["pid"]\nuid = 1000`, rootHost), rootHost)).toBeNull();
  });
  test("an unprivileged caller is never warned: it has no host root to give", () => {
    expect(hostRootWarning(configOf(`${CMD}uid = 0`), userHost)).toBeNull();
  });
});

test("a non-root caller always gets the user namespace", () => {
  expect([...configOf(`${CMD}unshare = ["net"]`).unshare]).toEqual(["net", "user"]);
  expect([...configOf(`${CMD}unshare = []`).unshare]).toEqual(["user"]);
});

test("a chosen inside uid is mapped to the caller by default", () => {
  const c = configOf(`${CMD}uid = 0\ngid = "users"`);
  expect(c.uidMap).toEqual([{ inside: 0, outside: 1000, count: 1 }]);
  expect(c.gidMap).toEqual([{ inside: 100, outside: 1000, count: 1 }]);
});

test("env layering: defaults, then kept host vars, then explicit entries by key", () => {
  const host = fakeHost({ env: { LANG: "de_DE.UTF-8", TZ: "UTC", PATH: "/host/bin" } });
  const c = configOf(`${CMD}keep_env = ["TZ", "PATH", "MISSING"]\nenv = ["PATH=/jail/bin", "X=1"]`, host);
  expect(c.env).toEqual([
    ["PATH", "/jail/bin"],
    ["HOME", "/"],
    ["LANG", "de_DE.UTF-8"],
    ["TZ", "UTC"],
    ["X", "1"],
  ]);
});

test("pass_fd and cap come out sorted and unique", () => {
  const c = configOf(`${CMD}pass_fd = [5, 3, 5]\ncap = ["SYS_ADMIN", "chown", "CAP_CHOWN"]`);
  expect(c.passFds).toEqual([3, 5]);
  expect(c.caps).toEqual([0, 21]);
});
