// Stage 1 (config): key path → line in the TOML text.
import { expect, test } from "bun:test";
import { locateKey, parsePath } from "../../../src/config/locate.ts";

const TEXT = `# comment
command = ["/bin/sh", "-c", "echo [a, b]"]  # commas in strings do not count
uid = 0
uid_map = [
  "0:1000:1",   # first
  # a comment line with , commas
  '1:100000:65536',
]
"hostname" = "q"

[[gid_map]]
inside = 0
outside = 1000
count = 1

[[gid_map]]
inside = 1
count = 5

[extra]
key = 1
`;

test.each([
  ["command", 2],
  ["command[2]", 2],
  ["uid", 3],
  ["uid_map", 4],
  ["uid_map[0]", 5],
  ["uid_map[1]", 7],
  ["uid_map[9]", 4],
  ["hostname", 9],
  ["gid_map", 11],
  ["gid_map[1]", 16],
  ["gid_map[0].outside", 13],
  ["gid_map[1].count", 18],
  ["gid_map[1].outside", 16],
  ["extra", 20],
  ["extra.key", 21],
] as [string, number][])("%s is on line %d", (path, line) => {
  expect(locateKey(TEXT, path)).toBe(line);
});

test("absent keys and odd paths give undefined", () => {
  expect(locateKey(TEXT, "domainname")).toBeUndefined();
  expect(locateKey(TEXT, "gid_map[5]")).toBeUndefined();
  expect(locateKey(TEXT, "--uid")).toBeUndefined();
});

test("a key under a table header is not taken for a top-level key", () => {
  expect(locateKey("[extra]\nuid = 1\n", "uid")).toBeUndefined();
});

test("parsePath", () => {
  expect(parsePath("uid_map[1].inside")).toEqual(["uid_map", 1, "inside"]);
  expect(parsePath("bad path")).toBeNull();
});
