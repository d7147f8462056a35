// Every mount kind seen from inside a jail, as root and rootless: in an empty root assembled
// from the mounts alone (bubblewrap's model) and in a busybox rootfs. The flags keep their
// command-line order; optional mounts warn and go on; the host's mount table never changes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkHostMountsUnchanged, buildTestRoot, fsJailReady, type TestRoot } from "../support/fs-jail.ts";
import { host } from "../support/host.ts";
import { type As, nsjail, removeNobodyCopy } from "../support/jail.ts";
import { findBusybox } from "../support/rootfs.ts";

const busybox = findBusybox();
const ready = fsJailReady();

let root: TestRoot;
beforeAll(() => {
  if (!ready) return;
  root = buildTestRoot();
  for (const d of ["lower", "upper", "work"]) {
    mkdirSync(join(root.outside, d));
    chmodSync(join(root.outside, d), 0o777);
  }
  writeFileSync(join(root.outside, "lower/from-lower"), "lower\n", { mode: 0o666 });
});
afterAll(() => {
  root?.remove();
  removeNobodyCopy();
});

/** Busybox applets the scripts below call, linked in an empty root. */
const APPLETS = ["sh", "cat", "grep", "head", "wc", "stat", "df", "ls"];
const BIN = ["--ro-bind", `${busybox}:/bin/busybox`, ...APPLETS.flatMap((a) => ["--symlink", `busybox:/bin/${a}`])];

/** An empty root with busybox in /bin and the flags given; `shell` runs before nsjail. */
const emptyRoot = (as: As, flags: string[], script: string, shell = "") =>
  nsjail(as, ["run", ...BIN, ...flags, "--", "/bin/sh", "-c", script], { shell });
const inRootfs = (as: As, flags: string[], script: string) => nsjail(as, ["run", "--rootfs", root.dir, ...flags, "--", "/bin/sh", "-c", script]);

