// Stage 5 (supervisor): `run` with a restart policy — the jailed reload. When the command
// ends, the whole jail is respawned in fresh namespaces as restart.ts decides; SIGHUP stops
// the running jail gracefully and starts a new one; SIGTERM/SIGINT end the loop.
import type { JailConfig } from "../config/model.ts";
import { JailError, renderError } from "../errors.ts";
import type { RunningJail } from "../launch/spawn.ts";
import type { Logger } from "../log.ts";
import { FORWARDED_SIGNALS, SIG } from "../sys/constants.ts";
import type { Sys } from "../sys/sys.ts";
import type { Events } from "./events.ts";
import { RestartPolicy } from "./restart.ts";

export interface RespawnDeps {
  readonly sys: Sys;
  readonly log: Logger;
  readonly events: Events;
  /** Starts one jail, passing on `forwarded` signals, and follows it to its end: nsjail's
   * exit code; rejects when its setup fails. `onStart` hears of the jail once it runs. */
  readonly run: (forwarded: readonly number[], onStart: (jail: RunningJail) => void) => Promise<number>;
  readonly now: () => number;
}

/** SIGTERM now (SIGCONT so a stopped jail hears it), SIGKILL after `timeoutS`; returns the
 * cancel of the second step, for when the jail ends first. */
export function stopGracefully(sys: Sys, events: Events, pid: number, timeoutS: number): () => void {
  sys.kill(pid, SIG.TERM);
  sys.kill(pid, SIG.CONT);
  return events.setTimer(timeoutS * 1000, () => sys.kill(pid, SIG.KILL));
}

/** Signals still passed on to the jail: SIGHUP is nsjail's own here, it restarts the jail. */
const FORWARDED = FORWARDED_SIGNALS.filter((s) => s !== SIG.HUP);

/** One jail's run: its exit code, or 255 (logged) when its setup failed. */
async function runOnce(deps: RespawnDeps, started: (jail: RunningJail | null) => void): Promise<number> {
  try {
    return await deps.run(FORWARDED, started);
  } catch (err) {
    if (!(err instanceof JailError)) throw err;
    deps.log.error(renderError(err));
    return err.exitCode;
  } finally {
    started(null);
  }
}

/** Runs the jail until the policy stops it or a signal ends nsjail; returns the last exit code. */
export async function superviseWithRestart(deps: RespawnDeps, config: JailConfig): Promise<number> {
  const { log, events } = deps;
  const policy = new RestartPolicy(config.restart);
  let current: RunningJail | null = null;
  let stopping = false;
  let restartNow = false;
  let cancelKill = () => {};
  let wake = () => {};
  const onStop = () => {
    stopping = true; // the Supervisor forwards the signal itself; the jail's end ends the loop
    wake();
  };
  const onHup = () => {
    restartNow = true;
    if (current !== null) cancelKill = stopGracefully(deps.sys, events, current.pid, config.stopTimeout);
    wake();
  };
  const own = [["SIGTERM", onStop], ["SIGINT", onStop], ["SIGHUP", onHup]] as const;
  for (const [sig, fn] of own) events.on(sig, fn);
  try {
    for (;;) {
      const code = await runOnce(deps, (jail) => (current = jail));
      cancelKill();
      if (stopping) return code;
      if (restartNow) {
        restartNow = false;
        log.info("restarting the jail (SIGHUP)");
        continue;
      }
      const decision = policy.onExit(code, deps.now());
      if (decision.kind === "stop") return code;
      if (decision.kind === "failed") {
        log.error(`the jail failed ${decision.failures} times within ${config.restart.windowS} s (exit ${code}): not restarting it`);
        return code;
      }
      log.info(`the jail ended with exit ${code}: restarting it${decision.delayMs > 0 ? ` in ${decision.delayMs} ms` : ""}`);
      await new Promise<void>((resolve) => {
        const cancel = events.setTimer(decision.delayMs, () => resolve());
        wake = () => (cancel(), resolve());
      });
      wake = () => {};
      if (stopping) return code;
      restartNow = false; // a SIGHUP during the backoff only cut it short
    }
  } finally {
    for (const [sig, fn] of own) events.off(sig, fn);
  }
}
