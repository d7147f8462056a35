// Emperor (many jails): a directory of vassal configs kept in step with running jails. A scan
// (after an inotify event, or every `rescan` seconds) is diffed with the last: new files
// start vassals, changed ones reload, removed ones stop. A file that does not validate keeps
// the vassal that runs, and its file:line errors are logged.
import { join } from "node:path";
import { ConfigError, JailError, renderError } from "../errors.ts";
import type { Events } from "../supervisor/events.ts";
import type { EventLog } from "./report.ts";
import { diffScans, type Scan } from "./scan.ts";
import { Vassal, type Launched, type VassalJail, type VassalState } from "./vassal.ts";

export interface EmperorDeps {
  readonly dir: string;
  readonly events: Events;
  readonly log: EventLog;
  now(): number;
  scan(): Scan;
  /** Reads and validates DIR/NAME.toml; throws ConfigError. */
  load(file: string): VassalJail;
  launch(name: string, jail: VassalJail): Launched;
  /** Called once a vassal is gone for good (its output pipe or log file can close). */
  forget(name: string): void;
}

export interface VassalStatus {
  readonly name: string;
  readonly state: VassalState;
  readonly pid: number | null;
  readonly uptime_s: number | null;
  readonly restarts: number;
  readonly last_exit: number | null;
}

export class Emperor {
  private readonly vassals = new Map<string, Vassal>();
  private last: Scan = new Map();
  private stopping: Promise<void> | null = null;

  constructor(private readonly deps: EmperorDeps) {}

  /** Brings the vassals in step with the directory. */
  rescan(): void {
    if (this.stopping !== null) return;
    let now: Scan;
    try {
      now = this.deps.scan();
    } catch (err) {
      this.deps.log.event("scan_failed", null, `cannot read ${this.deps.dir}: ${(err as Error).message}`);
      return;
    }
    const diff = diffScans(this.last, now);
    this.last = now;
    for (const name of diff.removed) void this.remove(name, "file removed");
    for (const name of diff.added) this.apply(name, "new file");
    for (const name of diff.changed) this.apply(name, "file changed");
  }

  /** SIGHUP: every vassal restarts from its file as it is now. */
  reloadAll(): void {
    for (const name of [...this.vassals.keys()].sort()) this.apply(name, "reload (SIGHUP)");
  }

  /** The control socket's verbs; an unknown name is an error the caller reports. */
  command(verb: "stop" | "start" | "reload", name: string): void {
    const v = this.vassals.get(name);
    if (v === undefined) throw new JailError(`no vassal named '${name}'`);
    if (verb === "stop") v.stop();
    else if (verb === "start") v.start();
    else this.apply(name, "reload requested");
  }

  status(): VassalStatus[] {
    const now = this.deps.now();
    return [...this.vassals.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((v) => ({
        name: v.name,
        state: v.state,
        pid: v.pid,
        uptime_s: v.startedAt === null ? null : Math.floor((now - v.startedAt) / 1000),
        restarts: v.restarts,
        last_exit: v.lastExit,
      }));
  }

  /** SIGTERM/SIGINT: stops every vassal gracefully; resolves when all have ended. */
  shutdown(): Promise<void> {
    this.stopping ??= Promise.all([...this.vassals.keys()].map((name) => this.remove(name, "emperor stopping"))).then(() => undefined);
    return this.stopping;
  }

  private apply(name: string, why: string): void {
    const file = join(this.deps.dir, `${name}.toml`);
    let vassal = this.vassals.get(name);
    if (vassal === undefined) {
      vassal = new Vassal(name, this.deps);
      this.vassals.set(name, vassal);
    }
    let jail: VassalJail;
    try {
      jail = this.deps.load(file);
    } catch (err) {
      if (!(err instanceof JailError)) throw err;
      const kept = vassal.state === "running" ? ": the running jail is kept" : "";
      this.deps.log.event("invalid", name, `${renderError(err).replaceAll("\n", "; ")}${kept}`, { file });
      if (!(err instanceof ConfigError) || vassal.pid === null) vassal.markInvalid();
      return;
    }
    vassal.setJail(jail, why);
  }

  private remove(name: string, why: string): Promise<void> {
    const vassal = this.vassals.get(name);
    if (vassal === undefined) return Promise.resolve();
    return vassal.remove(why).then(() => {
      this.vassals.delete(name);
      this.deps.forget(name);
      this.deps.log.event("removed", name, "removed");
    });
  }
}
