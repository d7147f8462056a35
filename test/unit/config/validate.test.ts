// Stage 1 (config): a table of TOML snippets and the exact issues validateConfig reports.
import { describe, expect, test } from "bun:test";
import { resolveConfig } from "../../../src/config/resolve.ts";
import { check, configErrorOf, configOf, issuesOf, rootHost, userHost } from "./fake-host.ts";

const CMD = 'command = ["/bin/true"]\n';

const GOOD: [string, string][] = [
  ["minimal", CMD],
  ["uid by name", `${CMD}uid = "nobody"\ngid = "nogroup"`],
  ["uid as quoted digits", `${CMD}uid = "1234"`],
  ["maps as strings", `${CMD}uid = 0\nuid_map = ["0:1000:1", "1:100000:65536"]`],
  ["maps as tables", `${CMD}uid = 5\n[[uid_map]]\ninside = 0\noutside = 1000\ncount = 10`],
  ["mnt alias", `${CMD}unshare = ["mnt", "user"]`],
  ["hostname with uts", `${CMD}unshare = ["uts"]\nhostname = "box"`],
  ["dotted hostname", `${CMD}hostname = "web-1.example.org"`],
  ["64-byte hostname", `${CMD}hostname = "${"h".repeat(31)}.${"h".repeat(32)}"`],
  ["env with = in value", `${CMD}env = ["A=b=c", "EMPTY="]`],
  ["everything", `${CMD}time_limit = 0\nas_pid_1 = true\nexec = false\npass_fd = [3, 4]\ncap = ["chown"]\nlog_level = "debug"\nchdir = "/tmp"\ndomainname = "d"`],
];

