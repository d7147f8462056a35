// Host path facts without a host: every path is where it is written, a directory unless
// listed as a file, and a rootfs has root, uwsgi and nobody. Plan goldens stay the same on
// every machine.
import type { HostPaths, PathKind } from "../../src/config/host-paths.ts";

const FILES = new Set(["/etc/hosts", "/etc/resolv.conf", "/etc/passwd", "/etc/group", "/dev/null", "/bin/busybox"]);
const ROOT_USERS: Record<string, number> = { root: 0, uwsgi: 1000, nobody: 65534 };
const ROOT_GROUPS: Record<string, number> = { root: 0, uwsgi: 1000, nogroup: 65534 };

export function fakePaths(over: { mounts?: readonly string[]; missing?: readonly string[] } = {}): HostPaths {
  const missing = new Set(over.missing ?? []);
  return {
    realpath: (p) => (missing.has(p) ? null : p),
    kind: (p): PathKind | null => (missing.has(p) ? null : FILES.has(p) ? "file" : "dir"),
    mountPoints: () => over.mounts ?? ["/", "/proc", "/dev", "/dev/pts", "/sys", "/tmp", "/ns/001/apps/nfs", "/ns/001/srv", "/ns/001/srv/cache"],
    idIn: (_root, table, name) => (table === "passwd" ? ROOT_USERS : ROOT_GROUPS)[name] ?? null,
  };
}
