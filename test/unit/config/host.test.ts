// Stage 1 (config): the host facts bag — name lookups through the name service, with
// /etc/passwd and /etc/group as the fallback, and /proc read on a best-effort basis.
import { expect, test } from "bun:test";
import { readHostFacts, type NameService } from "../../../src/config/host.ts";

const FILES: Record<string, string> = {
  "/etc/passwd": [
    "# comment",
    "root:x:0:0:root:/root:/bin/bash",
    "",
    "alice:x:1000:1000:Alice,,,:/home/alice:/bin/zsh",
    "+nisuser::::::",
    "broken:x:notanumber:0::/:",
    "alice:x:2000:2000::/:",
    "short",
  ].join("\n"),
  "/etc/group": "root:x:0:\nusers:x:100:alice,bob\nnogroup:x:65534:\n",
  "/proc/sys/kernel/cap_last_cap": "38\n",
};

const reads: string[] = [];
function fakeRead(path: string): Uint8Array {
  reads.push(path);
  const text = FILES[path];
  if (text === undefined) throw Object.assign(new Error(path), { code: "ENOENT" });
  return new TextEncoder().encode(text);
}

const NO_SERVICE: NameService = { user: () => undefined, group: () => undefined };

test("without a name service, /etc/passwd and /etc/group answer: first entry wins, odd lines skipped", () => {
  const h = readHostFacts(fakeRead, NO_SERVICE);
  expect([h.lookupUser("root"), h.lookupUser("alice"), h.lookupUser("+nisuser"), h.lookupUser("broken")]).toEqual([0, 1000, null, null]);
  expect([h.lookupGroup("users"), h.lookupGroup("nogroup"), h.lookupGroup("wheel")]).toEqual([100, 65534, null]);
  expect(h.capLastCap).toBe(38);
});

test("the name service answers first; the files are read only when it cannot", () => {
  reads.length = 0;
  const service: NameService = { user: (n) => (n === "ldapuser" ? 5000 : null), group: () => null };
  const h = readHostFacts(fakeRead, service);
  expect(h.lookupUser("ldapuser")).toBe(5000);
  expect(h.lookupUser("alice")).toBeNull(); // the service said no: the file is not consulted
  expect(reads).not.toContain("/etc/passwd");
});

test("no file is read until a name is looked up", () => {
  reads.length = 0;
  readHostFacts(fakeRead, NO_SERVICE);
  expect(reads).toEqual(["/proc/sys/kernel/cap_last_cap"]);
});

test("unreadable files mean no names, and without /proc the newest capability table is assumed", () => {
  const nothing = (path: string): Uint8Array => {
    throw Object.assign(new Error(path), { code: "ENOENT" });
  };
  const h = readHostFacts(nothing, NO_SERVICE);
  expect(h.lookupUser("root")).toBeNull();
  expect(h.capLastCap).toBe(40);
});
