// Stage 5 (supervisor): wait for the jail, forward signals, enforce the time limit, and
// turn the end of the jail into nsjail's exit code.
import type { JailConfig } from "../config/model.ts";
import type { Logger } from "../log.ts";
import type { RunningJail } from "../launch/spawn.ts";
import { decodeStatus, setupError } from "../launch/status.ts";
import { FORWARDED_SIGNALS, SIG } from "../sys/constants.ts";
import type { Sys } from "../sys/sys.ts";
import { describeWaitStatus, exitCodeOf } from "./exit-status.ts";

export const EXIT_TIME_LIMIT = 128 + SIG.KILL;

const SIGNAL_NAMES: Record<number, NodeJS.Signals> = {
  [SIG.HUP]: "SIGHUP", [SIG.INT]: "SIGINT", [SIG.QUIT]: "SIGQUIT",
  [SIG.USR1]: "SIGUSR1", [SIG.USR2]: "SIGUSR2", [SIG.TERM]: "SIGTERM",
};

/** Signal and timer hooks, injectable so tests can drive the supervisor by hand. */
export interface Events {
  on(signal: NodeJS.Signals, handler: () => void): void;
  off(signal: NodeJS.Signals, handler: () => void): void;
  setTimer(ms: number, fn: () => void): () => void;
}

export const processEvents: Events = {
  on: (s, h) => void process.on(s, h),
  off: (s, h) => void process.off(s, h),
  setTimer: (ms, fn) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

export class Supervisor {
  constructor(
    private readonly sys: Sys,
    private readonly log: Logger,
    private readonly events: Events = processEvents,
  ) {}

  /** Start listening for SIGCHLD before the jail exists, so its exit cannot be missed. */
  watch(): { attach(jail: RunningJail, config: JailConfig): Promise<number> } {
    let onChild = () => {};
    const sigchld = () => onChild();
    this.events.on("SIGCHLD", sigchld);
    return {
      attach: (jail, config) =>
        new Promise<number>((resolve, reject) => {
          const cleanups: (() => void)[] = [() => this.events.off("SIGCHLD", sigchld)];
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
          onChild = () => {
            const status = this.sys.tryWait(jail.pid);
            if (status === null) return;
            for (const cleanup of cleanups) cleanup();
            try {
              this.drainStatus(jail);
              this.log.debug(`jail ${jail.pid} ${describeWaitStatus(status)}`);
              resolve(timedOut ? EXIT_TIME_LIMIT : exitCodeOf(status));
            } catch (err) {
              reject(err);
            }
          };
          onChild();
        }),
    };
  }

  /** After the init exits, late records remain: the command child's own setup failure. */
  private drainStatus(jail: RunningJail): void {
    try {
      for (let bytes = this.sys.read(jail.statusFd, 4096); bytes.length > 0; bytes = this.sys.read(jail.statusFd, 4096)) {
        for (const rec of decodeStatus(bytes)) {
          if (rec.kind === "error") throw setupError(jail.plan, rec.opIndex, rec.errno);
          if (rec.kind === "warning") this.log.warn(setupError(jail.plan, rec.opIndex, rec.errno).message);
          if (rec.kind === "exit") this.log.debug(`command ${describeWaitStatus(rec.waitStatus)}`);
        }
      }
    } finally {
      this.sys.close(jail.statusFd);
    }
  }
}
