// `nsjail test`: what this kernel and host allow, probed for real. Each check is data — a
// name, a probe and a hint for when it fails — and the namespace probes run actual jails.
import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import type { Namespace } from "../config/model.ts";
import { readHostFacts } from "../config/host.ts";
import { resolveConfig } from "../config/resolve.ts";
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

/** Runs /bin/true in a jail with only `ns` (plus user when not root) and reports how it went. */
async function probeJail(ns: readonly Namespace[]): Promise<CheckResult> {
  const { prepareJail, runJail } = await import("../jail.ts");
  const host = readHostFacts();
  const lines: string[] = [];
  const log = createLogger("warn", (l) => void lines.push(l.trim()));
  try {
    const config = resolveConfig({ file: null, cli: { unshare: [...ns] }, command: ["/bin/true"] }, host);
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

/** The calls every mount of a file-system jail goes through: present unless ENOSYS. A bad fd
 * makes each fail at once without touching anything. */
const MOUNT_API = ["open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "openat2", "mount_setattr"] as const;
const ENOSYS = 38;

async function probeMountApi(): Promise<CheckResult> {
  const { loadNative, NR } = await import("../sys/ffi.ts");
  const native = loadNative();
  const missing = MOUNT_API.filter((name) => native.syscall(NR[name], -1, 0, 0, 0, 0) === -ENOSYS);
  return { ok: missing.length === 0, detail: missing.length === 0 ? MOUNT_API.join(", ") : `missing: ${missing.join(", ")}` };
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
  {
    name: "mount API",
    required: false,
    hint: "rootfs, keep_mount and [[mount]] need Linux ≥ 5.12 (open_tree, fsmount, openat2, mount_setattr)",
    probe: probeMountApi,
  },
  helperCheck("newuidmap"),
  helperCheck("newgidmap"),
  {
    name: "cgroups",
    required: false,
    hint: "no cgroup hierarchy is mounted at /sys/fs/cgroup",
    probe: async () => {
      const v2 = existsSync("/sys/fs/cgroup/cgroup.controllers");
      const controllers = v2 ? readSysctl("/sys/fs/cgroup/cgroup.controllers") : null;
      const v1 = ["memory", "pids", "cpu"].filter((c) => existsSync(`/sys/fs/cgroup/${c}`));
      if (v2) return { ok: true, detail: `v2 (controllers: ${controllers || "none"})` };
      return { ok: v1.length > 0, detail: v1.length ? `v1 (${v1.join(", ")})` : "none found" };
    },
  },
  {
    name: "seccomp",
    required: false,
    hint: "the kernel lacks CONFIG_SECCOMP_FILTER",
    probe: async () => {
      const line = readFileSync("/proc/self/status", "utf8").match(/^Seccomp:\s+(\d)/m);
      return { ok: line !== null, detail: line ? `available (this process: mode ${line[1]})` : "not available" };
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
