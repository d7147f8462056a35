// Host facts for real: names resolve through the C library's name service (getpwnam_r and
// getgrnam_r via bun:ffi), so whatever /etc/nsswitch.conf lists answers.
import { expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { readHostFacts } from "../../src/config/host.ts";

/** What getent(1), which asks the same name service, says: the id, or null. */
function getent(db: "passwd" | "group", name: string): number | null {
  try {
    return Number(execFileSync("getent", [db, name], { encoding: "utf8" }).split(":")[2]);
  } catch {
    return null;
  }
}

test("readHostFacts reads the real host", () => {
  const h = readHostFacts();
  expect(h.uid).toBe(process.getuid!());
  expect(h.capLastCap).toBeGreaterThanOrEqual(30);
});

test("user and group names resolve as getent resolves them", () => {
  const h = readHostFacts();
  for (const name of ["root", "nobody", "daemon", "no-such-user-here"]) expect(h.lookupUser(name)).toBe(getent("passwd", name));
  for (const name of ["root", "nogroup", "users", "no-such-group-here"]) expect(h.lookupGroup(name)).toBe(getent("group", name));
});
