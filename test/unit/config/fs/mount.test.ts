// Stage 1 (config): [[mount]] tables → MountSpec, and the issues of bad ones, with key paths.
import { describe, expect, test } from "bun:test";
import type { MountSpec } from "../../../../src/config/fs/model.ts";
import { fsOf, issuePairs } from "./check-fs.ts";

const RO = { rw: false, nosuid: true, nodev: true, noexec: false };
const TMP = { rw: true, nosuid: true, nodev: true, noexec: false };
const at = { optional: false, create: false };

const GOOD: [string, string, MountSpec][] = [
  ["bind, read-only and recursive by default", `type = "bind"\nsrc = "/usr"\ndst = "/usr"`,
    { kind: "bind", dst: "/usr", src: "/usr", recursive: true, flags: RO, ...at }],
  ["bind with every flag", `type = "bind"\nsrc = "/srv/x"\ndst = "//data/./x/"\nrw = true\nnosuid = false\nnodev = false\nnoexec = true\nrecursive = false\noptional = true\ncreate = true`,
    { kind: "bind", dst: "/data/x", src: "/srv/x", recursive: false, flags: { rw: true, nosuid: false, nodev: false, noexec: true }, optional: true, create: true }],
  ["tmpfs with size and mode", `type = "tmpfs"\ndst = "/tmp"\nsize = "64m"\nmode = 0o1777\noptions = "nr_inodes=1k"`,
    { kind: "tmpfs", dst: "/tmp", size: "64m", mode: 0o1777, options: "nr_inodes=1k", flags: TMP, ...at }],
  ["tmpfs size in bytes, mode as string", `type = "tmpfs"\ndst = "/run"\nsize = 65536\nmode = "0755"`,
    { kind: "tmpfs", dst: "/run", size: "65536", mode: 0o755, options: "", flags: TMP, ...at }],
  ["proc is read-only and noexec", `type = "proc"\ndst = "/proc"\noptions = "hidepid=2"`,
    { kind: "proc", dst: "/proc", options: "hidepid=2", flags: { rw: false, nosuid: true, nodev: true, noexec: true }, ...at }],
  ["dev keeps device nodes", `type = "dev"\ndst = "/dev"`,
    { kind: "dev", dst: "/dev", flags: { rw: false, nosuid: true, nodev: false, noexec: true }, ...at }],
  ["mqueue", `type = "mqueue"\ndst = "/dev/mqueue"`,
    { kind: "mqueue", dst: "/dev/mqueue", options: "", flags: { rw: true, nosuid: true, nodev: true, noexec: true }, ...at }],
  ["overlay with a throwaway upper", `type = "overlay"\nlower = ["/srv/a", "/srv/b"]\ndst = "/app"`,
    { kind: "overlay", dst: "/app", lower: ["/srv/a", "/srv/b"], upper: null, work: null, options: "", flags: TMP, ...at }],
  ["overlay with upper and work", `type = "overlay"\nlower = ["/l"]\nupper = "/u"\nwork = "/w"\ndst = "/app"`,
    { kind: "overlay", dst: "/app", lower: ["/l"], upper: "/u", work: "/w", options: "", flags: TMP, ...at }],
  ["generic fs: sysfs, its source defaults to its type", `type = "fs"\nfstype = "sysfs"\ndst = "/sys"`,
    { kind: "fs", dst: "/sys", fstype: "sysfs", src: "sysfs", options: "", flags: { rw: false, nosuid: true, nodev: true, noexec: true }, ...at }],
  ["symlink", `type = "symlink"\ntarget = "usr/bin"\ndst = "/bin"`, { kind: "symlink", dst: "/bin", target: "usr/bin", optional: false }],
  ["dir with default mode", `type = "dir"\ndst = "/var/run"`, { kind: "dir", dst: "/var/run", mode: 0o755, optional: false }],
  ["file with inline content", `type = "file"\ndst = "/etc/motd"\ncontent = "hi\\n"`,
    { kind: "file", dst: "/etc/motd", content: { text: "hi\n" }, mode: 0o644, flags: RO, ...at }],
  ["file from an fd", `type = "file"\ndst = "/etc/x"\nfd = 0\nmode = "0600"`,
    { kind: "file", dst: "/etc/x", content: { fd: 0 }, mode: 0o600, flags: RO, ...at }],
];

describe("[[mount]] reads", () => {
  test.each(GOOD)("%s", (_name, body, spec) => {
    expect(fsOf(`[[mount]]\n${body}`).mounts).toEqual([spec]);
  });

  test("several mounts keep their order", () => {
    const fs = fsOf(`[[mount]]\ntype = "tmpfs"\ndst = "/tmp"\n[[mount]]\ntype = "bind"\nsrc = "/a"\ndst = "/tmp/a"`);
    expect(fs.mounts.map((m) => m.dst)).toEqual(["/tmp", "/tmp/a"]);
  });
});

