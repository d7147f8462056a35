// Stage 1 (config): rootfs, namespace, keep_mount, pivot_root, and the cross-field rules of the
// file-system keys.
import { describe, expect, test } from "bun:test";
import { FS_KEYS, FS_READERS, namespaceHostname } from "../../../../src/config/fs/fields.ts";
import { ALL_NS, fsOf, issuePairs } from "./check-fs.ts";

describe("the jail's root reads", () => {
  test("rootfs", () => {
    expect(fsOf(`rootfs = "/ns/001/"`).rootfs).toBe("/ns/001");
  });

  test("namespace ROOT:HOST sets the rootfs and a hostname", () => {
    expect(fsOf(`namespace = "/ns/001:mybeautifulhostname"`).rootfs).toBe("/ns/001");
    const issues: string[] = [];
    const ns = FS_READERS.namespace("/ns/001:mybeautifulhostname", "namespace", { report: (_p, m) => issues.push(m) });
    expect(namespaceHostname({ namespace: ns! })).toBe("mybeautifulhostname");
    expect(namespaceHostname({ namespace: FS_READERS.namespace("/ns/001", "namespace", { report: () => {} })! })).toBeNull();
  });

  test("keep_mount: in place under the rootfs, or SRC:DST, or a table", () => {
    const fs = fsOf(`rootfs = "/ns/001"\nkeep_mount = ["/ns/001/apps/nfs", "/mnt/nfs1:/nfs", { src = "/a:b", dst = "/c" }]`);
    expect(fs.keepMounts).toEqual([
      { src: "/ns/001/apps/nfs", dst: "/apps/nfs" },
      { src: "/mnt/nfs1", dst: "/nfs" },
      { src: "/a:b", dst: "/c" },
    ]);
  });

  test("pivot_root as a string or a table", () => {
    expect(fsOf(`pivot_root = "/ns  /ns/.old_root"`).pivotRoot).toEqual({ new: "/ns", old: "/ns/.old_root" });
    expect(fsOf(`pivot_root = { new = "/ns", old = "/ns/old root" }`).pivotRoot).toEqual({ new: "/ns", old: "/ns/old root" });
  });

  test("defaults: no rootfs (an empty tmpfs root), nothing kept, no hooks", () => {
    expect(fsOf("")).toEqual({
      rootfs: null,
      keepMounts: [],
      pivotRoot: null,
      mounts: [],
      mountKeys: [],
      hooks: { pre_jail: [], post_jail: [], as_root: [], as_user: [], post_spawn: [] },
    });
  });

  test("every key has a reader", () => {
    expect(Object.keys(FS_READERS).sort()).toEqual([...FS_KEYS].sort());
  });
});

const NO_FS = ["ipc", "pid", "uts", "net", "user"];

