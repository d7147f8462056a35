// Error rendering: "what (on what) [where]: ERRNO (text) — hint", printed once with its causes.
import { expect, test } from "bun:test";
import { ConfigError, renderError, SetupError, SyscallError } from "../../src/errors.ts";
import { errnoName, errnoText, hintFor } from "../../src/errno.ts";

test("errno numbers render as name and text, unknown ones stay readable", () => {
  expect([errnoName(1), errnoText(1)]).toEqual(["EPERM", "Operation not permitted"]);
  expect([errnoName(2), errnoText(2)]).toEqual(["ENOENT", "No such file or directory"]);
  expect([errnoName(999), errnoText(999)]).toEqual(["E999", "Unknown error 999"]);
});

test("a child-side failure names the op, its config key and the errno, with a hint", () => {
  expect(new SetupError("sethostname", "sethostname box", "hostname", 1).message).toBe(
    "sethostname box [hostname]: EPERM (Operation not permitted) — a hostname needs a new uts namespace",
  );
  expect(new SetupError("chdir", "chdir /x", "chdir", 2).message).toBe("chdir /x [chdir]: ENOENT (No such file or directory)");
  expect(hintFor("chdir", 2)).toBeUndefined();
});

test("a parent-side failure names the call and its target", () => {
  expect(new SyscallError("write", 1, "/proc/42/uid_map").message).toBe(
    "write /proc/42/uid_map: EPERM (Operation not permitted) — mapping ids other than your own needs root or newuidmap/newgidmap (package uidmap)",
  );
});

test("config issues carry file:line when known, and all come out at once", () => {
  expect(new ConfigError("j.toml", [{ path: "hostnme", message: "unknown key", line: 3 }]).message).toBe("j.toml:3: hostnme: unknown key");
  const err = new ConfigError("j.toml", [
    { path: "a", message: "x", line: 1 },
    { path: "b", message: "y" },
  ]);
  expect(err.exitCode).toBe(2);
  expect(err.message).toBe("j.toml:1: a: x\nj.toml: b: y");
});

test("causes are rendered once, in order", () => {
  const err = new Error("launch failed", { cause: new SyscallError("pipe2", 24) });
  expect(renderError(err)).toBe("launch failed\n  caused by: pipe2: EMFILE (Too many open files) — the open-file limit (ulimit -n) is too low");
});

test("nothing a user wrote reaches the terminal as a control sequence", () => {
  const title = "\x1b]0;PWNED\x07";
  expect(renderError(new SetupError("chdir", `chdir /tmp/${title}`, "chdir", 2))).toBe(
    "chdir /tmp/\\x1b]0;PWNED\\x07 [chdir]: ENOENT (No such file or directory)",
  );
  const issue = new ConfigError("a\nb.toml", [{ path: `k${title}`, message: "bad\rvalue \u009b2J \u202e", line: 1 }]);
  expect(renderError(issue)).toBe("a\\x0ab.toml:1: k\\x1b]0;PWNED\\x07: bad\\x0dvalue \\x9b2J \\u202e");
});

test("invalid UTF-8 bytes show as the bytes they are; real characters stay", () => {
  expect(renderError(new Error("chdir /tmp/d\udcfe: ENOENT — é 😀"))).toBe("chdir /tmp/d\\xfe: ENOENT — é 😀");
});

test("long keys and lines are cut in the middle, keeping what failed and why", () => {
  const key = "k".repeat(1_000_000);
  const text = renderError(new ConfigError("t.toml", [{ path: key, message: "unknown key", line: 2 }]));
  expect(text.length).toBeLessThan(120);
  expect(text).toStartWith("t.toml:2: kkk");
  expect(text).toEndWith("kkk: unknown key");
  const line = renderError(new SetupError("chdir", `chdir /${"d".repeat(10_000)}`, "chdir", 2));
  expect(line.length).toBe(400);
  expect(line).toStartWith("chdir /ddd");
  expect(line).toEndWith("[chdir]: ENOENT (No such file or directory)");
});