for (const as of ["root", "nobody"] as const satisfies readonly As[]) {
  const enabled = ready && (as === "root" ? host.root : host.rootless);

  describe.skipIf(!enabled)(`mounts as ${as}`, () => {
    checkHostMountsUnchanged();

    test("an empty root holds only what the mounts put there, and is read-only", () => {
      const r = emptyRoot(as, ["--dir", "/etc", "--tmpfs", "/tmp"], "cd / && echo *; (echo > /x) 2>&1; echo ok > /tmp/ok && cat /tmp/ok");
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe("bin etc tmp\n/bin/sh: can't create /x: Read-only file system\nok\n");
    });

    test("bind: writable with --bind, read-only with --ro-bind; a file onto a new file", () => {
      const script = `echo w > /rw/w && echo rw-ok; (echo x > /ro/x) 2>&1; read l < /one; echo $l`;
      const r = emptyRoot(as, ["--bind", `${root.outside}:/rw`, "--ro-bind", `${root.outside}:/ro`, "--ro-bind", `${root.outside}/host-file:/one`], script);
      expect(r.stdout).toBe("rw-ok\n/bin/sh: can't create /ro/x: Read-only file system\nfrom the host\n");
      expect(readdirSync(root.outside)).toContain("w");
    });

    test("tmpfs with size and mode", () => {
      const r = emptyRoot(as, ["--tmpfs", "/t:size=64k,mode=0700"], "stat -c '%a' /t; stat -f -c '%b blocks of %S' /t");
      expect(r.stdout).toBe("700\n16 blocks of 4096\n");
    });

    test("proc of the jail's pid namespace, read-only", () => {
      const r = emptyRoot(as, ["--proc", "/proc"], "echo $$; cd /proc && echo [0-9]*; (echo 1 > /proc/sys/kernel/hostname) 2>&1 | grep -c Read-only");
      expect(r.stdout).toBe("2\n1 2\n1\n");
    });

    test("dev: the six nodes work, pts is private with its own ptmx, shm is writable", () => {
      const script = "head -c 4 /dev/zero | wc -c; echo x > /dev/null && echo null; ls /dev/pts; echo s > /dev/shm/s && echo shm; (echo > /dev/new) 2>&1";
      const r = emptyRoot(as, ["--dev", "/dev"], script);
      expect(r.stdout).toBe("4\nnull\nptmx\nshm\n/bin/sh: can't create /dev/new: Read-only file system\n");
    });

    test("mqueue: the jail's own queues", () => {
      const r = emptyRoot(as, ["--proc", "/proc", "--mqueue", "/mq"], "grep ' /mq ' /proc/self/mountinfo | grep -c ' - mqueue '");
      expect(r.stdout).toBe("1\n");
    });

    test("overlay with a host upper layer, and with a throwaway one", () => {
      const upper = `{ type = "overlay", dst = "/o", lower = ["${root.outside}/lower"], upper = "${root.outside}/upper", work = "${root.outside}/work" }`;
      const toml = join(root.outside, `overlay-${as}.toml`);
      writeFileSync(toml, `mount = [${upper}, { type = "overlay", dst = "/t", lower = ["${root.outside}/lower"] }]\n`, { mode: 0o644 });
      const script = "read l < /o/from-lower; echo $l; echo u > /o/new && echo t > /t/new && echo wrote; cd /t && echo *";
      const r = nsjail(as, ["run", "-c", toml, ...BIN, "--", "/bin/sh", "-c", script]);
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe("lower\nwrote\nfrom-lower new\n");
      expect(readdirSync(join(root.outside, "upper"))).toContain("new");
      expect(readdirSync(join(root.outside, "lower"))).toEqual(["from-lower"]);
    });

    test("sysfs only when asked, read-only, with the jail's own interfaces", () => {
      const toml = join(root.outside, `sysfs-${as}.toml`);
      writeFileSync(toml, 'mount = [{ type = "fs", fstype = "sysfs", dst = "/sys" }]\n', { mode: 0o644 });
      const r = nsjail(as, ["run", "-c", toml, ...BIN, "--", "/bin/sh", "-c", "cd /sys/class/net && echo *; (echo > /sys/x) 2>&1 | grep -c Read-only"]);
      expect(r.stdout).toBe("lo\n1\n");
      expect(inRootfs(as, [], "cd /sys && echo *").stdout).toBe("*\n");
    });

    test("file: inline text and what nsjail reads from an fd, read-only", () => {
      const script = "cat /etc/motd /etc/from-fd; (echo > /etc/motd) 2>&1 | grep -c Read-only";
      const r = emptyRoot(as, ["--file", "/etc/motd:hello\n", "--file-fd", "7:/etc/from-fd"], script, `exec 7<${root.outside}/host-file; `);
      expect(r.stdout).toBe("hello\nfrom the host\n1\n");
    });

    test("dir with its mode, symlink", () => {
      const r = emptyRoot(as, ["--dir", "/d/e:0700", "--symlink", "d/e:/link"], "stat -c '%a' /d/e; cd /link && pwd -P");
      expect(r.stdout).toBe("700\n/d/e\n");
    });

    test("mount flags keep their command-line order across kinds", () => {
      const ok = emptyRoot(as, ["--tmpfs", "/t", "--ro-bind", `${root.outside}:/t/in`], "read l < /t/in/host-file; echo $l");
      expect(ok.stdout).toBe("from the host\n");
      const hidden = emptyRoot(as, ["--ro-bind", `${root.outside}:/t/in`, "--tmpfs", "/t"], "true");
      expect(hidden.code).toBe(2);
      expect(hidden.stderr).toBe("nsjail: --ro-bind[1]: is hidden by --tmpfs[0] (tmpfs on /t), which comes later: list it first\n");
    });

    test("an optional mount that cannot be made is a warning, and the jail goes on", () => {
      const r = emptyRoot(as, ["--ro-bind-try", "/no/such/path:/opt", "--tmpfs", "/tmp"], "echo went on; cd / && echo *");
      expect(r.code).toBe(0);
      // The rest of the mount was passed over: not even its mount point was made.
      expect(r.stdout).toBe("went on\nbin tmp\n");
      expect(r.stderr).toBe(
        "nsjail: warn: clone /no/such/path and the mounts below it [--ro-bind-try[0]]: ENOENT (No such file or directory) — the host path does not exist\n",
      );
    });

    test("--bind in a rootfs lands on its mount point; conf files stay the rootfs's", () => {
      const r = inRootfs(as, ["--ro-bind", `${root.outside}:/srv`], "cat /srv/host-file /etc/conf.d/app.conf");
      expect(r.stdout).toBe("from the host\nfrom the rootfs\n");
    });
  });
}
