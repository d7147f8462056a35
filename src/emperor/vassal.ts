// Emperor (many jails): one vassal's life — start, exit, respawn with backoff (the policy of
// src/supervisor/restart.ts), reload, stop, remove — as a small state machine. Launching and
// time come in through VassalDeps, so tests drive it without a kernel.
import type { JailConfig } from "../config/model.ts";
import { JailError, renderError } from "../errors.ts";
import type { Events } from "../supervisor/events.ts";
import { RestartPolicy } from "../supervisor/restart.ts";
import { describeExit, type EventLog } from "./report.ts";

export type VassalState = "running" | "stopping" | "backoff" | "stopped" | "exited" | "failed" | "invalid";

/** A validated config ready to launch many times; dispose() frees what it holds (its plan memfd). */
export interface VassalJail {
  readonly config: JailConfig;
  dispose(): void;
}

export interface Launched {
  readonly pid: number;
  /** The jail's exit code (255 when its setup failed late). */
  readonly exited: Promise<number>;
  /** SIGTERM now, SIGKILL after the config's stop_timeout. */
  stop(): void;
}

export interface VassalDeps {
  /** Throws a JailError when the jail cannot be set up. */
  launch(name: string, jail: VassalJail): Launched;
  readonly events: Events;
  readonly log: EventLog;
  now(): number;
}

/** What happens once a jail that was asked to stop has ended. */
type AfterStop = "start" | "stay" | "remove";

export class Vassal {
  state: VassalState = "invalid";
  pid: number | null = null;
  startedAt: number | null = null;
  restarts = 0;
  lastExit: number | null = null;
  private jail: VassalJail | null = null;
  private next: VassalJail | null = null;
  private policy: RestartPolicy | null = null;
  private running: Launched | null = null;
  private afterStop: AfterStop | null = null;
  private cancelTimer = () => {};
  private gone: (() => void) | null = null;

  constructor(
    readonly name: string,
    private readonly deps: VassalDeps,
  ) {}

  /** A new or changed config: start it now, or once the running jail has stopped. */
  setJail(jail: VassalJail, why: string): void {
    if (this.running !== null) {
      this.next?.dispose();
      this.next = jail;
      this.stopRunning("start", why);
      return;
    }
    this.replace(jail);
    this.startNow(why);
  }

  /** The operator's stop: the vassal stays stopped until started or its file changes. */
  stop(): void {
    this.cancelTimer();
    if (this.running !== null) this.stopRunning("stay", "stop requested");
    else if (this.jail !== null) this.state = "stopped";
  }

  /** The operator's start (also of a failed vassal): a clean slate for the throttle. */
  start(): void {
    if (this.running !== null || this.jail === null) return;
    this.cancelTimer();
    this.policy?.reset();
    this.startNow("start requested");
  }

  /** Stops the vassal for good; resolves once its jail has ended and all is released. */
  remove(why: string): Promise<void> {
    this.cancelTimer();
    const done = new Promise<void>((resolve) => (this.gone = resolve));
    if (this.running !== null) this.stopRunning("remove", why);
    else this.release();
    return done;
  }

  private replace(jail: VassalJail): void {
    this.jail?.dispose();
    this.jail = jail;
    this.policy = new RestartPolicy(jail.config.restart);
  }

  private startNow(why: string): void {
    this.cancelTimer();
    const jail = this.jail!;
    try {
      this.running = this.deps.launch(this.name, jail);
    } catch (err) {
      if (!(err instanceof JailError)) throw err;
      this.deps.log.event("setup_failed", this.name, renderError(err).replaceAll("\n", "; "));
      this.onExit(err.exitCode);
      return;
    }
    const { pid } = this.running;
    this.pid = pid;
    this.startedAt = this.deps.now();
    this.state = "running";
    this.deps.log.event("start", this.name, `started (pid ${pid}): ${why}`, { pid, reason: why });
    this.running.exited.then((code) => this.onExit(code));
  }

  private stopRunning(after: AfterStop, why: string): void {
    // A second request only changes what follows: the jail is already being stopped.
    if (this.afterStop === null) {
      this.deps.log.event("stop", this.name, `stopping (pid ${this.pid}): ${why}`, { pid: this.pid, reason: why });
      this.running!.stop();
    }
    this.afterStop = this.afterStop === "remove" ? "remove" : after;
    this.state = "stopping";
  }

  private onExit(code: number): void {
    this.running = null;
    this.lastExit = code;
    const uptime = this.startedAt === null ? 0 : Math.round((this.deps.now() - this.startedAt) / 1000);
    this.deps.log.event("exit", this.name, `${describeExit(code)} after ${uptime} s`, { pid: this.pid, code });
    this.pid = null;
    this.startedAt = null;
    const after = this.afterStop;
    this.afterStop = null;
    if (after === "remove") return this.release();
    if (after === "stay") return void (this.state = "stopped");
    if (after === "start") {
      if (this.next !== null) this.replace(this.next);
      this.next = null;
      return this.startNow("reloaded");
    }
    this.respawnOrRest(code);
  }

  private respawnOrRest(code: number): void {
    const decision = this.policy!.onExit(code, this.deps.now());
    if (decision.kind === "stop") {
      this.state = "exited";
      return;
    }
    if (decision.kind === "failed") {
      this.state = "failed";
      this.deps.log.event("failed", this.name, `failed ${decision.failures} times within ${this.jail!.config.restart.windowS} s: left stopped until its file changes`, { failures: decision.failures });
      return;
    }
    this.restarts++;
    this.state = "backoff";
    if (decision.delayMs > 0) this.deps.log.event("backoff", this.name, `respawning in ${decision.delayMs} ms`, { delay_ms: decision.delayMs });
    this.cancelTimer = this.deps.events.setTimer(decision.delayMs, () => this.startNow("respawn"));
  }

  private release(): void {
    this.jail?.dispose();
    this.next?.dispose();
    this.jail = this.next = null;
    this.state = "stopped";
    this.gone?.();
  }

  /** For a file that no longer validates: a vassal that never ran shows as invalid. */
  markInvalid(): void {
    if (this.jail === null) this.state = "invalid";
  }
}
