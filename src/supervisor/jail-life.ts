// Stage 5 (supervisor): one start of a jail, from its cgroup to its exit record — the cgroup
// made when [limits] asks for one, the clone into it, and once the jail has ended the
// cgroup's counts read, the cgroup removed and the record written. `run`, `run --restart`
// and each vassal of the emperor start their jails through it.
import type { HostFacts } from "../config/host.ts";
import { usesCgroup } from "../config/limits-model.ts";
import type { JailConfig } from "../config/model.ts";
import type { CgroupUsage, JailCgroup } from "../launch/cgroup/index.ts";
import { spawnJail, type LaunchFds, type RunningJail } from "../launch/spawn.ts";
import type { Logger } from "../log.ts";
import type { Plan } from "../plan/types.ts";
import type { Sys } from "../sys/sys.ts";
import type { JailEnd, Supervisor } from "./supervisor.ts";

/** A config with its plan, encoded: what every start of the jail clones. */
export interface JailImage {
  readonly config: JailConfig;
  readonly plan: Plan;
  readonly bytes: Uint8Array;
}

export interface LifeContext {
  readonly sys: Sys;
  readonly host: HostFacts;
  readonly log: Logger;
  /** Each start returns once the command has exec'd, not once the init runs (READY=1 to
   * systemd means the command runs: src/supervisor/session.ts). */
  readonly untilExec?: boolean;
}

/** The jail's own cgroup when its [limits] ask for one (that code loads only then). Made
 * before the clone: one that cannot be made stops the start before any process exists. */
export function makeCgroup(config: JailConfig, log: Logger): JailCgroup | null {
  if (!usesCgroup(config.limits)) return null;
  const { jailCgroups } = require("../launch/cgroup/index.ts") as typeof import("../launch/cgroup/index.ts");
  return jailCgroups(log).create(config.limits);
}

/** What the jail's cgroup counted, read before it is removed with whatever still runs in it.
 * A cgroup that cannot be removed is a warning: the jail's result stands. */
export function endCgroup(cgroup: JailCgroup | null, log: Logger): CgroupUsage | null {
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

export class JailLife {
  private cgroup: JailCgroup | null = null;
  private pid: number | null = null;
  private readonly record: Recorder;

  /** Opens where the exit record goes and starts its wall clock: a bad status_file stops
   * the start here. */
  constructor(
    private readonly ctx: LifeContext,
    private readonly jail: JailImage,
    private readonly launch: LaunchFds,
  ) {
    this.record = exitRecorder(ctx.sys, jail.config, ctx.host, ctx.log);
  }

  /** Makes the cgroup and clones the jail into it (spawnJail attaches it before the release).
   * After a throw, call failed(). */
  start(): RunningJail {
    const { sys, host, log } = this.ctx;
    const { config, plan, bytes } = this.jail;
    this.cgroup = makeCgroup(config, log);
    const running = spawnJail(sys, plan, bytes, config, host, this.launch, log, this.cgroup, this.ctx.untilExec);
    this.pid = running.pid;
    return running;
  }

  /** Starts the jail under `supervisor` and follows it to its end: nsjail's exit code. A
   * setup failure, early or late, is recorded and rethrown. */
  async run(supervisor: Pick<Supervisor, "supervise">, forwarded?: readonly number[], onStart: (jail: RunningJail) => void = () => {}): Promise<number> {
    let end: JailEnd;
    try {
      end = await supervisor.supervise(this.jail.config, () => {
        const running = this.start();
        onStart(running);
        return running;
      }, forwarded);
    } catch (err) {
      this.failed(err);
      throw err;
    }
    return this.ended(end);
  }

  /** The jail ended: its seccomp kills named, its cgroup read and removed, its record
   * written. Returns nsjail's exit code. */
  ended(end: JailEnd): number {
    const name = syscallNamer(this.ctx.host);
    for (const k of end.seccompKills) this.ctx.log.warn(`seccomp: killed pid ${k.pid} (in the jail) at syscall ${name(k.nr) ?? `number ${k.nr}`}`);
    this.record(end, null, this.pid, this.takeCgroup());
    return end.code;
  }

  /** The jail's setup failed: the record says where; its cgroup is removed. */
  failed(failure: unknown): void {
    this.record(null, failure, this.pid, this.takeCgroup());
  }

  private takeCgroup(): CgroupUsage | null {
    const usage = endCgroup(this.cgroup, this.ctx.log);
    this.cgroup = null;
    return usage;
  }
}

type Recorder = (end: JailEnd | null, failure: unknown, pid: number | null, usage: CgroupUsage | null) => void;

/** Opens where the exit record goes and starts the wall clock; the returned function writes
 * the record. Loaded only when one is asked for. */
function exitRecorder(sys: Sys, config: JailConfig, host: HostFacts, log: Logger): Recorder {
  if (config.statusFd === null && config.statusFile === null) return () => {};
  const sink = (require("./record-sink.ts") as typeof import("./record-sink.ts")).openRecordSink(sys, config);
  const started = performance.now();
  return (end, failure, pid, usage) => {
    const { exitRecordOf } = require("./exit-record.ts") as typeof import("./exit-record.ts");
    const filtered = config.seccomp !== null;
    sink.write(exitRecordOf({ end, failure, pid, usage, wallMs: performance.now() - started, filtered, syscallName: syscallNamer(host) }), (m) => log.warn(m));
  };
}

/** Number → name for nsjail's architecture; the tables load only when a record needs a name. */
function syscallNamer(host: HostFacts): (nr: number) => string | null {
  return (nr) => {
    const names = require("../sys/syscall-names.ts") as typeof import("../sys/syscall-names.ts");
    const arch = names.syscallArchOf(host.arch);
    return arch === null ? null : names.syscallName(arch, nr);
  };
}
