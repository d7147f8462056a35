// nsjail refuses to run with privileges it was not started with by its caller: a setuid or
// setgid copy, or one with file capabilities, run by uid 65534 says so in one line and starts
// no jail (Bun would already have acted on BUN_OPTIONS; see docs/security.md).
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { host, requireHost } from "../support/host.ts";
import { BIN, dropTo } from "../support/jail.ts";

const hasSetcap = Bun.which("setcap") !== null;
requireHost(host.binary && host.root, "root and a built ./nsjail, to make a setuid copy");
requireHost(hasSetcap, "setcap (package libcap2-bin), to give a copy file capabilities");

const dir = mkdtempSync(join(tmpdir(), "nsjail-suid-"));
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A root-owned copy of nsjail with `mode`, run by uid 65534 with `args`. */
function runCopy(name: string, mode: number, args: string[], prepare: (path: string) => void = () => {}) {
  const path = join(dir, name);
  copyFileSync(BIN, path);
  chmodSync(path, mode);
  prepare(path);
  const r = Bun.spawnSync([...dropTo("nobody"), path, ...args, "--", "/bin/echo", "ran"], { env: { PATH: "/usr/bin:/bin" } });
  return { code: r.exitCode, stderr: r.stderr.toString(), ran: r.stdout.toString() === "ran\n" };
}

describe.skipIf(!(host.binary && host.root && host.rootless))("setuid, setgid and file capabilities", () => {
  test.each([
    ["setuid", 0o4755, "refusing to run setuid or setgid (uid 65534, euid 0, gid 65534, egid 65534)"],
    ["setgid", 0o2755, "refusing to run setuid or setgid (uid 65534, euid 65534, gid 65534, egid 0)"],
  ])("a %s copy refuses in one line and starts no jail", (name, mode, words) => {
    for (const verb of [["run"], ["run", "--uid-map", "0:0:1", "--uid", "0"]]) {
      const r = runCopy(`${name}-nsjail`, mode, verb);
      expect(r.code).toBe(255);
      expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
      expect(r.stderr).toStartWith(`nsjail: ${words}: Bun reads BUN_OPTIONS and BUN_BE_BUN`);
      expect(r.ran).toBe(false);
    }
  });

  test.skipIf(!hasSetcap)("a copy with file capabilities refuses (AT_SECURE)", () => {
    const r = runCopy("caps-nsjail", 0o755, ["run"], (path) => expect(Bun.spawnSync(["setcap", "cap_net_raw+ep", path]).exitCode).toBe(0));
    expect(r.code).toBe(255);
    expect(r.stderr).toStartWith("nsjail: refusing to run with raised privileges (AT_SECURE: file capabilities or a security module)");
    expect(r.ran).toBe(false);
  });

  test("the same binary without the bits runs for uid 65534", () => {
    const r = runCopy("plain-nsjail", 0o755, ["run", "-q"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.ran).toBe(true);
  });
});
