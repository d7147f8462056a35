// Stage 1 (config): hooks by phase, in uWSGI's string syntax and as TOML tables.
import { describe, expect, test } from "bun:test";
import type { Hook } from "../../../../src/config/fs/model.ts";
import { checkFs, fsOf, issuePairs } from "./check-fs.ts";

const SEED = `
hook_post_jail = ["mount:none /distros/precise /ns bind"]
pivot_root = "/ns /ns/.old_root"
hook_as_root = ["mount:proc none /proc nodev hidepid=2", "mount:none /.old_root/dev /dev bind", "mount:none /.old_root/dev/pts /dev/pts bind", "umount:/.old_root rec,detach"]
`;

test("the seed recipe parses verbatim", () => {
  const fs = fsOf(SEED);
  expect(fs.pivotRoot).toEqual({ new: "/ns", old: "/ns/.old_root" });
  expect(fs.hooks.post_jail).toEqual([
    { action: "mount", fstype: null, src: "/distros/precise", dst: "/ns", flags: ["bind"], options: null },
  ]);
  expect(fs.hooks.as_root).toEqual([
    { action: "mount", fstype: "proc", src: "none", dst: "/proc", flags: ["nodev"], options: "hidepid=2" },
    { action: "mount", fstype: null, src: "/.old_root/dev", dst: "/dev", flags: ["bind"], options: null },
    { action: "mount", fstype: null, src: "/.old_root/dev/pts", dst: "/dev/pts", flags: ["bind"], options: null },
    { action: "umount", path: "/.old_root", flags: ["rec", "detach"] },
  ]);
});

const GOOD: [string, unknown, Hook][] = [
  ["mount with data holding spaces", "mount:tmpfs tmpfs /tmp nosuid,nodev size=1m,mode=1777", { action: "mount", fstype: "tmpfs", src: "tmpfs", dst: "/tmp", flags: ["nosuid", "nodev"], options: "size=1m,mode=1777" }],
  ["uWSGI flag aliases and defaults", "mount:none /a /b bind,recursive,readonly,defaults", { action: "mount", fstype: null, src: "/a", dst: "/b", flags: ["bind", "rec", "ro"], options: null }],
  ["propagation change needs no type", "mount:none none / rec,private", { action: "mount", fstype: null, src: "none", dst: "/", flags: ["rec", "private"], options: null }],
  ["umount without flags", "umount:/mnt", { action: "umount", path: "/mnt", flags: [] }],
  ["mkdir", "mkdir:/run/app", { action: "mkdir", path: "/run/app", mode: 0o755 }],
  ["write keeps the rest verbatim", "write:/etc/hostname box one two", { action: "write", path: "/etc/hostname", content: "box one two" }],
  ["symlink", "symlink:/proc/self/fd /dev/fd", { action: "symlink", path: "/dev/fd", target: "/proc/self/fd" }],
  ["chmod", "chmod:/tmp 1777", { action: "chmod", path: "/tmp", mode: 0o1777 }],
  ["uWSGI's cd", "cd:/srv", { action: "chdir", path: "/srv" }],
  ["uWSGI's hostname", "hostname:jail1", { action: "sethostname", name: "jail1" }],
  ["sethostname", "sethostname:jail1", { action: "sethostname", name: "jail1" }],
  ["exec runs under sh", "exec:echo hi > /tmp/x", { action: "exec", argv: ["/bin/sh", "-c", "echo hi > /tmp/x"] }],
  ["table umount", { umount: "/.old_root", flags: ["rec", "detach"] }, { action: "umount", path: "/.old_root", flags: ["rec", "detach"] }],
  ["table mount", { mount: "/proc", fstype: "proc", flags: ["nodev"], options: "hidepid=2" }, { action: "mount", fstype: "proc", src: "none", dst: "/proc", flags: ["nodev"], options: "hidepid=2" }],
  ["table bind", { mount: "/ns", src: "/distros/precise", flags: ["bind"] }, { action: "mount", fstype: null, src: "/distros/precise", dst: "/ns", flags: ["bind"], options: null }],
  ["table mkdir with mode", { mkdir: "/x", mode: "0700" }, { action: "mkdir", path: "/x", mode: 0o700 }],
  ["table write", { write: "/etc/x", content: "a b\n" }, { action: "write", path: "/etc/x", content: "a b\n" }],
  ["table symlink", { symlink: "/bin", target: "usr/bin" }, { action: "symlink", path: "/bin", target: "usr/bin" }],
  ["table exec argv", { exec: ["/bin/true", "x"] }, { action: "exec", argv: ["/bin/true", "x"] }],
  ["table sethostname", { sethostname: "h" }, { action: "sethostname", name: "h" }],
];

