// Root's jail is never host root on files by surprise: a chosen uid is a real drop, the default
// jail is host nobody, and host root happens only when a map asks for it, with one warning.
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { host, requireHost } from "../support/host.ts";
import { nsjail, sh } from "../support/jail.ts";

requireHost(host.binary && host.root, "root and a built ./nsjail");

const dir = mkdtempSync(join(tmpdir(), "nsjail-identity-"));
chmodSync(dir, 0o1777); // like /tmp: anyone may create files, nobody may replace another's
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!(host.binary && host.root))("identity as root", () => {
  for (const flags of [[], ["--exec"]]) {
    test(`--uid 1000 cannot leave a setuid-root shell on the host ${flags.join(" ")}`, () => {
      const target = join(dir, `x${flags.length}`);
      const r = sh("root", `cp /bin/dash ${target}; chmod 4755 ${target}`, ["--uid", "1000", "--gid", "1000", ...flags]);
      expect(r.stderr).toBe("");
      const st = statSync(target);
      expect([st.uid, st.gid]).toEqual([1000, 1000]);
    });

    test(`without --uid the jail cannot write a root-owned host file ${flags.join(" ")}`, () => {
      const target = join(dir, `owned-by-root${flags.length}`);
      writeFileSync(target, "original\n", { mode: 0o644 });
      const r = sh("root", `echo pwned >> ${target} && echo wrote; id -u; cat /proc/self/uid_map`, flags);
      expect(r.stdout.split("\n").slice(0, 2)).toEqual(["0", "         0      65534          1"]);
      expect(r.stderr).toContain("Permission denied");
      expect(readFileSync(target, "utf8")).toBe("original\n");
    });
  }

  test("the jail keeps none of root's supplementary groups", () => {
    for (const flags of [[], ["--exec"]]) {
      // A host group the map does not cover would show as the overflow gid 65534.
      const groups = sh("root", "grep ^Groups: /proc/self/status", ["--uid", "1000", "--gid", "1000", ...flags]).stdout;
      expect(groups.replace("Groups:", "").trim().split(/\s+/).filter(Boolean).every((g) => g === "1000")).toBe(true);
    }
  });

  test("an explicit map to host root works and says so in one line", () => {
    const r = nsjail("root", ["run", "--uid-map", "0:0:1", "--gid-map", "0:0:1", "--", "/bin/sh", "-c", "cat /proc/self/uid_map"]);
    expect(r.stdout.trim().split(/\s+/)).toEqual(["0", "0", "1"]);
    expect(r.stderr).toBe("nsjail: warn: the jail holds host root on files (uid_map sends uid 0 to host uid 0)\n");
  });

  test("the default jail gives no warning", () => {
    expect(sh("root", "true").stderr).toBe("");
  });
});
