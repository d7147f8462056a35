// Stage 5 (supervisor): one `run` jail — forward signals to it, enforce its time limit, and
// turn its end into nsjail's exit code. Exits are heard through the process's Reaper.
import type { JailConfig } from "../config/model.ts";
import type { RunningJail } from "../launch/spawn.ts";
import { readStatus } from "../launch/status-pipe.ts";
import type { Logger } from "../log.ts";
import { FORWARDED_SIGNALS, SIG } from "../sys/constants.ts";
import type { Sys } from "../sys/sys.ts";
import type { Events } from "./events.ts";
import { describeWaitStatus, exitCodeOf } from "../wire/wait-status.ts";
import type { Reaper } from "./reaper.ts";

export const EXIT_TIME_LIMIT = 128 + SIG.KILL;

const SIGNAL_NAMES: Record<number, NodeJS.Signals> = {
  [SIG.HUP]: "SIGHUP", [SIG.INT]: "SIGINT", [SIG.QUIT]: "SIGQUIT",
  [SIG.USR1]: "SIGUSR1", [SIG.USR2]: "SIGUSR2", [SIG.TERM]: "SIGTERM",
};

export class Supervisor {
  constructor(
    private readonly sys: Sys,
    private readonly log: Logger,
    private readonly reaper: Reaper,
    private readonly events: Events,
  ) {}

  /** Resolves with nsjail's exit code once the jail's first process has ended and its last
   * status records are read; rejects with a SetupError the command's child reported late. */
  supervise(jail: RunningJail, config: JailConfig): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const cleanups: (() => void)[] = [];
      let timedOut = false;
      for (const sig of FORWARDED_SIGNALS) {
        const forward = () => this.sys.kill(jail.pid, sig);
        this.events.on(SIGNAL_NAMES[sig]!, forward);
        cleanups.push(() => this.events.off(SIGNAL_NAMES[sig]!, forward));
      }
      if (config.timeLimit > 0) {
        cleanups.push(
          this.events.setTimer(config.timeLimit * 1000, () => {
            timedOut = true;
            this.log.warn(`time limit of ${config.timeLimit} s reached: killing the jail (pid ${jail.pid})`);
            this.sys.kill(jail.pid, SIG.KILL);
          }),
        );
      }
      this.reaper.watch(jail.pid, (status) => {
        for (const cleanup of cleanups) cleanup();
        try {
          // After the init exits, late records remain: the command child's own setup failure.
          readStatus(this.sys, jail.statusFd, jail.plan, this.log, false);
          this.log.debug(`jail ${jail.pid} ${describeWaitStatus(status)}`);
          resolve(timedOut ? EXIT_TIME_LIMIT : exitCodeOf(status));
        } catch (err) {
          reject(err);
        } finally {
          this.sys.close(jail.statusFd);
        }
      });
    });
  }
}
