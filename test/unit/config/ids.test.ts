// Stage 1 (config): /etc/passwd and /etc/group parsing.
import { expect, test } from "bun:test";
import { idLookup, lookupUser, parseGroup, parsePasswd } from "../../../src/config/ids.ts";

test("parsePasswd", () => {
  const text = [
    "# comment",
    "root:x:0:0:root:/root:/bin/bash",
    "",
    "alice:x:1000:1000:Alice,,,:/home/alice:/bin/zsh",
    "+nisuser::::::",
    "broken:x:notanumber:0::/:",
    "alice:x:2000:2000::/:",
    "short",
  ].join("\n");
  expect([...parsePasswd(text)]).toEqual([
    ["root", 0],
    ["alice", 1000],
  ]);
});

test("parseGroup", () => {
  expect([...parseGroup("root:x:0:\nusers:x:100:alice,bob\nnogroup:x:65534:\n")]).toEqual([
    ["root", 0],
    ["users", 100],
    ["nogroup", 65534],
  ]);
});

test("an unreadable file means no names", () => {
  expect(idLookup("/nonexistent/passwd")("root")).toBeNull();
});

test("the real /etc/passwd has root", () => {
  expect(lookupUser("root")).toBe(0);
  expect(lookupUser("no-such-user-here")).toBeNull();
});
