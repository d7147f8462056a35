// Stage 5 (supervisor): what a jail is attached to besides its exit status — the caller's
// terminal (`pty`) and the service manager (NOTIFY_SOCKET, `notify_socket`). Loaded only for
// a jail that uses one of them; src/jail.ts opens it around the launch.
import { closeSync } from "node:fs";
import type { HostFacts } from "../config/host.ts";
import type { JailConfig } from "../config/model.ts";
import type { SpawnExtras } from "../launch/spawn.ts";
import { openTerminal } from "../launch/terminal.ts";
import type { Logger } from "../log.ts";
import { receiveFd, socketPair } from "../sys/unix-socket.ts";
import type { Events } from "./events.ts";
import { Notifier } from "./notify.ts";
import { TerminalRelay } from "./terminal-relay.ts";

/** Signals that mean systemd (or someone) is stopping the service. */
const STOP_SIGNALS = ["SIGTERM", "SIGINT", "SIGQUIT"] as const;

export interface Session {
  /** The fds and the wait spawnJail() adds for this session. */
  readonly extras: SpawnExtras;
  /** The command has exec'd: relay the terminal, hand over the notify socket, READY=1. */
  started(): void;
  /** The jail has ended, or never started: last output, the caller's terminal back,
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
  const fds: SpawnExtras["fds"] = { ...(pty && { pty: pty.slave }), ...(pair && { notify: pair[1] }) };
  return {
    // READY=1 means the command runs, so wait for its execve; with notify_socket it says so.
    extras: { fds, untilExec: notifier.listening && !config.notifySocket },
    // Never throws: the jail runs by now, and the supervisor must still see it to its end.
    started() {
      try {
        if (pty !== null) relay = new TerminalRelay(pty.master, events, log);
        // bind_unix ran before the init or the command started, so the socket is waiting.
        const socket = pair === null ? null : receiveFd(pair[0]);
        if (socket !== null) notifier.relayFrom(socket);
        else if (pair !== null) log.warn("notify_socket: the jail's socket did not arrive; its messages are lost");
      } catch (err) {
        log.warn(`${(err as Error).message}: the jail runs without its ${relay === null && pty !== null ? "terminal" : "notify socket"}`);
      }
      if (!config.notifySocket) notifier.ready();
    },
    async finish() {
      for (const sig of STOP_SIGNALS) events.off(sig, stopping);
      notifier.stopping();
      notifier.close();
      if (pair !== null) closeSync(pair[0]);
      if (relay !== null) await relay.finish();
      else if (pty !== null) closeSync(pty.master);
    },
  };
}
