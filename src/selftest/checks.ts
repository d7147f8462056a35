// `nsjail test`: what this kernel and host allow, probed for real. Each check is data (see
// check.ts); the namespace probes run actual jails, and a failure names the known blocker.
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readHostFacts } from "../config/host.ts";
import type { Namespace } from "../config/model.ts";
import { NO_LIMITS } from "../config/limits-model.ts";
import { resolveConfig } from "../config/resolve.ts";
import { parseCgroupPlaces } from "../launch/cgroup/detect.ts";
import { createLogger } from "../log.ts";
import { namespaceBlocker, NO_WRITABLE_CGROUP, type HostView } from "./blockers.ts";
import { type Check, type CheckResult, fail, ok, skip } from "./check.ts";

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

const UID = process.getuid?.() ?? 0;
const HOST: HostView = { read: readText, uid: UID };

/** Runs /bin/true in a jail with only `ns` (plus user when not root) and `keys`: the
 * namespaces it got, or what went wrong. */
async function probeJail(ns: readonly Namespace[], keys: Record<string, unknown> = {}): Promise<{ ok: boolean; detail: string }> {
  const { prepareJail, runJail } = await import("../jail.ts");
  const host = readHostFacts();
  const lines: string[] = [];
  const log = createLogger("warn", (l) => void lines.push(l.trim()));
  try {
    const config = resolveConfig({ file: null, cli: { unshare: [...ns], ...keys }, command: ["/bin/true"] }, host);
    const code = await runJail(prepareJail(config, host), host, log);
    return { ok: code === 0, detail: code === 0 ? [...config.unshare].join(",") || "none" : `exit ${code} ${lines.join("; ")}` };
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  }
}

/** This very nsjail, as a command line: the compiled binary, or bun running the sources. */
function selfArgv(): string[] {
  return Bun.main.startsWith("/$bunfs/") ? [process.execPath] : [process.execPath, Bun.main];
}

const SETNS_HINT = "nsjail join needs SCM_RIGHTS, setns(2) and the nsfs ioctls (Linux ≥ 4.11)";

/** A jail serving a setns socket, joined by `nsjail join`, which ends it from inside. */
async function probeSetns(): Promise<CheckResult> {
  const { prepareJail, runJail } = await import("../jail.ts");
  const host = readHostFacts();
  const dir = mkdtempSync(join(tmpdir(), "nsjail-test-"));
  const socket = join(dir, "setns.sock");
  const lines: string[] = [];
  const log = createLogger("warn", (l) => void lines.push(l.trim()));
  try {
    const cli = { setns_socket: socket, hostname: "nsjail-selftest", unshare: ["fs", "pid", "uts"], time_limit: 10 };
    const config = resolveConfig({ file: null, cli, command: ["/bin/sh", "-c", "exec sleep 10"] }, host);
    const jail = runJail(prepareJail(config, host), host, log);
    // PID 2 is the jail's command: the joined shell is in its pid namespace, with its uid. It
    // ends the jail only after it has exited itself: the end of a pid namespace kills every
    // process in it, the joined shell included (join would then exit 137, not 0).
    const script = "hostname; (sleep 0.2; kill -TERM 2) >/dev/null 2>&1 &";
    const client = Bun.spawn([...selfArgv(), "join", "--wait", "5", socket, "--", "/bin/sh", "-c", script], { stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(client.stdout).text(), new Response(client.stderr).text(), client.exited]);
    await jail;
    if (code !== 0 || out !== "nsjail-selftest\n") return fail(`join exited ${code}: ${err.trim() || out.trim() || lines.join("; ")}`, SETNS_HINT);
    return existsSync(socket) ? fail("the socket outlived its jail", SETNS_HINT) : ok("served, joined and removed");
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err), SETNS_HINT);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const NAMESPACE_HINTS: Record<Namespace, string> = {
  user: "unprivileged user namespaces are off (see user.max_user_namespaces, kernel.unprivileged_userns_clone)",
  fs: "mount namespaces need CONFIG_NAMESPACES; in a container, seccomp or AppArmor may forbid mount",
  pid: "pid namespaces need CONFIG_PID_NS",
  uts: "uts namespaces need CONFIG_UTS_NS",
  ipc: "ipc namespaces need CONFIG_IPC_NS",
  net: "network namespaces need CONFIG_NET_NS",
  cgroup: "cgroup namespaces need Linux ≥ 4.6 and CONFIG_CGROUPS",
  time: "time namespaces need Linux ≥ 5.6 and CONFIG_TIME_NS",
};

async function probeNamespaces(ns: readonly Namespace[], generic: string): Promise<CheckResult> {
  const r = await probeJail(ns);
  if (r.ok) return ok(r.detail);
  return fail(r.detail, namespaceBlocker(ns[0] ?? "user", r.detail, HOST) ?? generic);
}

/** Unprivileged, every other namespace is created inside the user namespace. */
const NEEDS_USER = UID === 0 ? [] : ["namespace user"];

function namespaceCheck(ns: Namespace): Check {
  return { name: `namespace ${ns}`, needs: ns === "user" ? [] : NEEDS_USER, probe: () => probeNamespaces([ns], NAMESPACE_HINTS[ns]) };
}

function helperCheck(file: string): Check {
  return {
    name: file,
    probe: async () => {
      if (UID === 0) return skip("root writes id maps itself");
      const path = ["/usr/bin", "/bin", "/usr/sbin"].map((d) => `${d}/${file}`).find((p) => existsSync(p));
      if (!path) return skip("not installed: only id ranges (a uid_map count above 1) need it", "install package uidmap");
      const setuid = (statSync(path).mode & 0o4000) !== 0; // S_ISUID
      return setuid ? ok(`${path} (setuid)`) : fail(`${path} is not setuid`, `chmod u+s ${path}, or reinstall package uidmap`);
    },
  };
}