/** One hook entry in hook_as_root, as TOML. */
function asRoot(entry: unknown): string {
  return `hook_as_root = [${JSON.stringify(entry)}]`.replace(/"(\w+)":/g, "$1 = ").replace(/^(hook_as_root = \[)\{/, "$1{ ");
}

describe("hooks read", () => {
  test.each(GOOD)("%s", (_name, entry, hook) => {
    expect(fsOf(asRoot(entry)).hooks.as_root).toEqual([hook]);
  });
});

const BAD: [string, string, [string, string][]][] = [
  ["no colon", `hook_as_root = ["mount proc"]`, [["hook_as_root[0]", `expected "action:arguments" such as "mount:proc none /proc", got 'mount proc'`]]],
  ["unknown action", `hook_as_root = ["umonut:/x"]`, [["hook_as_root[0]", "unknown hook action 'umonut' (did you mean 'umount'?)"]]],
  ["unknown mount flag", `hook_as_root = ["mount:none /a /b bind,recursiv"]`, [["hook_as_root[0]", "unknown mount flag 'recursiv' (did you mean 'rec'?)"]]],
  ["unknown umount flag", `hook_as_root = ["umount:/x rec,detatch"]`, [["hook_as_root[0]", "unknown umount flag 'detatch' (did you mean 'detach'?)"]]],
  ["mount with too few words", `hook_as_root = ["mount:proc /proc"]`, [["hook_as_root[0]", `expected "mount:<fstype> <src> <dst> [flags] [data]", got 'mount:proc /proc'`]]],
  ["type none without bind", `hook_as_root = ["mount:none /a /b nodev"]`, [["hook_as_root[0]", "type 'none' mounts nothing: it needs bind, move, remount or a propagation flag"]]],
  ["relative destination", `hook_as_root = ["mount:proc none proc"]`, [["hook_as_root[0]", "destination must be an absolute path, got 'proc'"]]],
  ["bind source climbing out", `hook_as_root = ["mount:none /a/../.. /b bind"]`, [["hook_as_root[0]", "source must not contain '..', got '/a/../..'"]]],
  ["write without content", `hook_as_root = ["write:/etc/x"]`, [["hook_as_root[0]", `expected "write:<path> <content>", got 'write:/etc/x'`]]],
  ["chmod with a bad mode", `hook_as_root = ["chmod:/x 9"]`, [["hook_as_root[0]", `expected an octal mode such as "0755", got '9'`]]],
  ["empty exec", `hook_as_root = ["exec: "]`, [["hook_as_root[0]", "exec needs a command, got ' '"]]],
  ["hostname too long", `hook_as_root = ["hostname:${"h".repeat(65)}"]`, [["hook_as_root[0]", "a host name is 1 to 64 bytes long, got 65"]]],
  ["neither string nor table", `hook_as_root = [1]`, [["hook_as_root[0]", `expected an "action:arguments" string or a table, got integer`]]],
  ["not an array", `hook_as_root = "umount:/x"`, [["hook_as_root", "expected an array, got 'umount:/x'"]]],
  ["table with no action", `hook_as_root = [{ umonut = "/x" }]`, [["hook_as_root[0]", "a hook table names exactly one action (mount, umount, mkdir, write, symlink, chmod, chdir, sethostname, exec), found none (did you mean 'umount'?)"]]],
  ["table with two actions", `hook_as_root = [{ mkdir = "/x", chdir = "/x" }]`, [["hook_as_root[0]", "a hook table names exactly one action (mount, umount, mkdir, write, symlink, chmod, chdir, sethostname, exec), found mkdir, chdir"]]],
  ["table key of another action", `hook_as_root = [{ umount = "/x", mode = "0755" }]`, [["hook_as_root[0].mode", "unknown key"]]],
  ["table flag typo", `hook_as_root = [{ umount = "/x", flags = ["rec", "detatch"] }]`, [["hook_as_root[0].flags[1]", "unknown umount flag 'detatch' (did you mean 'detach'?)"]]],
  ["table write without content", `hook_as_root = [{ write = "/x" }]`, [["hook_as_root[0].content", "missing"]]],
  ["table exec without program", `hook_as_root = [{ exec = [] }]`, [["hook_as_root[0].exec", "needs a program, got array"]]],
  ["mount on the host", `hook_pre_jail = ["mount:tmpfs tmpfs /mnt"]`, [["hook_pre_jail[0]", "mount in hook_pre_jail would change the host (it runs outside the jail); use hook_post_jail"]]],
  ["hostname on the host", `hook_post_spawn = ["hostname:x"]`, [["hook_post_spawn[0]", "sethostname in hook_post_spawn would change the host (it runs outside the jail); use hook_as_root"]]],
];

describe("hooks refuse", () => {
  test.each(BAD)("%s", (_name, toml, expected) => {
    expect(issuePairs(toml)).toEqual(expected);
  });

  test("host phases take files and commands", () => {
    const fs = fsOf(`hook_pre_jail = ["mkdir:/run/jail", "exec:true"]\nhook_post_spawn = ["write:/run/jail/pid up"]`);
    expect(fs.hooks.pre_jail.map((h) => h.action)).toEqual(["mkdir", "exec"]);
    expect(fs.hooks.post_spawn.map((h) => h.action)).toEqual(["write"]);
  });

  test("every phase reports under its own key", () => {
    const phases = ["post_jail", "as_root", "as_user"];
    const toml = phases.map((p) => `hook_${p} = ["nope:x"]`).join("\n");
    expect(checkFs(toml).issues.map((i) => i.path)).toEqual(phases.map((p) => `hook_${p}[0]`));
  });
});
