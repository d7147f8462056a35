// The one path of a jail: resolved config → plan → bytes → launch → supervise. The plan is
// built and encoded once, here; `--dry-run` prints the same plan, and a supervisor that
// starts a config many times can spawn the same bytes each time.
import type { HostFacts } from "./config/host.ts";
import { usesCgroup } from "./config/limits-model.ts";
import type { JailConfig } from "./config/model.ts";
import type { CgroupUsage, JailCgroup } from "./launch/cgroup/index.ts";
import { execInplace } from "./launch/inplace.ts";
import { checkPassedFds } from "./launch/pass-fds.ts";
import { spawnJail } from "./launch/spawn.ts";
import type { Logger } from "./log.ts";
import { buildPlan } from "./plan/build.ts";
import type { Plan } from "./plan/types.ts";
import type { Sys } from "./sys/sys.ts";
import { processEvents } from "./supervisor/events.ts";
import { Reaper } from "./supervisor/reaper.ts";
import { Supervisor, type JailEnd } from "./supervisor/supervisor.ts";
import { encodePlan } from "./wire/encode.ts";

export interface PreparedJail {
  readonly config: JailConfig;
  readonly plan: Plan;
  readonly bytes: Uint8Array;
}

export function prepareJail(config: JailConfig, host: HostFacts): PreparedJail {
  const plan = buildPlan(config, host);
  return { config, plan, bytes: encodePlan(plan) };
}

/** A short fingerprint of the encoded plan: `--dry-run` and a debug-level run print it, so
 * anyone can check that what was shown is what ran. */
export function planDigest(jail: PreparedJail): string {
  return `plan: ${jail.plan.ops.length} ops, ${jail.bytes.length} bytes, hash ${Bun.hash(jail.bytes).toString(16)}`;
}

let reaper: Reaper | undefined;

/** The host uid the command runs as: its uid seen through the uid map, if any. */
function hostUidOf(config: JailConfig): number | null {
  if (!config.unshare.has("user")) return config.uid;
  const range = config.uidMap.find((m) => config.uid >= m.inside && config.uid < m.inside + m.count);
  return range === undefined ? null : range.outside + (config.uid - range.inside);
}

function warnAboutExposure(config: JailConfig, host: HostFacts, log: Logger): void {
  if (config.exec || config.unshare.has("pid") || hostUidOf(config) !== host.uid) return;
  log.warn(`the jail runs as nsjail's own uid ${host.uid} without a pid namespace: it can signal nsjail (and outlast its time limit)`);
}

/** Runs the jail to its end and returns nsjail's exit code; in exec mode never returns. */
export async function runJail(jail: PreparedJail, host: HostFacts, log: Logger): Promise<number> {
  if (jail.config.logLevel === "debug") log.debug(planDigest(jail)); // hashing costs a start
  warnAboutExposure(jail.config, host, log);
  // Loaded here, not at the top: loading the trampoline is a side effect that --dry-run,
  // `check` and the unit tests must not have.
  const [{ loadNative }, { linuxSys }] = await Promise.all([import("./sys/ffi.ts"), import("./sys/linux-sys.ts")]);
  const imageFd = loadNative().imageFd;
  const config = jail.config;
  checkPassedFds(linuxSys, config);
  const record = exitRecorder(linuxSys, config, host, log);
  let cgroup: JailCgroup | null = null;
  let pid: number | null = null;
  let end: JailEnd;
  try {
    // Before the clone: a cgroup that cannot be made stops the run before any process exists.
    if (usesCgroup(config.limits)) {
      const { jailCgroups } = require("./launch/cgroup/index.ts") as typeof import("./launch/cgroup/index.ts");
      cgroup = jailCgroups(log).create(config.limits);
    }
    if (config.exec) {
      // The jail keeps nsjail's pid; the next start's sweep removes the cgroup once it is gone.
      cgroup?.attach(process.pid);
      execInplace(linuxSys, jail.bytes, imageFd);
    }
    // Without a pid namespace no init takes the jail's processes with it: orphans come back
    // to nsjail, which kills them when the jail ends.
    if (!config.unshare.has("pid")) linuxSys.setChildSubreaper();
    const running = spawnJail(linuxSys, jail.plan, jail.bytes, config, host, imageFd, log, cgroup);
    pid = running.pid;
    reaper ??= new Reaper(linuxSys, processEvents);
    end = await new Supervisor(linuxSys, log, reaper, processEvents, process.pid).supervise(running, config);
  } catch (err) {
    record(null, err, pid, endCgroup(cgroup, log));
    throw err;
  }
  const name = syscallNamer(host);
  for (const k of end.seccompKills) log.warn(`seccomp: killed pid ${k.pid} (in the jail) at syscall ${name(k.nr) ?? `number ${k.nr}`}`);
  record(end, null, pid, endCgroup(cgroup, log));
  return end.code;
}

type Recorder = (end: JailEnd | null, failure: unknown, pid: number | null, usage: CgroupUsage | null) => void;

/** Opens where the exit record goes (a bad status_file stops the run here) and starts the
 * wall clock; the returned function writes the record. Loaded only when one is asked for. */
function exitRecorder(sys: Sys, config: JailConfig, host: HostFacts, log: Logger): Recorder {
  if (config.statusFd === null && config.statusFile === null) return () => {};
  const sink = (require("./supervisor/record-sink.ts") as typeof import("./supervisor/record-sink.ts")).openRecordSink(sys, config);
  const started = performance.now();
  return (end, failure, pid, usage) => {
    const { exitRecordOf } = require("./supervisor/exit-record.ts") as typeof import("./supervisor/exit-record.ts");
    const filtered = config.seccomp !== null;
    sink.write(exitRecordOf({ end, failure, pid, usage, wallMs: performance.now() - started, filtered, syscallName: syscallNamer(host) }), (m) => log.warn(m));
  };
}

/** What the jail's cgroup counted, read before it is removed with whatever still runs in it.
 * A cgroup that cannot be removed is a warning: the jail's result stands. */
function endCgroup(cgroup: JailCgroup | null, log: Logger): CgroupUsage | null {
  if (cgroup === null) return null;
  let usage: CgroupUsage | null = null;
  try {
    usage = cgroup.usage();
    cgroup.remove();
  } catch (err) {
    log.warn(err instanceof Error ? err.message : String(err));
  }
  return usage;
}

/** Number → name for nsjail's architecture; the tables load only when a record needs a name. */
function syscallNamer(host: HostFacts): (nr: number) => string | null {
  return (nr) => {
    const names = require("./sys/syscall-names.ts") as typeof import("./sys/syscall-names.ts");
    const arch = names.syscallArchOf(host.arch);
    return arch === null ? null : names.syscallName(arch, nr);
  };
}
