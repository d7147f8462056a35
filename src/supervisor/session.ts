// Stage 5 (supervisor): what a jail is attached to besides its exit status — the caller's
// terminal (`pty`) and the service manager (NOTIFY_SOCKET, `notify_socket`). Loaded only for
// a jail that uses one of them; src/jail.ts opens it around the launch.
import { closeSync } from "node:fs";
import type { HostFacts } from "../config/host.ts";
import type { JailConfig } from "../config/model.ts";
import type { LaunchFds } from "../launch/spawn.ts";
import { openTerminal } from "../launch/terminal.ts";
import type { Logger } from "../log.ts";
import { receiveFd, socketPair } from "../sys/unix-datagram.ts";
import type { Events } from "./events.ts";
import { Notifier } from "./notify.ts";
import { TerminalRelay } from "./terminal-relay.ts";

/** Signals that mean systemd (or someone) is stopping the service. */
const STOP_SIGNALS = ["SIGTERM", "SIGINT", "SIGQUIT"] as const;

/** One `run`, however many times `restart` launches its jail: one terminal, one relay, one
 * READY=1; each launch's jail binds a notify socket of its own. */
export interface Session {
  /** The fds spawnJail() hands every launch; they stay the session's (finish() closes them). */
  readonly fds: Pick<LaunchFds, "pty" | "notify">;
  /** Whether spawnJail() must wait for the command's execve, not only for the init. */
  readonly untilExec: boolean;
  /** A launch's command has exec'd: relay the terminal (from the first), take the jail's
   * notify socket, READY=1 (the first time). */
  started(): void;
  /** The last jail has ended, or never started: last output, the caller's terminal back,
   * STOPPING=1. */
  finish(): Promise<void>;
}

export function openSession(config: JailConfig, host: HostFacts, log: Logger, events: Events): Session {
  const notifier = new Notifier(host.env.NOTIFY_SOCKET ?? null, events, log);
  const pty = config.pty ? openTerminal() : null;
  const pair = config.notifySocket ? socketPair() : null;
  const stopping = () => notifier.stopping();
  for (const sig of STOP_SIGNALS) events.on(sig, stopping);
  let relay: TerminalRelay | null = null;
  let readySent = false;
  return {
    // The slave stays open here too, so a restarted jail finds the same terminal and the
    // relay no hang-up between jails.
    fds: { ...(pty && { pty: pty.slave }), ...(pair && { notify: pair[1] }) },
    // READY=1 means the command runs, so wait for its execve; with notify_socket it says so.
    untilExec: notifier.listening && !config.notifySocket,
    // Never throws: the jail runs by now, and the supervisor must still see it to its end.
    started() {
      try {
        if (pty !== null) relay ??= new TerminalRelay(pty.master, events, log);
        // bind_unix ran before the init or the command started, so the socket is waiting.
        const socket = pair === null ? null : latestFd(pair[0]);
        if (socket !== null) notifier.relayFrom(socket);
        else if (pair !== null) log.warn("notify_socket: the jail's socket did not arrive; its messages are lost");
      } catch (err) {
        log.warn(`${(err as Error).message}: the jail runs without its ${relay === null && pty !== null ? "terminal" : "notify socket"}`);
      }
      if (config.notifySocket || readySent) return;
      readySent = true;
      notifier.ready();
    },
    async finish() {
      for (const sig of STOP_SIGNALS) events.off(sig, stopping);
      notifier.stopping();
      notifier.close();
      if (pair !== null) for (const fd of pair) closeSync(fd);
      if (pty === null) return;
      // Ours closed, the master hangs up once the jail's last holder is gone too.
      closeSync(pty.slave);
      if (relay !== null) await relay.finish();
      else closeSync(pty.master);
    },
  };
}

/** The last fd waiting on `fd`: a jail whose setup failed after its bind_unix (restart
 * goes on) left its socket queued before this jail's own; older ones are closed. */
function latestFd(fd: number): number | null {
  let latest: number | null = null;
  for (let got = receiveFd(fd); got !== null; got = receiveFd(fd)) {
    if (latest !== null) closeSync(latest);
    latest = got;
  }
  return latest;
}
