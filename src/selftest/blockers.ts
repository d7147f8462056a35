// `nsjail test`: the known reasons a host refuses namespaces or cgroups, each detected from
// what the host shows (sysctls, our own seccomp mode, cgroup permissions) and turned into a
// hint naming the setting and the fix.

/** Reads a small text file (a sysctl, /proc/self/status); null when it cannot. */
export type ReadText = (path: string) => string | null;

export interface HostView {
  readonly read: ReadText;
  /** nsjail's own uid: several blockers only stop unprivileged callers. */
  readonly uid: number;
}

interface Blocker {
  /** The hint when this blocker is present on `host` and could explain `error`, else null. */
  detect(host: HostView, error: string): string | null;
}

const sysctl = (host: HostView, name: string) => host.read(`/proc/sys/${name.replace(/\./g, "/")}`)?.trim() ?? null;

/** A sysctl whose `value` blocks user namespaces (for unprivileged callers only when `rootless`). */
function sysctlBlocker(name: string, value: string, rootless: boolean, fix: string): Blocker {
  return {
    detect: (host) => (sysctl(host, name) === value && (!rootless || host.uid !== 0) ? `${name}=${value}: ${fix}` : null),
  };
}

/** Why user namespaces (and rootless, every namespace) may be refused. */
const USERNS_BLOCKERS: readonly Blocker[] = [
  sysctlBlocker("user.max_user_namespaces", "0", false, "no user namespace may be created (sysctl -w user.max_user_namespaces=15000)"),
  sysctlBlocker("kernel.unprivileged_userns_clone", "0", true, "unprivileged user namespaces are off (sysctl -w kernel.unprivileged_userns_clone=1)"),
  sysctlBlocker(
    "kernel.apparmor_restrict_unprivileged_userns", "1", true,
    "AppArmor gives unconfined programs no capabilities in a new user namespace (give nsjail an AppArmor profile with `userns,`, or sysctl -w kernel.apparmor_restrict_unprivileged_userns=0)",
  ),
];

/** A seccomp filter on nsjail itself (a container's default profile) that refuses clone/unshare
 * with namespace flags: the kernel then says EPERM whatever the sysctls allow. */
const CONTAINER_SECCOMP: Blocker = {
  detect: (host, error) => {
    const mode = /^Seccomp:\s+(\d)/m.exec(host.read("/proc/self/status") ?? "")?.[1];
    if (mode !== "2" || !/EPERM/.test(error)) return null;
    return "nsjail runs under a seccomp filter (Seccomp: 2 in /proc/self/status), as in a container whose profile denies namespaces (e.g. docker run --security-opt seccomp=unconfined, or a profile allowing clone3, unshare and setns)";
  },
};

/** The hint for a namespace probe that failed with `error`, or null when no known blocker is
 * present. Unprivileged, every namespace hangs on the user namespace. */
export function namespaceBlocker(ns: string, error: string, host: HostView): string | null {
  const blockers = ns === "user" || host.uid !== 0 ? [...USERNS_BLOCKERS, CONTAINER_SECCOMP] : [CONTAINER_SECCOMP];
  for (const b of blockers) {
    const hint = b.detect(host, error);
    if (hint !== null) return hint;
  }
  return null;
}

export const NO_WRITABLE_CGROUP = "no writable cgroup: cgroup limits need root, or a cgroup delegated to this user (e.g. systemd-run --user --scope -p Delegate=yes nsjail …)";
