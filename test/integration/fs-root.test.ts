// A jail in its own root filesystem, as root and rootless: uWSGI's --namespace ROOT:HOST, both
// keep_mount forms, the host's mounts and files out of sight, uid names from the rootfs, and
// destinations that try to climb out. Host mounts are made in a private mount namespace of
// the test's own; the host's mount table reads the same after every test. nsjail join enters
// such a jail through its setns socket.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkHostMountsUnchanged, buildTestRoot, fsJailReady, hostTmpfs, inMountNs, type TestRoot } from "../support/fs-jail.ts";
import { host } from "../support/host.ts";
import { type As, binaryFor, dropTo, nsjail, removeNobodyCopy, withoutJailLines } from "../support/jail.ts";

const ready = fsJailReady();

let root: TestRoot;
beforeAll(() => {
  if (!ready) return;
  root = buildTestRoot();
  // Escape attempts: a relative link climbing past the root, an absolute one, a magic link.
  symlinkSync("../../../../../../../..", join(root.dir, "mnt/up"));
  symlinkSync(root.outside, join(root.dir, "mnt/abs"));
  symlinkSync("/proc/self/root", join(root.dir, "mnt/magic"));
});
afterAll(() => {
  root?.remove();
  removeNobodyCopy();
});

const sh = (script: string) => ["--", "/bin/sh", "-c", script];

