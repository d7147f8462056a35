// Stage 5 (supervisor): one `run` jail — forward signals to it, enforce its time limit, and
// turn its end into nsjail's exit code. Exits are heard through the process's Reaper.
import type { JailConfig } from "../config/model.ts";
import type { RunningJail } from "../launch/spawn.ts";
import { readStatus } from "../launch/status-pipe.ts";
import type { Logger } from "../log.ts";
import { FORWARDED_SIGNALS, SIG } from "../sys/constants.ts";
import type { ChildExit, Sys } from "../sys/sys.ts";
import type { StatusRecord } from "../wire/status.ts";
import { describeWaitStatus, exitCodeOf, waitFacts } from "../wire/wait-status.ts";
import type { Events } from "./events.ts";
import type { Reaper } from "./reaper.ts";
import { killDescendants } from "./tree.ts";

/** The jail ended after the time limit's SIGTERM, as timeout(1) exits. */
export const EXIT_TIMED_OUT = 124;
/** The jail outlived the grace after SIGTERM and was killed with SIGKILL (timeout(1) too). */
export const EXIT_TIME_LIMIT_KILLED = 128 + SIG.KILL;

/** How long a PID 1 command that does not catch a forwarded signal has before the jail is
 * killed in its place (the kernel drops such signals from outside the namespace). */
export const UNHEARD_SIGNAL_GRACE_MS = 2000;

const SIGNAL_NAMES: Record<number, NodeJS.Signals> = {
  [SIG.HUP]: "SIGHUP", [SIG.INT]: "SIGINT", [SIG.QUIT]: "SIGQUIT",
  [SIG.USR1]: "SIGUSR1", [SIG.USR2]: "SIGUSR2", [SIG.TERM]: "SIGTERM",
};

/** Why nsjail ended the jail itself, if it did: the exit code then says so. A time limit
 * records the last signal it sent: SIGTERM, or SIGKILL once the grace ran out (or was 0). */
export type Verdict =
  | { readonly kind: "time_limit"; readonly sent: "SIGTERM" | "SIGKILL" }
  | { readonly kind: "unheard"; readonly signal: number }
  | null;

/** How a jail ended, for nsjail's exit code and the exit record (supervisor/exit-record.ts). */
export interface JailEnd {
  /** nsjail's exit code. */
  readonly code: number;
  /** How the jail's first process (the init, or the command without one) ended. */
  readonly exit: ChildExit;
  /** The command's own wait status as the init reported it; null without an init. */
  readonly commandStatus: number | null;
  /** The largest resident set of any process the init reaped, in bytes; null without an init
   * (the first process shared Bun's memory until its exec, so wait4's figure says nothing). */
  readonly maxRssBytes: number | null;
  readonly verdict: Verdict;
  /** Processes the seccomp filter killed, in order: pid in the jail, syscall number. */
  readonly seccompKills: readonly { readonly pid: number; readonly nr: number }[];
}

/** What the init reports after it exits: the command's status, usage and seccomp kills. */
class LateRecords {
  commandStatus: number | null = null;
  maxRssBytes: number | null = null;
  readonly seccompKills: { pid: number; nr: number }[] = [];
  readonly take = (rec: StatusRecord): void => {
    if (rec.kind === "exit") this.commandStatus = rec.waitStatus;
    if (rec.kind === "usage") this.maxRssBytes = rec.maxRssBytes;
    if (rec.kind === "seccomp") this.seccompKills.push({ pid: rec.pid, nr: rec.nr });
  };
}

export class Supervisor {
  constructor(
    private readonly sys: Sys,
    private readonly log: Logger,
    private readonly reaper: Reaper,
    private readonly events: Events,
    /** This process's pid: without a pid namespace it adopts and kills the jail's leftovers. */
    private readonly selfPid: number,
  ) {}

  /** Starts the jail with `start` and resolves with how it ended once its first process has
   * ended and its last status records are read; rejects with a setup failure. Signals are
   * heard from before the start: one that arrives while the jail is set up would otherwise
   * end nsjail (Bun's default) instead of reaching the command.
   * `forwarded`: the signals of this process passed on to the jail (none for a vassal). */
  supervise(config: JailConfig, start: () => RunningJail, forwarded: readonly number[] = FORWARDED_SIGNALS): Promise<JailEnd> {
    const started = performance.now();
    return new Promise<JailEnd>((resolve, reject) => {
      let verdict: Verdict = null;
      // The first verdict stands; a time limit's SIGKILL only updates its own.
      const decide = (v: NonNullable<Verdict>) => {
        if (verdict === null || (verdict.kind === "time_limit" && v.kind === "time_limit")) verdict = v;
      };
      let jail: RunningJail | null = null;
      const cleanups = this.forwardSignals(() => jail, config, forwarded, decide);
      try {
        jail = start();
      } catch (err) {
        for (const cleanup of cleanups) cleanup();
        return reject(err);
      }
      const running = jail;
      cleanups.push(...this.limitTime(running, config, decide));
      // Logged before the exit is heard: a jail that already ended is reaped inside watch(),
      // and its end line must come second.
      logStart(config, running.pid, this.log);
      this.reaper.watch(running.pid, (exit) => {
        for (const cleanup of cleanups) cleanup();
        if (!config.unshare.has("pid")) {
          const left = killDescendants(this.sys, this.selfPid, running.pid);
          if (left > 0) this.log.debug(`killed ${left} process(es) the jail left behind`);
        }
        const late = new LateRecords();
        try {
          // After the init exits, late records remain: the command child's own setup failure,
          // its exit and usage, and the processes the seccomp filter killed.
          readStatus(this.sys, running.statusFd, running.plan, this.log, "eof", late.take);
          const code = exitCodeFor(exit.status, verdict);
          this.logEnd(running.pid, late.commandStatus ?? exit.status, verdict, performance.now() - started);
          const { commandStatus, maxRssBytes, seccompKills } = late;
          resolve({ code, exit, commandStatus, maxRssBytes, verdict, seccompKills });
        } catch (err) {
          reject(err);
        } finally {
          this.sys.close(running.statusFd);
        }
      });
    });
  }