/** The calls every mount of a file-system jail goes through: present unless ENOSYS. A bad fd
 * makes each fail at once without touching anything. */
const MOUNT_API = ["open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "openat2", "mount_setattr"] as const;
const ENOSYS = 38;
const MOUNT_API_HINT = "rootfs, keep_mount and [[mount]] need Linux ≥ 5.12 (open_tree, fsmount, openat2, mount_setattr)";

async function probeMountApi(): Promise<CheckResult> {
  const { loadNative, NR } = await import("../sys/ffi.ts");
  const native = loadNative();
  const missing = MOUNT_API.filter((name) => native.syscall(NR[name], -1, 0, 0, 0, 0) === -ENOSYS);
  return missing.length === 0 ? ok(MOUNT_API.join(", ")) : fail(`missing: ${missing.join(", ")}`, MOUNT_API_HINT);
}

/** A cgroup directory of ours we may write (create children in): v2, or v1 memory/pids. */
async function probeCgroups(): Promise<CheckResult> {
  const places = parseCgroupPlaces(readText("/proc/self/cgroup") ?? "", readText("/proc/self/mountinfo") ?? "");
  const dirs = [...(places.v2 === null ? [] : [["v2", places.v2]]), ...[...places.v1].filter(([c]) => c === "memory" || c === "pids")];
  if (dirs.length === 0) return fail("no cgroup hierarchy is mounted", "mount cgroup2 at /sys/fs/cgroup");
  const writable = dirs.filter(([, dir]) => {
    try {
      accessSync(dir!, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  });
  const list = (xs: string[][]) => xs.map(([c, d]) => `${c} ${d}`).join(", ");
  if (writable.length > 0) return ok(`writable: ${list(writable)}`);
  return UID === 0 ? fail(`not writable: ${list(dirs)}`, NO_WRITABLE_CGROUP) : skip(`not writable by uid ${UID}: ${list(dirs)}`, NO_WRITABLE_CGROUP);
}

/** A cgroup of the jail's kind, made with a limit and removed, as a jail with [limits] has. */
async function probeJailCgroup(): Promise<CheckResult> {
  const { jailCgroups } = await import("../launch/cgroup/index.ts");
  try {
    const jail = jailCgroups(createLogger("error")).create({ ...NO_LIMITS, pids: 16 });
    jail.remove();
    return ok(`cgroup v${jail.version}: made and removed ${jail.dirs[0]}`);
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err), "[limits] memory, pids and cpu cannot be used by this user here");
  }
}

/** With a pid namespace the filter hands its listener to the jail's init: both paths run. */
async function probeSeccompJail(): Promise<CheckResult> {
  const r = await probeJail(["pid"], { seccomp: { deny: ["uname"], deny_action: "kill" } });
  if (r.ok) return ok("a jail ran under a filter that kills, its listener held by the init");
  return fail(r.detail, "a container's own seccomp filter may forbid seccomp(2), or hold the one listener a process may have");
}

export const CHECKS: readonly Check[] = [
  {
    name: "jail without namespaces",
    probe: async () => {
      const r = await probeJail([]);
      return r.ok ? ok(r.detail) : fail(r.detail, "clone3(2) needs Linux ≥ 5.3; close_range(2) ≥ 5.11");
    },
  },
  // The hint table lists every namespace, user first: the others depend on it rootless.
  ...(Object.keys(NAMESPACE_HINTS) as Namespace[]).map(namespaceCheck),
  {
    name: "default jail",
    needs: ["namespace fs", "namespace ipc", "namespace pid", "namespace uts", "namespace net", "namespace cgroup"],
    probe: () => probeNamespaces(["fs", "ipc", "pid", "uts", "net", "cgroup"], "one of the namespaces above is missing"),
  },
  { name: "setns socket", needs: ["namespace pid", "namespace uts", "namespace fs"], probe: probeSetns },
  { name: "mount API", probe: probeMountApi },
  helperCheck("newuidmap"),
  helperCheck("newgidmap"),
  { name: "cgroups", probe: probeCgroups },
  {
    name: "seccomp",
    probe: async () => {
      const mode = readText("/proc/self/status")?.match(/^Seccomp:\s+(\d)/m)?.[1];
      return mode === undefined ? fail("not available", "the kernel lacks CONFIG_SECCOMP_FILTER") : ok(`available (this process: mode ${mode})`);
    },
  },
  { name: "jail cgroup", needs: ["cgroups"], probe: probeJailCgroup },
  { name: "seccomp filter", needs: ["seccomp", "namespace pid"], probe: probeSeccompJail },
  {
    name: "memfd exec",
    probe: async () => {
      const value = readText("/proc/sys/vm/memfd_noexec")?.trim() ?? "absent";
      return value !== "2" ? ok(`vm.memfd_noexec=${value}`) : fail(`vm.memfd_noexec=${value}`, "vm.memfd_noexec=2 forbids executing memfds: the jail's init cannot start (sysctl -w vm.memfd_noexec=0)");
    },
  },
  {
    name: "/proc/self/fd",
    probe: async () => (existsSync("/proc/self/fd") ? ok("mounted") : fail("missing", "the trampoline is loaded through /proc/self/fd; mount /proc")),
  },
];
