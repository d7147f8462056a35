// The busybox rootfs that filesystem-jail tests stand on works as a root: as root through
// chroot, and as uid 65534 through a user namespace (so every file it needs is readable).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { host, requireHost } from "../support/host.ts";
import { dropTo } from "../support/jail.ts";
import { buildRootfs, findBusybox, type Rootfs } from "../support/rootfs.ts";

const hasBusybox = findBusybox() !== null;
requireHost(hasBusybox, "a static busybox (package busybox-static)");
requireHost(host.root, "root (CI runs the suite as root)");
requireHost(host.rootless, "unprivileged user namespaces and setpriv");

// Reads only: without namespaces of its own, a chroot as root still shares the host's names.
const SCRIPT = 'echo "ok $(id -u) $(cat /etc/hostname)"; grep -c : /etc/passwd; ls -a /';

function inRootfs(as: "root" | "nobody", dir: string): { code: number; out: string; err: string } {
  // `unshare -r` maps the caller to root in a new user namespace, where chroot is allowed.
  const enter = as === "root" ? ["chroot"] : ["unshare", "-r", "chroot"];
  const r = Bun.spawnSync([...dropTo(as), ...enter, dir, "/bin/sh", "-c", SCRIPT], { env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
  return { code: r.exitCode ?? -1, out: r.stdout.toString(), err: r.stderr.toString() };
}

describe.skipIf(!hasBusybox)("test rootfs from busybox", () => {
  let rootfs: Rootfs;
  beforeAll(() => {
    rootfs = buildRootfs();
  });
  afterAll(() => rootfs?.remove());

  test("has the applets, users and mount points the jail tests use", () => {
    for (const a of ["sh", "ls", "cat", "id", "hostname", "mount", "sleep", "stat"]) expect(rootfs.applets).toContain(a);
    expect(readFileSync(join(rootfs.dir, "etc/passwd"), "utf8")).toContain("uwsgi:x:1000:1000:");
    for (const d of ["proc", "dev", "sys", "tmp", ".old_root"]) expect(statSync(join(rootfs.dir, d)).isDirectory()).toBe(true);
    expect(statSync(join(rootfs.dir, "tmp")).mode & 0o7777).toBe(0o1777);
    expect(statSync(rootfs.dir).mode & 0o777).toBe(0o755);
  });

  test.skipIf(!host.root)("a shell runs in it as root", () => {
    const r = inRootfs("root", rootfs.dir);
    expect(r.err).toBe("");
    expect(r.out.split("\n")[0]).toBe("ok 0 rootfs");
    expect(r.out).toContain("\n3\n");
    expect(r.out).toContain(".old_root");
    expect(r.code).toBe(0);
  });

  test.skipIf(!host.rootless)("a shell runs in it as uid 65534", () => {
    const r = inRootfs("nobody", rootfs.dir);
    expect(r.err).toBe("");
    expect(r.out.split("\n")[0]).toBe("ok 0 rootfs");
    expect(r.code).toBe(0);
  });

  test.skipIf(!host.root)("remove() refuses while something is mounted inside, then removes", () => {
    const scratch = buildRootfs();
    const mnt = join(scratch.dir, "mnt");
    expect(Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=16k", "nsjail-test", mnt]).exitCode).toBe(0);
    try {
      expect(() => scratch.remove()).toThrow(`still mounted there: ${mnt}`);
      expect(existsSync(join(scratch.dir, "bin/busybox"))).toBe(true);
    } finally {
      Bun.spawnSync(["umount", mnt]);
    }
    scratch.remove();
    expect(existsSync(scratch.dir)).toBe(false);
  });
});