/** [name, toml, [path, message, line?][]] */
const BAD: [string, string, [string, string, number?][]][] = [
  ["unknown key with suggestion", `${CMD}hostnme = "x"`, [["hostnme", "unknown key (did you mean 'hostname'?)", 2]]],
  ["kebab-case key", `${CMD}time-limit = 3`, [["time-limit", "unknown key (did you mean 'time_limit'?)", 2]]],
  ["unknown key far from all", `${CMD}zzzzzzzz = 1`, [["zzzzzzzz", "unknown key", 2]]],
  ["unknown table", `${CMD}[mounts]\nsrc = "/"`, [["mounts", "unknown key (did you mean 'mount'?)", 2]]],
  ["string expected", `${CMD}hostname = 5`, [["hostname", "expected a string, got integer", 2]]],
  ["bool expected", `${CMD}exec = "yes"`, [["exec", "expected a boolean (true or false), got 'yes'", 2]]],
  ["int expected", `${CMD}time_limit = "x"`, [["time_limit", "expected a non-negative integer, got 'x'", 2]]],
  ["negative int", `${CMD}time_limit = -1`, [["time_limit", "expected a non-negative integer, got -1", 2]]],
  ["float", `${CMD}time_limit = 1.5`, [["time_limit", "expected a non-negative integer, got float", 2]]],
  ["huge time limit", `${CMD}time_limit = 9999999999`, [["time_limit", "9999999999 is too large (at most 2147483)", 2]]],
  ["array expected", `${CMD}env = "A=1"`, [["env", "expected an array, got 'A=1'", 2]]],
  ["element type", `${CMD}env = ["A=1", 2]`, [["env[1]", "expected a string, got integer", 2]]],
  ["no command", `hostname = "x"`, [["command", "no command: give one in the config or after --"]]],
  ["empty command", `command = []`, [["command", "no command: give one in the config or after --", 1]]],
  ["empty program", `command = [""]`, [["command[0]", "the program name is empty", 1]]],
  ["unknown namespace", `${CMD}unshare = ["nett"]`, [["unshare[0]", "unknown namespace 'nett' (did you mean 'net'?)", 2]]],
  ["unknown namespace, no suggestion", `${CMD}unshare = ["xxxxxxx"]`, [["unshare[0]", "unknown namespace 'xxxxxxx' (expected one of fs, ipc, pid, uts, net, user, cgroup, time, each may start with '-')", 2]]],
  ["unknown namespace to share", `${CMD}share = ["-net"]`, [["share[0]", "unknown namespace '-net' (did you mean 'net'?)", 2]]],
  ["shared user namespace without root", `${CMD}share = ["net", "user"]`, [["share[1]", "a jail started without root always gets a user namespace: user cannot be shared", 2]]],
  ["hostname without uts", `${CMD}unshare = ["net"]\nhostname = "x"\ndomainname = "y"`, [
    ["hostname", 'needs the uts namespace (add "uts" to unshare)', 3],
    ["domainname", 'needs the uts namespace (add "uts" to unshare)', 4],
  ]],
  ["hostname too long", `${CMD}hostname = "${"h".repeat(65)}"`, [["hostname", "must be 1 to 64 bytes long, got 65", 2]]],
  ["hostname empty", `${CMD}hostname = ""`, [["hostname", "must be 1 to 64 bytes long, got 0", 2]]],
  ["hostname NUL", `${CMD}hostname = "a\\u0000b"`, [["hostname", "must not contain a NUL byte", 2]]],
  ["hostname newline", `${CMD}hostname = "a\\nb"`, [["hostname", "may hold only letters, digits, '-' and '.' (RFC 1123), got 'a\nb'", 2]]],
  ["hostname slash", `${CMD}hostname = "a/b"`, [["hostname", "may hold only letters, digits, '-' and '.' (RFC 1123), got 'a/b'", 2]]],
  ["hostname escape", `${CMD}domainname = "\\u001b]0;x"`, [["domainname", "may hold only letters, digits, '-' and '.' (RFC 1123), got '\u001b]0;x'", 2]]],
  ["hostname label", `${CMD}hostname = "a..b"`, [["hostname", "each dot-separated label must be 1 to 63 characters, not starting or ending with '-', got 'a..b'", 2]]],
  ["hostname hyphen", `${CMD}hostname = "-a"`, [["hostname", "each dot-separated label must be 1 to 63 characters, not starting or ending with '-', got '-a'", 2]]],
  ["relative chdir", `${CMD}chdir = "tmp"`, [["chdir", "must be an absolute path, got 'tmp'", 2]]],
  ["bad env entry", `${CMD}env = ["NOEQUALS", "1X=2"]`, [
    ["env[0]", `expected "KEY=VALUE", got 'NOEQUALS'`, 2],
    ["env[1]", "invalid variable name '1X' (letters, digits and _, not starting with a digit)", 2],
  ]],
  ["bad keep_env name", `${CMD}keep_env = ["A-B"]`, [["keep_env[0]", "invalid variable name 'A-B' (letters, digits and _, not starting with a digit)", 2]]],
  ["low pass_fd", `${CMD}pass_fd = [2]`, [["pass_fd[0]", "expected an integer ≥ 3, got 2", 2]]],
  ["bad log level", `${CMD}log_level = "warning"`, [["log_level", "expected one of debug, info, warn, error, got 'warning' (did you mean 'warn'?)", 2]]],
  ["unknown user", `${CMD}uid = "bob"`, [["uid", "no user named 'bob' on this host", 2]]],
  ["unknown group", `${CMD}gid = "wheel"`, [["gid", "no group named 'wheel' on this host", 2]]],
  ["uid -1", `${CMD}uid = 4294967295`, [["uid", "4294967295 is too large (at most 4294967294)", 2]]],
  ["malformed map", `${CMD}uid_map = ["0:1000"]`, [["uid_map[0]", `expected "IN:OUT:COUNT" (three non-negative integers), got '0:1000'`, 2]]],
  ["zero count", `${CMD}uid = 0\nuid_map = ["0:1000:0"]`, [["uid_map[0]", "expected an integer ≥ 1, got 0", 3]]],
  ["map wraps", `${CMD}uid = 0\nuid_map = ["0:4294967290:10"]`, [["uid_map[0]", "range 0:4294967290:10 runs past the largest id 4294967294", 3]]],
  ["map table typo", `${CMD}uid = 0\n[[uid_map]]\ninside = 0\noutsde = 1000\ncount = 1`, [
    ["uid_map[0].outside", "missing", 3],
    ["uid_map[0].outsde", "unknown key (did you mean 'outside'?)", 5],
  ]],
  ["map table bad field", `${CMD}uid = 0\n[[uid_map]]\ninside = 0\noutside = 1000\ncount = 1\n[[uid_map]]\ninside = 1\noutside = "x"\ncount = 1`, [
    ["uid_map[1].outside", "expected a non-negative integer, got 'x'", 9],
  ]],
  ["overlapping inside", `${CMD}uid = 0\nuid_map = [\n  "0:1000:10",\n  "5:2000:10",\n]`, [
    ["uid_map[1]", "inside range 5-14 overlaps uid_map[0] (0-9)", 5],
  ]],
  ["overlapping outside", `${CMD}gid = 0\ngid_map = ["0:1000:10", "100:1009:1"]`, [
    ["gid_map[1]", "outside range 1009-1009 overlaps gid_map[0] (1000-1009)", 3],
  ]],
  ["map does not cover uid", `${CMD}uid = 7\nuid_map = ["0:1000:1"]`, [["uid_map", "does not map uid 7, the uid the command runs as", 3]]],
  ["unknown capability", `${CMD}cap = ["net_bind_servce"]`, [["cap[0]", "unknown capability 'net_bind_servce' (did you mean 'CAP_NET_BIND_SERVICE'?)", 2]]],
  ["datetime", `${CMD}chdir = 1979-05-27T07:32:00Z`, [["chdir", "expected a string, got datetime", 2]]],
];

