// A rootfs jail under [limits] and [seccomp], as root (with a cgroup of its own, under a cgroup
// of the test's) and rootless (rlimits and the filter: on a cgroup v1 host only root may make
// cgroups, and the refusal is one line). Seen from inside: the limits hold in the new root, the
// command is looked up there before the filter goes in, and the hooks run before the filter.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cgroupsWritable, testCgroup, type TestCgroup } from "../support/cgroup-parent.ts";
import { fsJailReady } from "../support/fs-jail.ts";
import { host, requireHost } from "../support/host.ts";
import { type As, nsjail, removeNobodyCopy } from "../support/jail.ts";
import { buildRootfs, type Rootfs } from "../support/rootfs.ts";

const ready = fsJailReady();
const writable = ready && cgroupsWritable();
requireHost(writable, "root and writable cgroups with the memory, pids and cpu controllers");

let rootfs: Rootfs;
let parent: TestCgroup | null = null;

beforeAll(() => {
  if (!ready) return;
  rootfs = buildRootfs();
  // A command only the rootfs has, found along the jail's PATH.
  mkdirSync(join(rootfs.dir, "usr/local/bin"), { recursive: true, mode: 0o755 });
  writeFileSync(join(rootfs.dir, "usr/local/bin/rootfs-only"), "#!/bin/sh\necho only in the rootfs\n", { mode: 0o755 });
  if (writable) parent = testCgroup();
});
afterAll(() => {
  parent?.remove();
  rootfs?.remove();
  removeNobodyCopy();
});

/** nsjail run in the rootfs with its exit record on fd 3, split back out of stderr; as root
 * started in the test's cgroup and given `cgroup` flags too. */
function run(as: As, cgroup: readonly string[], args: readonly string[]) {
  const shell = as === "root" ? `${parent!.enter}exec 3>&2; ` : "exec 3>&2; ";
  const limits = as === "root" ? cgroup : [];
  const r = nsjail(as, ["run", "--status-fd", "3", "--rootfs", rootfs.dir, ...limits, ...args], { shell });
  const lines = r.stderr.split("\n");
  const json = lines.find((l) => l.startsWith("{"));
  return { ...r, stderr: lines.filter((l) => !l.startsWith("{")).join("\n"), record: json ? (JSON.parse(json) as Record<string, unknown>) : null };
}

const DENY_MKDIR = ["--seccomp-deny", "mkdir", "--seccomp-deny", "mkdirat"];

for (const as of ["root", "nobody"] as const satisfies readonly As[]) {
  const enabled = ready && (as === "root" ? writable : host.rootless);

  describe.skipIf(!enabled)(`a rootfs jail with limits and a seccomp filter as ${as}`, () => {
    test("rlimits and the filter hold inside the new root; as root, pids too, from a cgroup seen as /", () => {
      const forks = as === "root" ? "grep pids /proc/self/cgroup; i=0; while [ $i -lt 20 ]; do sleep 5 & i=$((i+1)); echo $i; done" : "id -u";
      const r = run(as, ["--pids", "8"], ["--rlimit-nofile", "64", ...DENY_MKDIR, "--", "/bin/sh", "-c", `cat /etc/hostname; ulimit -n; mkdir /tmp/x; echo mkdir $?; ${forks}`]);
      const [hostname, nofile, mkdir, ...rest] = r.stdout.trim().split("\n");
      expect([hostname, nofile, mkdir]).toEqual(["rootfs", "64", "mkdir 1"]);
      expect(r.stderr).toContain("mkdir: can't create directory '/tmp/x': Operation not permitted");
      if (as === "nobody") {
        expect(rest).toEqual(["65534"]);
        expect(r.record).toMatchObject({ reason: "exited", exit_code: 0 });
        return;
      }
      // 8 pids: the init, the shell and six sleeps; the seventh fork fails.
      expect(rest[0]).toMatch(/:pids:\/$/);
      expect(rest.at(-1)).toBe("6");
      expect(r.stderr).toContain("can't fork");
      expect(r.record).toMatchObject({ reason: "exited", exit_code: 2 });
      expect(parent!.jails()).toEqual([]);
    });

    test("the command is looked up inside the new root before the filter: 127 for a host-only one", () => {
      for (const command of ["setpriv", Bun.which("setpriv")!]) {
        const missing = run(as, ["--pids", "8"], [...DENY_MKDIR, "--", command, "--help"]);
        expect(missing.code).toBe(127);
        expect(missing.stderr).toContain(`execve ${command} [command]: ENOENT (No such file or directory)`);
        expect(missing.record).toMatchObject({ reason: "setup_failed", nsjail_exit: 127, setup: { op: "faccessat", key: "command", errno: "ENOENT" } });
      }
      const present = run(as, ["--pids", "8"], [...DENY_MKDIR, "--", "rootfs-only"]);
      expect(present.stdout).toBe("only in the rootfs\n");
      expect(present.record).toMatchObject({ reason: "exited", exit_code: 0 });
      if (as === "root") expect(parent!.jails()).toEqual([]);
    });

    test("hooks run before the filter; the command is killed at the denied call", () => {
      const hooks = ["--hook-as-root", "exec:uname -s", "--hook-as-user", "exec:uname -m"];
      const r = run(as, ["--pids", "8"], [...hooks, "--seccomp-deny", "uname", "--seccomp-deny-action", "kill", "--", "uname"]);
      expect(r.stdout).toBe(`Linux\n${process.arch === "arm64" ? "aarch64" : "x86_64"}\n`);
      expect(r.code).toBe(159);
      expect(r.record).toMatchObject({ reason: "seccomp", signal: "SIGSYS", syscall: "uname", nsjail_exit: 159 });
      if (as === "root") expect(parent!.jails()).toEqual([]);
    });
  });
}

test.skipIf(!writable)("host hooks wrap the start: hook_pre_jail before the jail's cgroup is made, hook_post_spawn with the jail in it", () => {
  // The hooks' shell is nsjail's child, and nsjail names the jail's cgroups after its own pid.
  const pre = `exec:echo pre $(find /sys/fs/cgroup -maxdepth 3 -name "nsjail.$PPID.*" | wc -l)`;
  const post = "exec:cat /proc/$NSJAIL_PID/cgroup";
  const r = run("root", ["--pids", "8"], ["--hook-pre-jail", pre, "--hook-post-spawn", post, "--", "/bin/sleep", "0.5"]);
  const [before, ...inJail] = r.stdout.trim().split("\n");
  expect(before).toBe("pre 0");
  expect(inJail.filter((l) => /:\/.*\/nsjail\.\d+\.0$/.test(l)).length).toBeGreaterThan(0);
  expect(r.record).toMatchObject({ reason: "exited", exit_code: 0 });
  expect(parent!.jails()).toEqual([]);
});

test.skipIf(!ready || !host.rootless)("rootless, a cgroup limit in a rootfs jail is refused with one line and no jail", () => {
  const r = nsjail("nobody", ["run", "--rootfs", rootfs.dir, "--pids", "8", "--seccomp-deny", "uname", "--", "/bin/true"]);
  expect(r.code).toBe(255);
  expect(r.stderr).toMatch(/^nsjail: cgroup v[12]: .*EACCES.*\n$/);
});
