// Stage 5 (supervisor): one `run` jail — forward signals to it, enforce its time limit, and
// turn its end into nsjail's exit code. Exits are heard through the process's Reaper.
import type { JailConfig } from "../config/model.ts";
import type { RunningJail } from "../launch/spawn.ts";
import { readStatus } from "../launch/status-pipe.ts";
import type { Logger } from "../log.ts";
import { FORWARDED_SIGNALS, SIG } from "../sys/constants.ts";
import type { ChildExit, Sys } from "../sys/sys.ts";
import type { StatusRecord } from "../wire/status.ts";
import { describeWaitStatus, exitCodeOf } from "../wire/wait-status.ts";
import type { Events } from "./events.ts";
import type { Reaper } from "./reaper.ts";
import { killDescendants } from "./tree.ts";

export const EXIT_TIME_LIMIT = 128 + SIG.KILL;

/** How long a PID 1 command that does not catch a forwarded signal has before the jail is
 * killed in its place (the kernel drops such signals from outside the namespace). */
export const UNHEARD_SIGNAL_GRACE_MS = 2000;

const SIGNAL_NAMES: Record<number, NodeJS.Signals> = {
  [SIG.HUP]: "SIGHUP", [SIG.INT]: "SIGINT", [SIG.QUIT]: "SIGQUIT",
  [SIG.USR1]: "SIGUSR1", [SIG.USR2]: "SIGUSR2", [SIG.TERM]: "SIGTERM",
};

/** Why nsjail ended the jail itself, if it did: the exit code then says so. */
export type Verdict = { readonly kind: "time_limit" } | { readonly kind: "unheard"; readonly signal: number } | null;

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

export class Supervisor {
  constructor(
    private readonly sys: Sys,
    private readonly log: Logger,
    private readonly reaper: Reaper,
    private readonly events: Events,
    /** This process's pid: without a pid namespace it adopts and kills the jail's leftovers. */
    private readonly selfPid: number,
  ) {}

  /** Resolves with how the jail ended once its first process has ended and its last status
   * records are read; rejects with a SetupError the command's child reported late. */
  supervise(jail: RunningJail, config: JailConfig): Promise<JailEnd> {
    return new Promise<JailEnd>((resolve, reject) => {
      let verdict: Verdict = null;
      const decide = (v: Verdict) => (verdict ??= v);
      const cleanups = [...this.forwardSignals(jail, config, decide), ...this.limitTime(jail, config, decide)];
      this.reaper.watch(jail.pid, (exit) => {
        for (const cleanup of cleanups) cleanup();
        if (!config.unshare.has("pid")) {
          const left = killDescendants(this.sys, this.selfPid, jail.pid);
          if (left > 0) this.log.debug(`killed ${left} process(es) the jail left behind`);
        }
        let commandStatus: number | null = null;
        let maxRssBytes: number | null = null;
        const seccompKills: { pid: number; nr: number }[] = [];
        const onRecord = (rec: StatusRecord) => {
          if (rec.kind === "exit") commandStatus = rec.waitStatus;
          if (rec.kind === "usage") maxRssBytes = rec.maxRssBytes;
          if (rec.kind === "seccomp") seccompKills.push({ pid: rec.pid, nr: rec.nr });
        };
        try {
          // After the init exits, late records remain: the command child's own setup failure,
          // its exit and the processes the seccomp filter killed.
          readStatus(this.sys, jail.statusFd, jail.plan, this.log, false, onRecord);
          this.log.debug(`jail ${jail.pid} ${describeWaitStatus(exit.status)}`);
          resolve({ code: exitCodeFor(exit.status, verdict), exit, commandStatus, maxRssBytes, verdict, seccompKills });
        } catch (err) {
          reject(err);
        } finally {
          this.sys.close(jail.statusFd);
        }
      });
    });
  }

  /** Passes each forwarded signal on, then SIGCONT so a stopped jail cannot hold it pending.
   * A PID 1 command never receives from outside a signal it does not catch: if it does not,
   * the jail is killed after a grace period. */
  private forwardSignals(jail: RunningJail, config: JailConfig, decide: (v: Verdict) => void): (() => void)[] {
    const cleanups: (() => void)[] = [];
    const pid1 = config.asPid1 && config.unshare.has("pid");
    for (const sig of FORWARDED_SIGNALS) {
      const forward = () => {
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

  private limitTime(jail: RunningJail, config: JailConfig, decide: (v: Verdict) => void): (() => void)[] {
    if (config.timeLimit === 0) return [];
    const kill = () => {
      decide({ kind: "time_limit" });
      this.log.warn(`time limit of ${config.timeLimit} s reached: killing the jail (pid ${jail.pid})`);
      this.sys.kill(jail.pid, SIG.KILL);
    };
    return [this.events.setTimer(config.timeLimit * 1000, kill)];
  }
}

function exitCodeFor(status: number, verdict: Verdict): number {
  const killed = (status & 0x7f) === SIG.KILL;
  if (verdict?.kind === "time_limit") return EXIT_TIME_LIMIT;
  if (verdict?.kind === "unheard" && killed) return 128 + verdict.signal;
  return exitCodeOf(status);
}