describe("validateConfig accepts", () => {
  test.each(GOOD)("%s", (_name, toml) => {
    expect(configOf(toml).command).toEqual(["/bin/true"]);
  });
});

describe("validateConfig rejects", () => {
  test.each(BAD)("%s", (_name, toml, expected) => {
    const want = expected.map(([path, message, line]) => (line === undefined ? { path, message } : { path, message, line }));
    expect(issuesOf(toml)).toEqual(want);
  });
});

test("reports every problem at once", () => {
  const issues = issuesOf('hostnme = "x"\ntime_limit = "soon"\nuid_map = ["a"]\ncap = ["bogus"]');
  // In line order; the missing command has no line and comes first.
  expect(issues.map((i) => i.path)).toEqual(["command", "hostnme", "time_limit", "uid_map[0]", "cap[0]"]);
});

test("a broken key does not cascade into rule issues", () => {
  // uid is invalid, so mapsCoverIds (which reads uid) stays quiet.
  expect(issuesOf(`${CMD}uid = "bob"\nuid_map = ["0:1000:1"]`).map((i) => i.path)).toEqual(["uid"]);
});

test("capability above the kernel's cap_last_cap", async () => {
  const { fakeHost } = await import("./fake-host.ts");
  expect(issuesOf(`${CMD}cap = ["CAP_BPF"]`, fakeHost({ capLastCap: 38 }))).toEqual([
    { path: "cap[0]", message: "CAP_BPF (39) is not known to this kernel (cap_last_cap is 38)", line: 2 },
  ]);
});

test("maps need the user namespace (only a root caller can leave it out)", () => {
  expect(issuesOf(`${CMD}unshare = ["net"]\ngid_map = ["0:0:1"]`, rootHost)).toEqual([
    { path: "gid_map", message: 'needs the user namespace (add "user" to unshare)', line: 3 },
  ]);
});

test("the output is frozen", () => {
  const c = configOf(`${CMD}env = ["A=1"]`);
  expect(Object.isFrozen(c)).toBe(true);
  expect(Object.isFrozen(c.env)).toBe(true);
  expect(Object.isFrozen(c.env[0])).toBe(true);
  expect(Object.isFrozen(c.uidMap[0])).toBe(true);
  expect(() => (c.unshare as Set<string>).add("time")).toThrow();
  expect(() => (c.command as string[]).push("x")).toThrow();
});

