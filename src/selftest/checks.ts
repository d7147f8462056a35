// `nsjail test`: what this kernel and host allow, probed for real. Each check is data — a
// name, a probe and a hint for when it fails — and the namespace probes run actual jails.
import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import type { Namespace } from "../config/model.ts";
import { readHostFacts } from "../config/host.ts";
import { resolveConfig } from "../config/resolve.ts";
import { NO_LIMITS } from "../config/limits-model.ts";
import { createLogger } from "../log.ts";

export interface CheckResult {
  readonly ok: boolean;
  readonly detail: string;
}

export interface Check {
  readonly name: string;
  /** Required checks decide the exit status; the others only inform. */
  readonly required: boolean;
  readonly hint: string;
  probe(): Promise<CheckResult>;
}

function readSysctl(path: string): string | null {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return null;
  }
}

/** Runs /bin/true in a jail with only `ns` (plus user when not root) and `keys`, and reports
 * how it went. */
async function probeJail(ns: readonly Namespace[], keys: Record<string, unknown> = {}): Promise<CheckResult> {
  const { prepareJail, runJail } = await import("../jail.ts");
  const host = readHostFacts();
  const lines: string[] = [];
  const log = createLogger("warn", (l) => void lines.push(l.trim()));
  try {
    const config = resolveConfig({ file: null, cli: { unshare: [...ns], ...keys }, command: ["/bin/true"] }, host);
    const code = await runJail(prepareJail(config, host), host, log);
    const list = [...config.unshare].join(",") || "none";
    return { ok: code === 0, detail: code === 0 ? list : `exit ${code} ${lines.join("; ")}` };
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  }
}

const NAMESPACE_HINTS: Record<Namespace, string> = {
  user: "unprivileged user namespaces are off: sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces>0, or AppArmor's restrict_unprivileged_userns",
  fs: "mount namespaces need CONFIG_NAMESPACES; in a container, seccomp or AppArmor may forbid mount",
  pid: "pid namespaces need CONFIG_PID_NS",
  uts: "uts namespaces need CONFIG_UTS_NS",
  ipc: "ipc namespaces need CONFIG_IPC_NS",
  net: "network namespaces need CONFIG_NET_NS",
  cgroup: "cgroup namespaces need Linux ≥ 4.6 and CONFIG_CGROUPS",
  time: "time namespaces need Linux ≥ 5.6 and CONFIG_TIME_NS",
};

function namespaceCheck(ns: Namespace): Check {
  return { name: `namespace ${ns}`, required: ns !== "time", hint: NAMESPACE_HINTS[ns], probe: () => probeJail([ns]) };
}

function helperCheck(file: string): Check {
  return {
    name: file,
    required: false,
    hint: `install package uidmap: id ranges beyond your own id need ${file}`,
    probe: async () => {
      const path = ["/usr/bin", "/bin", "/usr/sbin"].map((d) => `${d}/${file}`).find((p) => existsSync(p));
      if (!path) return { ok: false, detail: "not installed" };
      const setuid = (statSync(path).mode & 0o4000) !== 0; // S_ISUID
      return { ok: setuid || process.getuid!() === 0, detail: `${path}${setuid ? " (setuid)" : " (not setuid)"}` };
    },
  };
}

export const CHECKS: readonly Check[] = [
  { name: "jail without namespaces", required: true, hint: "clone3(2) needs Linux ≥ 5.3; close_range(2) ≥ 5.11", probe: () => probeJail([]) },
  // The hint table lists every namespace, user first: the others depend on it rootless.
  ...(Object.keys(NAMESPACE_HINTS) as Namespace[]).map(namespaceCheck),
  {
    name: "default jail",
    required: true,
    hint: "one of the namespaces above is missing",
    probe: () => probeJail(["fs", "ipc", "pid", "uts", "net", "cgroup"]),
  },
  helperCheck("newuidmap"),
  helperCheck("newgidmap"),
  {
    name: "cgroup hierarchy",
    required: false,
    hint: "no cgroup hierarchy is mounted (see /proc/self/mountinfo): [limits] memory, pids and cpu need one",
    probe: async () => {
      const { findCgroupPlaces } = await import("../launch/cgroup/detect.ts");
      const { nodeCgroupFs } = await import("../launch/cgroup/node-env.ts");
      const places = findCgroupPlaces(nodeCgroupFs);
      const v2 = places.v2 === null ? [] : [`v2 at ${places.v2} (controllers: ${readSysctl(`${places.v2}/cgroup.controllers`) || "none"})`];
      const v1 = places.v1.size === 0 ? [] : [`v1 (${[...places.v1.keys()].join(", ")})`];
      const found = [...v1, ...v2];
      return { ok: found.length > 0, detail: found.join("; ") || "none found" };
    },
  },
  {
    name: "jail cgroup",
    required: false,
    hint: "[limits] memory, pids and cpu cannot be used by this user here",
    probe: async () => {
      const { jailCgroups } = await import("../launch/cgroup/index.ts");
      try {
        const jail = jailCgroups(createLogger("error")).create({ ...NO_LIMITS, pids: 16 });
        jail.remove();
        return { ok: true, detail: `cgroup v${jail.version}: made and removed ${jail.dirs[0]}` };
      } catch (err) {
        return { ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
    },
  },
  {
    name: "seccomp filter",
    required: false,
    hint: "the kernel lacks CONFIG_SECCOMP_FILTER, or a container's own filter forbids seccomp(2)",
    probe: async () => {
      // With a pid namespace the filter hands its listener to the jail's init: both paths run.
      const probe = await probeJail(["pid"], { seccomp: { deny: ["uname"], deny_action: "kill" } });
      return probe.ok ? { ok: true, detail: "a jail ran under a filter that kills, its listener held by the init" } : probe;
    },
  },
  {
    name: "memfd exec",
    required: true,
    hint: "vm.memfd_noexec=2 forbids executing memfds: the jail's init cannot start",
    probe: async () => {
      const value = readSysctl("/proc/sys/vm/memfd_noexec") ?? "absent";
      return { ok: value !== "2", detail: `vm.memfd_noexec=${value}` };
    },
  },
  {
    name: "/proc/self/fd",
    required: true,
    hint: "the trampoline is loaded through /proc/self/fd; mount /proc",
    probe: async () => {
      try {
        accessSync("/proc/self/fd", constants.R_OK);
        return { ok: true, detail: "mounted" };
      } catch {
        return { ok: false, detail: "missing" };
      }
    },
  },
];