  /** Passes each forwarded signal on, then SIGCONT so a stopped jail cannot hold it pending.
   * A PID 1 command never receives from outside a signal it does not catch: if it does not,
   * the jail is killed after a grace period. */
  private forwardSignals(current: () => RunningJail | null, config: JailConfig, forwarded: readonly number[], decide: (v: NonNullable<Verdict>) => void): (() => void)[] {
    const cleanups: (() => void)[] = [];
    const pid1 = config.asPid1 && config.unshare.has("pid");
    for (const sig of forwarded) {
      const forward = () => {
        const jail = current();
        if (jail === null) return; // start() threw: there is no jail to pass it to
        this.sys.kill(jail.pid, sig);
        this.sys.kill(jail.pid, SIG.CONT);
        if (!pid1 || (this.sys.heardSignals(jail.pid) & (1n << BigInt(sig - 1))) !== 0n) return;
        cleanups.push(
          this.events.setTimer(UNHEARD_SIGNAL_GRACE_MS, () => {
            decide({ kind: "unheard", signal: sig });
            this.log.warn(`the command is PID 1 and does not catch ${SIGNAL_NAMES[sig]}: killing the jail`);
            this.sys.kill(jail.pid, SIG.KILL);
          }),
        );
      };
      this.events.on(SIGNAL_NAMES[sig]!, forward);
      cleanups.push(() => this.events.off(SIGNAL_NAMES[sig]!, forward));
    }
    return cleanups;
  }

  /** At the limit SIGTERM (then SIGCONT, so a stopped jail hears it), and SIGKILL once the
   * grace is over, as `timeout -k` does; a grace of 0 kills at once. */
  private limitTime(jail: RunningJail, config: JailConfig, decide: (v: NonNullable<Verdict>) => void): (() => void)[] {
    if (config.timeLimit === 0) return [];
    const reached = `time limit of ${config.timeLimit} s reached`;
    const kill = () => {
      decide({ kind: "time_limit", sent: "SIGKILL" });
      this.sys.kill(jail.pid, SIG.KILL);
    };
    let cancelKill = () => {};
    const term = () => {
      if (config.killAfter === 0) {
        this.log.warn(`${reached}: killing the jail (pid ${jail.pid}) with SIGKILL`);
        return kill();
      }
      decide({ kind: "time_limit", sent: "SIGTERM" });
      this.log.warn(`${reached}: SIGTERM to the jail (pid ${jail.pid}), SIGKILL in ${config.killAfter} s`);
      this.sys.kill(jail.pid, SIG.TERM);
      this.sys.kill(jail.pid, SIG.CONT);
      cancelKill = this.events.setTimer(config.killAfter * 1000, () => {
        this.log.warn(`time limit: the jail (pid ${jail.pid}) outlived ${config.killAfter} s after SIGTERM: SIGKILL`);
        kill();
      });
    };
    return [this.events.setTimer(config.timeLimit * 1000, term), () => cancelKill()];
  }

  /** The one line at the end of every jail: how it ended, after how long, and why if nsjail
   * ended it. `status` is the command's own when its init reported it. */
  private logEnd(pid: number, status: number, verdict: Verdict, ms: number): void {
    const why = verdict === null ? null : verdict.kind === "time_limit" ? "time limit" : "signal not caught by PID 1";
    const seconds = Math.round(ms) / 1000;
    const text = `jail ${pid} ended: ${describeWaitStatus(status)} after ${seconds.toFixed(3)} s${why === null ? "" : ` (${why})`}`;
    this.log.info(text, { event: "end", pid, ...waitFacts(status), seconds, reason: why });
  }
}

/** The one line at the start of every jail: its pid, command and namespaces. In exec mode the
 * pid is nsjail's own, which the jail takes over. */
export function logStart(config: JailConfig, pid: number, log: Logger): void {
  const namespaces = [...config.unshare];
  const command = config.command[0] ?? "";
  const where = config.exec ? " (exec mode: nsjail's own process)" : "";
  log.info(`jail ${pid} started${where}: ${command}; namespaces ${namespaces.join(",") || "none"}`, { event: "start", pid, command, namespaces });
}

/** As timeout(1): 124 after the limit, 137 when the jail died of SIGKILL then. */
function exitCodeFor(status: number, verdict: Verdict): number {
  const killed = (status & 0x7f) === SIG.KILL;
  if (verdict?.kind === "time_limit") return killed ? EXIT_TIME_LIMIT_KILLED : EXIT_TIMED_OUT;
  if (verdict?.kind === "unheard" && killed) return 128 + verdict.signal;
  return exitCodeOf(status);
}