const BAD: [string, string, [string, string][]][] = [
  ["not a table", `mount = ["/usr"]`, [["mount[0]", "expected a table, got '/usr'"]]],
  ["no type", `[[mount]]\ndst = "/x"`, [["mount[0].type", "missing: one of bind, tmpfs, proc, dev, mqueue, overlay, fs, symlink, dir, file"]]],
  ["unknown type", `[[mount]]\ntype = "tmfps"\ndst = "/x"`, [["mount[0].type", "unknown mount type 'tmfps' (did you mean 'tmpfs'?)"]]],
  ["no dst", `[[mount]]\ntype = "proc"`, [["mount[0].dst", "missing"]]],
  ["relative dst", `[[mount]]\ntype = "proc"\ndst = "proc"`, [["mount[0].dst", "must be an absolute path, got 'proc'"]]],
  ["dst climbing out", `[[mount]]\ntype = "tmpfs"\ndst = "/tmp/../../etc"`, [["mount[0].dst", "must not contain '..', got '/tmp/../../etc'"]]],
  ["dst is the root", `[[mount]]\ntype = "tmpfs"\ndst = "/."`, [["mount[0].dst", "cannot be '/': the root is the rootfs key (or an empty tmpfs without one)"]]],
  ["NUL in dst", `[[mount]]\ntype = "tmpfs"\ndst = "/a\\u0000b"`, [["mount[0].dst", "must not contain a NUL byte"]]],
  ["relative bind source", `[[mount]]\ntype = "bind"\nsrc = "usr"\ndst = "/usr"`, [["mount[0].src", "must be an absolute path, got 'usr'"]]],
  ["bind without source", `[[mount]]\ntype = "bind"\ndst = "/usr"`, [["mount[0].src", "missing"]]],
  ["key typo", `[[mount]]\ntype = "bind"\nsrc = "/a"\ndst = "/a"\nrecursve = true`, [["mount[0].recursve", "unknown key (did you mean 'recursive'?)"]]],
  ["key of another kind", `[[mount]]\ntype = "proc"\ndst = "/proc"\nsize = "1m"`, [["mount[0].size", 'not used by type = "proc" (only by tmpfs)']]],
  ["nsjail's mandatory", `[[mount]]\ntype = "bind"\nsrc = "/a"\ndst = "/a"\nmandatory = false`, [["mount[0].mandatory", "unknown key: write optional = true for mandatory = false"]]],
  ["nsjail's is_bind", `[[mount]]\nsrc = "/a"\ndst = "/a"\nis_bind = true`, [["mount[0].type", 'missing: a bind is type = "bind"']]],
  ["flag not a boolean", `[[mount]]\ntype = "bind"\nsrc = "/a"\ndst = "/a"\nrw = "yes"`, [["mount[0].rw", "expected a boolean (true or false), got 'yes'"]]],
  ["bad tmpfs size", `[[mount]]\ntype = "tmpfs"\ndst = "/t"\nsize = "64 MB"`, [["mount[0].size", `expected bytes such as 65536, "64m" or "10%", got '64 MB'`]]],
  ["bad mode", `[[mount]]\ntype = "tmpfs"\ndst = "/t"\nmode = "rwx"`, [["mount[0].mode", `expected an octal mode such as "0755", got 'rwx'`]]],
  ["mode too large", `[[mount]]\ntype = "dir"\ndst = "/t"\nmode = 0o17777`, [["mount[0].mode", "8191 is too large (at most 4095)"]]],
  ["overlay without lower", `[[mount]]\ntype = "overlay"\ndst = "/o"\nlower = []`, [["mount[0].lower", "needs at least one lower directory"]]],
  ["overlay lower with a colon", `[[mount]]\ntype = "overlay"\ndst = "/o"\nlower = ["/a:b"]`, [["mount[0].lower[0]", "overlay cannot take a path holding ':' or ',': '/a:b'"]]],
  ["overlay upper without work", `[[mount]]\ntype = "overlay"\ndst = "/o"\nlower = ["/l"]\nupper = "/u"`, [["mount[0].work", "missing: upper needs a work directory"]]],
  ["fs without fstype", `[[mount]]\ntype = "fs"\ndst = "/sys"`, [["mount[0].fstype", "missing"]]],
  ["fs with a bad fstype", `[[mount]]\ntype = "fs"\nfstype = "Sys FS"\ndst = "/sys"`, [["mount[0].fstype", `expected a file system type such as "sysfs", got 'Sys FS'`]]],
  ["options too long", `[[mount]]\ntype = "proc"\ndst = "/proc"\noptions = "${"x".repeat(4096)}"`, [["mount[0].options", "is longer than 4095 bytes (one page of mount data)"]]],
  ["file with both content and fd", `[[mount]]\ntype = "file"\ndst = "/f"\ncontent = "x"\nfd = 3`, [["mount[0].fd", "give content or fd, not both"]]],
  ["file with neither", `[[mount]]\ntype = "file"\ndst = "/f"`, [["mount[0].content", "missing"]]],
  ["symlink without target", `[[mount]]\ntype = "symlink"\ndst = "/bin"`, [["mount[0].target", "missing"]]],
  ["symlink flags are not mount flags", `[[mount]]\ntype = "symlink"\ndst = "/bin"\ntarget = "x"\nrw = true`, [["mount[0].rw", 'not used by type = "symlink" (only by bind, tmpfs, proc, dev, mqueue, overlay, fs, file)']]],
  ["every issue at once", `[[mount]]\ntype = "bind"\nsrc = "a"\ndst = "b"\nrw = 1`, [
    ["mount[0].dst", "must be an absolute path, got 'b'"],
    ["mount[0].rw", "expected a boolean (true or false), got integer"],
    ["mount[0].src", "must be an absolute path, got 'a'"],
  ]],
];

describe("[[mount]] refuses", () => {
  test.each(BAD)("%s", (_name, toml, expected) => {
    expect(issuePairs(toml)).toEqual(expected);
  });

  test("a long unknown word is not compared for a suggestion", () => {
    const word = "tmpfs".repeat(20_000);
    const message = issuePairs(`[[mount]]\ntype = "${word}"\ndst = "/x"`)[0]?.[1];
    expect(message).toStartWith("unknown mount type 'tmpfstmpfs");
    expect(message).toEndWith("(expected one of bind, tmpfs, proc, dev, mqueue, overlay, fs, symlink, dir, file)");
  });
});