const BAD: [string, string, [string, string][], string[]?][] = [
  ["relative rootfs", `rootfs = "ns"`, [["rootfs", "must be an absolute path, got 'ns'"]]],
  ["host root as rootfs", `rootfs = "//"`, [["rootfs", "cannot be the host's '/': the jail would see the whole host"]]],
  ["rootfs with ..", `rootfs = "/ns/../etc"`, [["rootfs", "must not contain '..', got '/ns/../etc'"]]],
  ["namespace with a long hostname", `namespace = "/ns:${"h".repeat(65)}"`, [["namespace", "a host name is 1 to 64 bytes long, got 65"]]],
  ["namespace and rootfs", `namespace = "/ns/001:h"\nrootfs = "/ns/002"`, [["rootfs", "namespace already sets the rootfs: give one of them"]]],
  ["namespace and hostname", `namespace = "/ns/001:h"\nhostname = "x"`, [["hostname", "namespace already sets the hostname: give one of them"]]],
  ["pivot_root with one path", `pivot_root = "/ns"`, [["pivot_root", `expected "NEW OLD" (two paths), got '/ns'`]]],
  ["pivot_root old outside new", `pivot_root = "/ns /old"`, [["pivot_root", "the old root '/old' must lie below the new root '/ns'"]]],
  ["pivot_root old is new", `pivot_root = { new = "/ns", old = "/ns/" }`, [["pivot_root.old", "the old root '/ns' must lie below the new root '/ns'"]]],
  ["pivot_root table typo", `pivot_root = { new = "/ns", olde = "/ns/o" }`, [["pivot_root.olde", "unknown key (did you mean 'old'?)"]]],
  ["pivot_root into /", `pivot_root = "/ /.old"`, [["pivot_root", "cannot be '/': pivoting into the current root changes nothing"]]],
  ["rootfs and pivot_root", `rootfs = "/ns"\npivot_root = "/ns /ns/.old"`, [["pivot_root", "cannot be used with rootfs, which pivots into its own root"]]],
  ["namespace and pivot_root", `namespace = "/ns"\npivot_root = "/ns /ns/.old"`, [["pivot_root", "cannot be used with namespace, which pivots into its own root"]]],
  ["keep_mount outside the rootfs", `rootfs = "/ns/001"\nkeep_mount = ["/ns/0012/x", "/ns/001"]`, [
    ["keep_mount[0]", "'/ns/0012/x' is not below the rootfs '/ns/001': write SRC:DST"],
    ["keep_mount[1]", "'/ns/001' is not below the rootfs '/ns/001': write SRC:DST"],
  ]],
  ["keep_mount in place without rootfs", `keep_mount = ["/mnt/nfs"]`, [["keep_mount[0]", "'/mnt/nfs' keeps its place under the rootfs, but there is none: write SRC:DST"]]],
  ["keep_mount onto /", `keep_mount = ["/mnt:/"]`, [["keep_mount[0]", "cannot be '/': a kept mount goes below the root"]]],
  ["no fs namespace", `rootfs = "/ns"\nhook_as_root = ["mkdir:/x", "umount:/y"]\n[[mount]]\ntype = "tmpfs"\ndst = "/tmp"`, [
    ["rootfs", 'needs the fs namespace (add "fs" to unshare)'],
    ["mount", 'needs the fs namespace (add "fs" to unshare)'],
    ["hook_as_root[1]", 'needs the fs namespace (add "fs" to unshare)'],
  ], NO_FS],
  ["proc, mqueue and sysfs need their own namespaces", `[[mount]]\ntype = "proc"\ndst = "/proc"\n[[mount]]\ntype = "mqueue"\ndst = "/mq"\n[[mount]]\ntype = "fs"\nfstype = "sysfs"\ndst = "/sys"\n`, [
    ["mount[0]", 'proc needs the pid namespace (add "pid" to unshare)'],
    ["mount[1]", 'mqueue needs the ipc namespace (add "ipc" to unshare)'],
    ["mount[2]", 'sysfs needs the net namespace (add "net" to unshare)'],
  ], ["fs", "user"]],
  ["a proc hook needs pid too", `hook_as_root = ["mount:proc none /proc"]`, [["hook_as_root[0]", 'proc needs the pid namespace (add "pid" to unshare)']], ["fs", "user"]],
  ["sethostname hook needs uts", `hook_as_root = ["hostname:x"]`, [["hook_as_root[0]", 'needs the uts namespace (add "uts" to unshare)']], ["fs", "user"]],
  ["a later mount on a parent hides an earlier one", `[[mount]]\ntype = "bind"\nsrc = "/a"\ndst = "/tmp/a"\n[[mount]]\ntype = "dir"\ndst = "/tmp/b"\n[[mount]]\ntype = "tmpfs"\ndst = "/tmp"`, [
    ["mount[0]", "is hidden by mount[2] (tmpfs on /tmp), which comes later: list it first"],
    ["mount[1]", "is hidden by mount[2] (tmpfs on /tmp), which comes later: list it first"],
  ]],
  ["a later mount on the same place", `[[mount]]\ntype = "tmpfs"\ndst = "/t"\n[[mount]]\ntype = "tmpfs"\ndst = "/t/"`, [
    ["mount[0]", "is hidden by mount[1] (tmpfs on the same place), which comes later: list it first"],
  ]],
  ["a rule is skipped when its key is invalid", `rootfs = 3\npivot_root = "/ns /ns/.old"`, [["rootfs", "expected a string, got integer"]]],
];

describe("the jail's root refuses", () => {
  // Every row gets its namespaces: bun passes a done callback for a missing last argument.
  test.each(BAD.map(([n, t, e, u]) => [n, t, e, u ?? ALL_NS] as const))("%s", (_name, toml, expected, unshare) => {
    expect(issuePairs(toml, unshare)).toEqual(expected);
  });

  test("a parent listed before its children is fine", () => {
    const fs = fsOf(`[[mount]]\ntype = "tmpfs"\ndst = "/tmp"\n[[mount]]\ntype = "dir"\ndst = "/tmp/a"\n[[mount]]\ntype = "tmpfs"\ndst = "/tmpx"`);
    expect(fs.mounts).toHaveLength(3);
  });
});
