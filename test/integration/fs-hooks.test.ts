// uWSGI's hooks by phase and the seed's pivot_root recipe, as root and rootless, and the
// examples/ files run for real against a busybox rootfs. A failing hook ends the jail with
// 255 and one line naming phase, index, action, path and errno.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkHostMountsUnchanged, buildTestRoot, fsJailReady, hostTmpfs, inMountNs, type TestRoot } from "../support/fs-jail.ts";
import { host } from "../support/host.ts";
import { type As, nsjail, removeNobodyCopy } from "../support/jail.ts";
import { EXAMPLES_DIR } from "../support/plans.ts";

const ready = fsJailReady();

let root: TestRoot;
let ns: string;
beforeAll(() => {
  if (!ready) return;
  root = buildTestRoot();
  ns = join(root.outside, "ns");
  mkdirSync(ns, { mode: 0o755 });
});
afterAll(() => {
  root?.remove();
  removeNobodyCopy();
});

const example = (name: string) => join(EXAMPLES_DIR, name);
/**
 * An example with the test's paths for the host paths it names, written next to the test's
 * rootfs. A list flag adds to the file's list, so the paths are changed in the file itself.
 */
function exampleAt(as: As, name: string, edits: readonly (readonly [string, string])[]): string {
  let text = readFileSync(example(name), "utf8");
  for (const [from, to] of edits) text = text.replaceAll(from, to);
  const path = join(root.outside, `${as}-${name}`);
  writeFileSync(path, text);
  return path;
}

/** The seed recipe with the test's rootfs for /distros/precise and the test's NEW for /ns;
 * `extra` as_root hooks run before the umount. Rootless it adds the user namespace, and /dev
 * (which holds other mounts) binds only with rec there. */
const seedConfig = (as: As, extra: string[] = []) =>
  exampleAt(as, "pivot-root.toml", [
    ["/distros/precise", root.dir],
    ['"/ns /ns/.old_root"', `"${ns} ${ns}/.old_root"`],
    [" /ns bind", ` ${ns} bind`],
    ['"umount:/.old_root', [...extra.map((h) => JSON.stringify(h)), '"umount:/.old_root'].join(", ")],
    ...(as === "root" ? [] : ([['"net"]', '"net", "user"]'], ['/dev /dev bind"', '/dev /dev bind,rec"']] as const)),
  ]);

describe.skipIf(!(ready && host.root))("examples/pivot-root.toml as root, verbatim", () => {
  checkHostMountsUnchanged();

  test("the seed recipe runs as written: PID 2 in the new root, the old root gone", () => {
    const r = nsjail("root", ["run", "-c", seedConfig("root")]);
    expect(r.stdout).toBe("pid 2 in rootfs: old root []\n");
    expect(r.code).toBe(0);
  });
});

