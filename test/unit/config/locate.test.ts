// Stage 1 (config): key path → line in the TOML text, from one index of the whole file.
import { expect, test } from "bun:test";
import { indexKeys, lineOf } from "../../../src/config/locate.ts";

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

const INDEX = indexKeys(TEXT);

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
  expect(lineOf(INDEX, path)).toBe(line);
});

test("absent keys and odd paths give undefined", () => {
  expect(lineOf(INDEX, "domainname")).toBeUndefined();
  expect(lineOf(INDEX, "gid_map[5]")).toBeUndefined();
  expect(lineOf(INDEX, "--uid")).toBeUndefined();
});

test("a key under a table header is not taken for a top-level key", () => {
  expect(lineOf(indexKeys("[extra]\nuid = 1\n"), "uid")).toBeUndefined();
});

test("dotted keys, dotted headers, quoted and non-ASCII keys all have lines", () => {
  const text = [
    'command = ["true"]',
    "a.b = 1",
    '"ключ" = 2',
    "'x.y' = 3",
    '"(" = 4',
    "  site . 'quoted.part' . c = 5",
    "[tbl.sub]",
    "k = 6",
    "[[arr.of]]",
    "z = [",
    "  1,",
    "  2,",
    "]",
  ].join("\n");
  const index = indexKeys(text);
  expect(["a", "ключ", "x.y", "(", "site", "tbl", "tbl.k", "arr", "arr[0].z[1]"].map((p) => lineOf(index, p))).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 12]);
});

test("a key of a megabyte is found by name, never turned into a pattern", () => {
  const key = "[(".repeat(500_000);
  expect(lineOf(indexKeys(`x = 1\n"${key}" = 2\n`), key)).toBe(2);
  expect(lineOf(indexKeys(`[[uid_map]]\n"${key}" = 2\n`), `uid_map[0].${key}`)).toBe(2);
});
