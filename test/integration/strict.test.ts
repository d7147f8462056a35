// `--profile strict`, seen from inside the jail as root and rootless: each choice of
// docs/profiles.md holds. Rootless on this host the cgroup limits are lifted (`--pids max
// --memory max`): cgroup v1 has no delegation, and the refusal is tested too.
import { afterAll, describe, expect, test } from "bun:test";
import { readlinkSync } from "node:fs";
import { host, requireHost } from "../support/host.ts";
import { type As, nsjail, removeNobodyCopy, withoutJailLines } from "../support/jail.ts";

requireHost(host.binary, "a built ./nsjail (npm run build)");
requireHost(host.root, "root (CI runs the suite as root)");
requireHost(host.rootless, "unprivileged user namespaces and setpriv");

afterAll(removeNobodyCopy);

const USR = ["--ro-bind", "/usr", "--symlink", "usr/bin:/bin", "--symlink", "usr/lib:/lib", "--symlink", "usr/lib64:/lib64"];
const NAMESPACES = ["pid", "mnt", "uts", "ipc", "net", "user", "cgroup", "time"];

function strict(as: As, script: string, extra: readonly string[] = []) {
  const lift = as === "nobody" ? ["--pids", "max", "--memory", "max"] : [];
  return nsjail(as, ["run", "-q", "--profile", "strict", ...lift, ...USR, ...extra, "--", "/bin/sh", "-c", script]);
}

for (const as of ["root", "nobody"] as const satisfies readonly As[]) {
  const enabled = host.binary && (as === "root" ? host.root : host.rootless);

  describe.skipIf(!enabled)(`--profile strict as ${as}`, () => {
    test("uid and gid 65534 inside, never host root", () => {
      const r = strict(as, "id -u; id -g; cat /proc/self/uid_map");
      expect(r.code).toBe(0);
      const [uid, gid, map] = r.stdout.trim().split("\n");
      expect([uid, gid]).toEqual(["65534", "65534"]);
      // As root 65534 maps to host 65534; rootless the caller is 65534 too.
      expect(map!.trim().split(/\s+/)).toEqual(["65534", "65534", "1"]);
    });

    test("every namespace is the jail's own", () => {
      const r = strict(as, NAMESPACES.map((ns) => `readlink /proc/self/ns/${ns}`).join("; "));
      const inside = r.stdout.trim().split("\n");
      expect(inside).toHaveLength(NAMESPACES.length);
      NAMESPACES.forEach((ns, i) => expect(inside[i]).not.toBe(readlinkSync(`/proc/self/ns/${ns}`)));
    });

    test("an empty read-only root: only the mounts given, /tmp writable, no /sys", () => {
      const r = strict(as, "ls /; touch /x 2>&1; echo ok > /tmp/y && cat /tmp/y; ls /sys 2>&1; ls /etc 2>&1");
      const lines = r.stdout.split("\n");
      expect(lines.slice(0, 7)).toEqual(["bin", "dev", "lib", "lib64", "proc", "tmp", "usr"]);
      expect(r.stdout).toContain("Read-only file system");
      expect(r.stdout).toContain("ok\n");
      expect(r.stdout).toContain("/sys': No such file or directory");
      expect(r.stdout).toContain("/etc': No such file or directory");
    });

    test("kernel knobs are read-only and /dev is minimal", () => {
      const r = strict(as, "(echo x > /proc/sys/kernel/domainname) 2>&1; ls /dev");
      expect(r.stdout).toContain("Read-only file system");
      const dev = r.stdout.split("\n").slice(1).filter(Boolean);
      for (const node of ["null", "zero", "full", "random", "urandom", "tty", "pts"]) expect(dev).toContain(node);
      for (const node of ["mem", "kmsg", "sda", "vda"]) expect(dev).not.toContain(node);
    });

    test("no network but lo, a clean environment, no capabilities, a filter, no_new_privs", () => {
      const r = strict(as, "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; env | sort; grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status");
      expect(r.stdout).toBe(
        [
          "lo", "HOME=/", "LANG=C.UTF-8", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "PWD=/", "TERM=dumb",
          "CapEff:\t0000000000000000", "CapBnd:\t0000000000000000", "NoNewPrivs:\t1", "Seccomp:\t2", "",
        ].join("\n"),
      );
    });

    test("no user namespace of its own, no core dumps, bounded files", () => {
      const r = strict(as, "unshare -U true 2>&1; echo unshare=$?; ulimit -c; ulimit -n");
      expect(r.stdout).toBe("unshare: unshare failed: Operation not permitted\nunshare=1\n0\n1024\n");
    });

    test("flags override the profile", () => {
      const r = strict(as, "hostname; ulimit -n", ["--hostname", "other", "--rlimit-nofile", "64"]);
      expect(r.stdout).toBe("other\n64\n");
    });
  });
}

describe.skipIf(!(host.binary && host.root))("--profile strict's cgroup limits", () => {
  test("as root a fork bomb stops at the pids limit", () => {
    const r = strict("root", "for i in $(seq 300); do sleep 5 & done 2>/dev/null; sleep 0.2; ls /proc | grep -c '^[0-9]'", ["--time-limit", "20"]);
    expect(Number(r.stdout.trim())).toBeLessThanOrEqual(256);
  });
});

describe.skipIf(!(host.binary && host.rootless))("--profile strict rootless without a delegated cgroup", () => {
  test("is refused in one line that says how to delegate", () => {
    const r = nsjail("nobody", ["run", "-q", "--profile", "strict", ...USR, "--", "/bin/true"]);
    expect(r.code).toBe(255);
    expect(withoutJailLines(r.stderr).trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("Delegate=yes");
  });
});
