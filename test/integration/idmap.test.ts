// Id ranges beyond the caller's own id go through newuidmap/newgidmap. The test grants uid
// 65534 a subordinate range for its duration and puts /etc/subuid and /etc/subgid back after.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { host, requireHost } from "../support/host.ts";
import { removeNobodyCopy, sh } from "../support/jail.ts";

const hasHelpers = existsSync("/usr/bin/newuidmap") && existsSync("/usr/bin/newgidmap");
requireHost(host.binary && host.rootless && hasHelpers, "newuidmap/newgidmap (package uidmap) and unprivileged user namespaces");

const FILES = ["/etc/subuid", "/etc/subgid"];
const saved = new Map<string, string | null>();

describe.skipIf(!(host.binary && host.rootless && hasHelpers))("id ranges through newuidmap", () => {
  beforeAll(() => {
    for (const f of FILES) {
      saved.set(f, existsSync(f) ? readFileSync(f, "utf8") : null);
      writeFileSync(f, `${saved.get(f) ?? ""}nobody:300000:1000\nnogroup:300000:1000\n`);
    }
  });
  afterAll(() => {
    for (const [f, text] of saved) text === null ? rmSync(f, { force: true }) : writeFileSync(f, text);
    removeNobodyCopy();
  });

  test("a rootless jail gets a root inside plus a thousand subordinate ids", () => {
    const maps = ["--uid-map", "0:65534:1", "--uid-map", "1:300000:1000", "--gid-map", "0:65534:1", "--gid-map", "1:300000:1000"];
    const r = sh("nobody", "cat /proc/self/uid_map /proc/self/gid_map; id -u", [...maps, "--uid", "0", "--gid", "0"]);
    expect(r.stderr).toBe("");
    const lines = r.stdout.trim().split("\n").map((l) => l.trim().split(/\s+/).join(" "));
    expect(lines).toEqual(["0 65534 1", "1 300000 1000", "0 65534 1", "1 300000 1000", "0"]);
  });

  test("with a range from newgidmap, setgroups is allowed: the configured groups are set", () => {
    const maps = ["--uid-map", "0:65534:1", "--uid-map", "1:300000:1000", "--gid-map", "0:65534:1", "--gid-map", "1:300000:1000"];
    const r = sh("nobody", "grep -E '^Groups' /proc/self/status; cat /proc/self/setgroups", [...maps, "--uid", "0", "--gid", "0", "--groups", "27", "--groups", "100"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("Groups:\t0 27 100 \nallow\n");
    // Without groups, only the gid: nothing of the caller's is left over.
    expect(sh("nobody", "grep -E '^Groups' /proc/self/status", [...maps, "--uid", "0", "--gid", "0"]).stdout).toBe("Groups:\t0 \n");
  });

  test("a range the caller was not granted fails in the helper with its own words", () => {
    const r = sh("nobody", "true", ["--uid-map", "0:65534:1", "--uid-map", "1:500000:10", "--uid", "0"]);
    expect(r.code).toBe(255);
    expect(r.stderr).toStartWith("nsjail: newuidmap ");
    expect(r.stderr).toContain("/etc/subuid");
  });
});
