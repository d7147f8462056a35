// Stage 1 (config): the CLI spellings of mounts → the same MountSpec as their [[mount]] tables.
import { describe, expect, test } from "bun:test";
import { readMountFlag } from "../../../../src/config/fs/mount-flags.ts";
import type { MountSpec } from "../../../../src/config/fs/model.ts";

function read(flag: string, value: string): { spec: MountSpec | undefined; issues: [string, string][] } {
  const issues: [string, string][] = [];
  const spec = readMountFlag(flag, value, `${flag}[0]`, (p, m) => issues.push([p, m]));
  return { spec, issues };
}

const RO = { rw: false, nosuid: true, nodev: true, noexec: false };
const RW = { ...RO, rw: true };
const at = { optional: false, create: false };

const GOOD: [string, string, MountSpec][] = [
  ["--bind", "/srv/data", { kind: "bind", src: "/srv/data", dst: "/srv/data", recursive: true, flags: RW, ...at }],
  ["--bind", "/srv/data:/data", { kind: "bind", src: "/srv/data", dst: "/data", recursive: true, flags: RW, ...at }],
  ["--ro-bind", "/usr", { kind: "bind", src: "/usr", dst: "/usr", recursive: true, flags: RO, ...at }],
  ["--bind-try", "/opt:/o", { kind: "bind", src: "/opt", dst: "/o", recursive: true, flags: RW, optional: true, create: false }],
  ["--ro-bind-try", "/opt", { kind: "bind", src: "/opt", dst: "/opt", recursive: true, flags: RO, optional: true, create: false }],
  ["--tmpfs", "/tmp", { kind: "tmpfs", dst: "/tmp", size: null, mode: null, options: "", flags: RW, ...at }],
  ["--tmpfs", "/tmp:size=64m,mode=1777,nr_inodes=1k,huge=never",
    { kind: "tmpfs", dst: "/tmp", size: "64m", mode: 0o1777, options: "nr_inodes=1k,huge=never", flags: RW, ...at }],
  ["--proc", "/proc", { kind: "proc", dst: "/proc", options: "", flags: { rw: false, nosuid: true, nodev: true, noexec: true }, ...at }],
  ["--dev", "/dev", { kind: "dev", dst: "/dev", flags: { rw: false, nosuid: true, nodev: false, noexec: true }, ...at }],
  ["--mqueue", "/dev/mqueue", { kind: "mqueue", dst: "/dev/mqueue", options: "", flags: { rw: true, nosuid: true, nodev: true, noexec: true }, ...at }],
  ["--symlink", "usr/lib:/lib", { kind: "symlink", target: "usr/lib", dst: "/lib", optional: false }],
  ["--dir", "/var/run", { kind: "dir", dst: "/var/run", mode: 0o755, optional: false }],
  ["--dir", "/var/tmp:1777", { kind: "dir", dst: "/var/tmp", mode: 0o1777, optional: false }],
  ["--file", "/etc/motd:hello: world", { kind: "file", dst: "/etc/motd", content: { text: "hello: world" }, mode: 0o644, flags: RO, ...at }],
  ["--file", "/etc/empty:", { kind: "file", dst: "/etc/empty", content: { text: "" }, mode: 0o644, flags: RO, ...at }],
  ["--file-fd", "5:/etc/resolv.conf", { kind: "file", dst: "/etc/resolv.conf", content: { fd: 5 }, mode: 0o644, flags: RO, ...at }],
];

describe("mount flags read", () => {
  test.each(GOOD)("%s %s", (flag, value, spec) => {
    expect(read(flag, value)).toEqual({ spec, issues: [] });
  });
});

const BAD: [string, string, [string, string][]][] = [
  ["--bind", "relative:/x", [["--bind[0].src", "must be an absolute path, got 'relative'"]]],
  ["--ro-bind", "/a:../b", [["--ro-bind[0].dst", "must be an absolute path, got '../b'"]]],
  ["--bind", "/a:/b/../../c", [["--bind[0].dst", "must not contain '..', got '/b/../../c'"]]],
  ["--tmpfs", "/tmp:size=lots", [["--tmpfs[0].size", `expected bytes such as 65536, "64m" or "10%", got 'lots'`]]],
  ["--tmpfs", "/", [["--tmpfs[0].dst", "cannot be '/': the root is the rootfs key (or an empty tmpfs without one)"]]],
  ["--symlink", "/only-one", [["--symlink[0]", "expected TARGET:LINK, got '/only-one'"]]],
  ["--file", "/etc/motd", [["--file[0]", "expected DST:TEXT, got '/etc/motd'"]]],
  ["--file-fd", "x:/etc/a", [["--file-fd[0]", "expected FD:DST (a descriptor number, then a path), got 'x:/etc/a'"]]],
  ["--dir", "/d:rwx", [["--dir[0].mode", `expected an octal mode such as "0755", got 'rwx'`]]],
  ["--proc", "proc", [["--proc[0].dst", "must be an absolute path, got 'proc'"]]],
];

describe("mount flags refuse", () => {
  test.each(BAD)("%s %s", (flag, value, issues) => {
    expect(read(flag, value)).toEqual({ spec: undefined, issues });
  });
});