for (const as of ["root", "nobody"] as const satisfies readonly As[]) {
  const enabled = ready && (as === "root" ? host.root : host.rootless);

  describe.skipIf(!enabled)(`a rootfs jail as ${as}`, () => {
    checkHostMountsUnchanged();

    test("namespace ROOT:HOST: init is PID 1, the hostname, only the rootfs and the jail's pids", () => {
      const script = 'echo "$$ $(cat /proc/1/cmdline | tr "\\0" " ")"; hostname; ls -A / | tr "\\n" " "; echo; ls /proc | grep -E "^[0-9]+$" | tr "\\n" " "';
      const r = nsjail(as, ["run", "--namespace", `${root.dir}:mybeautifulhostname`, ...sh(script)]);
      expect(r.stderr).toBe("");
      const [pids, hostname, top, procs] = r.stdout.split("\n");
      expect(pids).toMatch(/^2 nsjail-init /);
      expect(hostname).toBe("mybeautifulhostname");
      expect(top!.trim().split(" ").sort()).toEqual(readdirSync(root.dir).sort());
      // The jail's own handful of pids, numbered from 1: none of the host's.
      expect(procs!.trim().split(" ").map(Number).every((p) => p < 50)).toBe(true);
      expect(r.code).toBe(0);
    });

    test("host files are out of sight and the rootfs is read-only", () => {
      const r = nsjail(as, ["run", "--rootfs", root.dir, ...sh(`ls ${root.outside} 2>&1; touch /etc/x 2>&1; cat /etc/hostname`)]);
      expect(r.stdout).toContain(`${root.outside}: No such file or directory`);
      expect(r.stdout).toContain("Read-only file system");
      expect(r.stdout).toEndWith("rootfs\n");
    });

    test("a fresh /proc and a minimal /dev with its own pts", () => {
      const r = nsjail(as, ["run", "--rootfs", root.dir, ...sh("ls /dev | tr '\\n' ' '; echo; echo hi > /dev/null && echo null-ok; grep -E ' /dev/pts .* devpts ' /proc/self/mountinfo | wc -l")]);
      expect(r.stdout.split("\n")[0]!.trim().split(" ").sort()).toEqual(
        ["fd", "full", "mqueue", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin", "stdout", "tty", "urandom", "zero"].sort(),
      );
      expect(r.stdout).toContain("\nnull-ok\n1\n");
    });

    test("uid, gid and groups names resolve in the rootfs's /etc/passwd and /etc/group", () => {
      // uwsgi exists only in the rootfs, not on the host.
      const r = nsjail(as, ["run", "--rootfs", root.dir, "--uid", "uwsgi", "--gid", "uwsgi", "--chdir", "/home/uwsgi", ...sh('echo "$(id -un) $(id -u) $(id -g) $(pwd)"')]);
      expect(r.stdout).toBe("uwsgi 1000 1000 /home/uwsgi\n");
      const bad = nsjail(as, ["run", "--rootfs", root.dir, "--uid", "nosuchuser", "--", "/bin/true"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toBe(`nsjail: --uid: no user named 'nosuchuser' in '${root.dir}/etc/passwd'\n`.replace(/'([^']{38})[^']+'/g, "'$1...'"));
      // Supplementary groups by name too; setgroups needs root here (or newgidmap's range).
      if (as !== "root") return;
      const groups = nsjail(as, ["run", "--rootfs", root.dir, "--gid", "0", "--gid-map", "0:65534:1", "--gid-map", "1000:1000:1", "--groups", "uwsgi", ...sh("id -Gn")]);
      expect(groups.stdout).toBe("root uwsgi\n");
    });

    test("host mounts below the rootfs are gone unless kept; kept ones stay at their place", () => {
      const setup = [hostTmpfs(`${root.dir}/apps/nfs`, "kept"), hostTmpfs(`${root.dir}/apps/other`, "secret")].join("\n");
      const script = "cat /apps/nfs/marker; cat /apps/other/marker 2>/dev/null || echo hidden; grep -c ' /apps/' /proc/self/mountinfo";
      const r = inMountNs(as, setup, ["run", "--rootfs", root.dir, "--keep-mount", `${root.dir}/apps/nfs`, ...sh(script)]);
      expect(r.stderr).toBe("");
      const [kept, other] = r.stdout.split("\n");
      expect(kept).toBe("kept");
      expect(other).toBe("hidden");
    });

    test("keep_mount SRC:DST binds a host path with the mounts below it", () => {
      const sub = `${root.outside}/sub`;
      const setup = `mkdir -p ${sub}\n${hostTmpfs(sub, "below")}`;
      const r = inMountNs(as, setup, ["run", "--rootfs", root.dir, "--keep-mount", `${root.outside}:/nfs`, ...sh("cat /nfs/host-file /nfs/sub/marker")]);
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe("from the host\nbelow\n");
    });

    test("read-only reaches submounts: writing into one fails with EROFS", () => {
      const sub = `${root.outside}/ro-sub`;
      const setup = `mkdir -p ${sub}\n${hostTmpfs(sub, "writable-on-the-host")}`;
      const script = "(echo x > /data/ro-sub/new) 2>&1; (echo x > /data/new) 2>&1; cat /data/ro-sub/marker";
      const r = inMountNs(as, setup, ["run", "--rootfs", root.dir, "--ro-bind", `${root.outside}:/data`, ...sh(script)]);
      const lines = r.stdout.trim().split("\n");
      expect(lines[0]).toContain("Read-only file system");
      expect(lines[1]).toContain("Read-only file system");
      expect(lines[2]).toBe("writable-on-the-host");
    });

    test("a symlink climbing out with .. lands inside the root, never on the host", () => {
      // mnt/up resolves to the rootfs's own / inside the jail: a tmpfs there covers nothing of the host.
      const r = nsjail(as, ["run", "--rootfs", root.dir, "--tmpfs", "/mnt/up/opt", ...sh("touch /opt/made && ls /opt")]);
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe("made\n");
      expect(existsSync(join(root.dir, "opt/made"))).toBe(false);
    });

    test("an absolute symlink resolves inside the root: a missing mount point there is an error", () => {
      const r = nsjail(as, ["run", "--rootfs", root.dir, "--tmpfs", "/mnt/abs", "--", "/bin/true"]);
      expect(r.code).toBe(255);
      expect(r.stderr).toStartWith("nsjail: open the mount point /mnt/abs in the new root [--tmpfs[0]]: ENOENT");
      expect(readdirSync(root.outside)).toContain("host-file");
    });

    test("a magic link on the way is refused (ELOOP)", () => {
      const r = nsjail(as, ["run", "--rootfs", root.dir, "--tmpfs", "/mnt/magic/tmp", "--", "/bin/true"]);
      expect(r.code).toBe(255);
      expect(r.stderr).toStartWith("nsjail: open the mount point /mnt/magic/tmp in the new root [--tmpfs[0]]: ELOOP");
    });

    test("nothing the jail mounts reaches the outside, even where every mount is shared", () => {
      // The test's own mount namespace plays the host, with systemd's shared propagation.
      const run = [...dropTo(as), binaryFor(as), "run", "--rootfs", root.dir, "--tmpfs", "/tmp", "--ro-bind", `${root.outside}:/srv`, "--", "/bin/true"];
      const script = `set -e; mount --make-rshared /; before="$(cat /proc/self/mountinfo)"\n${run.map((a) => `'${a}'`).join(" ")}\n[ "$(cat /proc/self/mountinfo)" = "$before" ] && echo unchanged`;
      const r = Bun.spawnSync(["unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
      expect(withoutJailLines(r.stderr.toString())).toBe("");
      expect(r.stdout.toString()).toBe("unchanged\n");
    });

    test("the rootfs is never written: a missing mount point is an error unless create = true", () => {
      const missing = nsjail(as, ["run", "--rootfs", root.dir, "--tmpfs", "/not-there", "--", "/bin/true"]);
      expect(missing.code).toBe(255);
      expect(missing.stderr).toContain("[--tmpfs[0]]: ENOENT");
      expect(missing.stderr).toContain("set create = true");
      expect(existsSync(join(root.dir, "not-there"))).toBe(false);
    });

    test("nsjail join enters the rootfs jail: its root, its mounts, what its hooks wrote", async () => {
      const sock = join(root.outside, `join-${as}.sock`);
      const run = ["run", "--rootfs", root.dir, "--tmpfs", "/tmp", "--hook-as-root", "write:/tmp/mark inside", "--setns-socket", sock, ...sh("exec sleep 30")];
      const jail = Bun.spawn([...dropTo(as), binaryFor(as), ...run], { stdout: "ignore", stderr: "pipe" });
      try {
        const r = nsjail(as, ["join", "--wait", "5", sock, ...sh("cat /tmp/mark; echo; cat /etc/conf.d/app.conf; ls -A /tmp; pwd")]);
        expect(r.stderr).toBe("");
        expect(r.stdout).toBe("inside\nfrom the rootfs\nmark\n/\n");
      } finally {
        jail.kill("SIGTERM");
        await jail.exited;
      }
      expect(existsSync(sock)).toBe(false);
    });
  });
}

describe.skipIf(!(ready && host.root))("create = true", () => {
  // Real root (no user namespace): the jail's own ids may not write a root-owned rootfs.
  test("makes the missing mount point in the rootfs, and only then", () => {
    const scratch = buildTestRoot();
    try {
      mkdirSync(join(scratch.dir, "var"), { mode: 0o755 });
      const toml = `rootfs = "${scratch.dir}"\nunshare = ["fs", "pid", "uts", "ipc", "net"]\ncommand = ["/bin/sh", "-c", "ls -d /var/made/deep"]\n[[mount]]\ntype = "tmpfs"\ndst = "/var/made/deep"\ncreate = true\n`;
      const file = join(scratch.outside, "create.toml");
      writeFileSync(file, toml);
      const r = nsjail("root", ["run", "-c", file]);
      expect(r.stdout).toBe("/var/made/deep\n");
      expect(existsSync(join(scratch.dir, "var/made/deep"))).toBe(true);
    } finally {
      scratch.remove();
    }
  });
});