describe("hostile input: bounded issues", () => {
  test("overlaps are found by one sweep, once per entry and side, on the later entry", () => {
    const issues = issuesOf(`${CMD}uid = 0\nuid_map = ["10:1000:10", "0:2000:100", "50:3000:1", "200:1005:1"]`);
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      "uid_map[1]: inside range 0-99 overlaps uid_map[0] (10-19)",
      "uid_map[2]: inside range 50-50 overlaps uid_map[1] (0-99)",
      "uid_map[3]: outside range 1005-1005 overlaps uid_map[0] (1000-1009)",
    ]);
  });

  test("100,000 identical map lines give a short list and a count of the rest", () => {
    const lines = Array.from({ length: 100_000 }, () => "0:1000:1");
    const r = check(`${CMD}uid = 0\ngid = 0\nuid_map = ${JSON.stringify(lines)}\ngid_map = ${JSON.stringify(lines)}`);
    if ("config" in r) throw new Error("expected issues");
    expect(r.issues.length).toBe(20);
    expect(r.issues[0]).toEqual({ path: "uid_map[1]", message: "inside range 0-0 overlaps uid_map[0] (0-0)", line: 4 });
    expect(r.omitted).toBe(4 * 99_999 + 2 - 20);
  });

  test("the rendered error ends with the count", () => {
    const e = configErrorOf(() => resolveConfig({ file: null, cli: { env: Array.from({ length: 25 }, () => "bad") }, command: ["/bin/true"] }, userHost));
    const lines = e.message.split("\n");
    expect(lines).toHaveLength(21);
    expect(lines[20]).toBe("… and 5 more problems");
  });
});

test("did-you-mean looks only at short words: a megabyte name gets a plain issue", () => {
  const long = "net_bind_service".repeat(65_536);
  const issue = issuesOf(`${CMD}cap = ["${long}"]\n"${long}" = 1`).find((i) => i.line === 3);
  expect(issue).toEqual({ path: long, message: "unknown key", line: 3 });
  expect(issuesOf(`${CMD}cap = ["${long}"]`)[0]?.message).toStartWith("unknown capability 'net_bind_servicenet_bind_servicenet_b...'");
  expect(issuesOf(`${CMD}cap = ["${long}"]`)[0]?.message).not.toContain("did you mean");
});

describe("what execve in the jail can take", () => {
  // The defaults give 4 variables (PATH, HOME, TERM, LANG) for the fake host.
  const argv = (n: number) => `command = ${JSON.stringify(Array.from({ length: n }, (_, i) => String(i)))}`;
  test("argv and env strings up to the trampoline's limit pass, one more is a usage issue", () => {
    expect(configOf(argv(4092)).command).toHaveLength(4092);
    expect(issuesOf(argv(4093))).toEqual([
      { path: "command", message: "4093 arguments and 4 environment variables: at most 4096 together reach the command", line: 1 },
    ]);
    const env = JSON.stringify(Array.from({ length: 5000 }, (_, i) => `V${i}=1`));
    expect(issuesOf(`${CMD}env = ${env}`)[0]?.path).toBe("env");
  });
  test("a string execve would refuse as too long", () => {
    expect(issuesOf(`command = ["/bin/echo", "${"x".repeat(131_072)}"]`)).toEqual([
      { path: "command[1]", message: "131072 bytes is too long for execve (at most 131071)", line: 1 },
    ]);
  });
});

test("exec refuses maps only newuidmap could write, before anything runs", () => {
  const message = "with exec only one id of count 1 (your own) can be mapped: newuidmap needs nsjail to stay";
  expect(issuesOf(`${CMD}exec = true\nuid = 0\nuid_map = ["0:100000:65536"]`)).toEqual([{ path: "uid_map", message, line: 4 }]);
  expect(issuesOf(`${CMD}exec = true\nuid = 0\nuid_map = ["0:1000:1", "1:100000:5"]`)).toEqual([{ path: "uid_map", message, line: 4 }]);
  // Unprivileged, a single id must be the caller's own; root may pick any single id.
  expect(issuesOf(`${CMD}exec = true\nuid = 0\nuid_map = ["0:12345:1"]`)).toEqual([{ path: "uid_map", message, line: 4 }]);
  expect(configOf(`${CMD}exec = true\nuid = 0\nuid_map = ["0:12345:1"]`, rootHost).uidMap).toEqual([{ inside: 0, outside: 12345, count: 1 }]);
});