for (const as of ["root", "nobody"] as const satisfies readonly As[]) {
  const enabled = ready && (as === "root" ? host.root : host.rootless);

  describe.skipIf(!enabled)(`hooks as ${as}`, () => {
    checkHostMountsUnchanged();

    test("pivot_root: the old root is reachable in as_root hooks and gone after the umount hook", () => {
      const grab = `mount:none /.old_root${root.outside} /mnt bind`;
      const script = "cat /mnt/host-file; ls -A /.old_root | wc -l; grep -c ' /dev/pts ' /proc/self/mountinfo; ls /proc | grep -cE '^[0-9]+$'";
      const r = nsjail(as, ["run", "-c", seedConfig(as, [grab]), "--", "/bin/sh", "-c", script]);
      expect(r.stderr.replace(/.*runs as real root.*\n/, "")).toBe("");
      const [file, left, pts, pids] = r.stdout.split("\n");
      expect(file).toBe("from the host");
      expect(left).toBe("0");
      expect(Number(pts)).toBeGreaterThan(0);
      expect(Number(pids)).toBeLessThan(10);
    });

    test("a failing in-jail hook: 255 and one line with phase, index, action, path and errno", () => {
      const args = ["run", "--rootfs", root.dir, "--hook-as-root", "chdir:/tmp", "--hook-as-root", "mount:none /no/such /mnt bind", "--", "/bin/true"];
      const r = nsjail(as, args);
      expect(r.code).toBe(255);
      expect(r.stderr).toBe("nsjail: mount none /no/such /mnt bind [hook_as_root[1]]: ENOENT (No such file or directory)\n");
    });

    test("an exec hook that fails fails the jail with its status", () => {
      const r = nsjail(as, ["run", "--rootfs", root.dir, "--hook-as-user", "exec:exit 3", "--", "/bin/true"]);
      expect(r.code).toBe(255);
      expect(r.stderr).toBe("nsjail: exec /bin/sh -c exit 3 [hook_as_user[0]]: exited with 3\n");
    });

    test("as_root hooks run privileged before the id switch, as_user ones after it", () => {
      // The jail's root is mapped (uid_map 0 and 1000): as_root runs as it, as_user as uwsgi.
      const maps = as === "root" ? ["--uid-map", "0:65534:1", "--uid-map", "1000:1000:1", "--gid-map", "0:65534:1", "--gid-map", "1000:1000:1"] : [];
      const args = ["run", "--rootfs", root.dir, "--uid", "uwsgi", "--gid", "uwsgi", ...maps, "--tmpfs", "/tmp"];
      const caps = "grep CapEff /proc/self/status | cut -f2";
      const hooks = ["--hook-as-root", `exec:{ id -u; ${caps}; } > /tmp/as-root`, "--hook-as-root", "write:/tmp/w written", "--hook-as-user", `exec:{ id -u; ${caps}; } > /tmp/as-user`];
      const r = nsjail(as, [...args, ...hooks, "--", "/bin/sh", "-c", "cat /tmp/as-root /tmp/as-user /tmp/w"]);
      expect(r.stderr).toBe("");
      // Rootless only the caller's own uid is mapped: as_root runs as uwsgi, but still with
      // every capability of the namespace (ambient until the caps phase).
      const asRoot = as === "root" ? "0\n000001ffffffffff" : "1000\n000001ffffffffff";
      expect(r.stdout).toBe(`${asRoot}\n1000\n0000000000000000\nwritten`);
    });

    test("host hooks: pre_jail before the clone, post_spawn with NSJAIL_PID", () => {
      const pre = join(root.outside, `pre-${as}`);
      const post = join(root.outside, `post-${as}`);
      const args = ["--hook-pre-jail", `write:${pre} before`, "--hook-post-spawn", `exec:echo $NSJAIL_PID > ${post}`];
      const r = nsjail(as, ["run", "--rootfs", root.dir, ...args, "--", "/bin/sh", "-c", "cat /proc/1/cmdline >/dev/null; sleep 0.3"]);
      expect(r.code).toBe(0);
      expect(readFileSync(pre, "utf8")).toBe("before");
      expect(Number(readFileSync(post, "utf8"))).toBeGreaterThan(1);
      const bad = nsjail(as, ["run", "--rootfs", root.dir, "--hook-post-spawn", "exec:exit 4", "--", "/bin/sleep", "10"]);
      expect(bad.code).toBe(255);
      expect(bad.stderr).toBe("nsjail: exec /bin/sh -c exit 4 [hook_post_spawn[0]]: exited with 4\n");
    });

    test("examples/namespace.toml: ROOT:HOST with a uid from the rootfs", () => {
      const r = nsjail(as, ["run", "-c", example("namespace.toml"), "--namespace", `${root.dir}:mybeautifulhostname`]);
      expect(r.stderr).toBe("");
      expect(r.stdout).toMatch(/^mybeautifulhostname: pid 2 as uwsgi, in \/home\/uwsgi; \/proc holds \d pids\n$/);
    });

    test("examples/keep-mount.toml: both forms", () => {
      const setup = hostTmpfs(`${root.dir}/apps/nfs`, "nfs");
      const file = exampleAt(as, "keep-mount.toml", [
        ["/ns/001/apps/nfs", `${root.dir}/apps/nfs`],
        ['"/mnt/nfs1:/nfs"', `"${root.outside}:/nfs"`],
        ['"/ns/001:kept"', `"${root.dir}:kept"`],
      ]);
      const r = inMountNs(as, setup, ["run", "-c", file]);
      expect(r.stderr).toBe("");
      expect(r.stdout).toContain(" /apps/nfs ");
      expect(r.stdout).toContain(" /nfs ");
    });

    test("examples/empty-root.toml and examples/mounts.toml run on this host", () => {
      const empty = nsjail(as, ["run", "-c", example("empty-root.toml")]);
      expect(empty.code).toBe(0);
      expect(empty.stdout).toContain(" usr\n");
      const mounts = nsjail(as, ["run", "-c", example("mounts.toml")]);
      expect(mounts.stderr).toBe("");
      expect(mounts.stdout).toMatch(/^every mount kind\nlo\n\/scratch\/x\n\d+\n$/);
    });
  });
}
