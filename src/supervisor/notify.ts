// Stage 5 (supervisor): nsjail as a systemd Type=notify service. nsjail is the service's main
// process, so it tells systemd READY=1 once the command runs and STOPPING=1 when the jail is
// being stopped; with notify_socket the command speaks for itself through the socket the jail
// bound (src/plan/systemd.ts), and nsjail passes on what systemd should hear.
import { closeSync } from "node:fs";
import type { Logger } from "../log.ts";
import { isUnixAddress, receiveDatagram, sendDatagram, signalOnInput } from "../sys/unix-datagram.ts";
import type { Events } from "./events.ts";

/** sd_notify(3) assignments that mean the same from nsjail as from the command. MAINPID
 * (a pid in the jail's namespace), NOTIFYACCESS and the fd store are nsjail's business. */
const PASSED_ON = new Set([
  "READY", "RELOADING", "STOPPING", "STATUS", "ERRNO", "BUSERROR", "EXIT_STATUS",
  "WATCHDOG", "WATCHDOG_USEC", "EXTEND_TIMEOUT_USEC", "MONOTONIC_USEC",
]);
/** systemd reads a notification into a buffer of this size; longer ones are not passed on. */
const MESSAGE_MAX = 4096;

/** The lines of `message` that nsjail passes on, in order, and the others. */
export function filterMessage(message: string): { passed: string[]; dropped: string[] } {
  const passed: string[] = [];
  const dropped: string[] = [];
  for (const line of message.split("\n")) {
    if (line === "") continue;
    const eq = line.indexOf("=");
    (eq > 0 && PASSED_ON.has(line.slice(0, eq)) ? passed : dropped).push(line);
  }
  return { passed, dropped };
}

export class Notifier {
  private readonly address: string | null;
  private stopped = false;
  private socket = -1;
  private readonly drain = () => this.receive();

  /** `address` is nsjail's own NOTIFY_SOCKET, or null when no service manager listens. */
  constructor(
    address: string | null,
    private readonly events: Events,
    private readonly log: Logger,
  ) {
    if (address !== null && !isUnixAddress(address)) log.warn(`NOTIFY_SOCKET ${address}: not an AF_UNIX path or @name; systemd will not hear from nsjail`);
    this.address = address !== null && isUnixAddress(address) ? address : null;
  }

  /** Whether a service manager listens at all. */
  get listening(): boolean {
    return this.address !== null;
  }

  ready(): void {
    this.send(["READY=1"]);
  }

  /** Once, at the first stop signal or when the jail ends, whichever comes first. */
  stopping(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.send(["STOPPING=1"]);
  }

  /** Passes on what the jail sends to `socket` (its bound notify socket), from now on; a
   * restarted jail's socket replaces the last one's. */
  relayFrom(socket: number): void {
    this.close();
    this.socket = socket;
    this.events.on("SIGURG", this.drain);
    signalOnInput(socket);
    this.receive(); // anything sent before the signal was armed
  }

  close(): void {
    if (this.socket < 0) return;
    this.receive();
    closeSync(this.socket);
    this.socket = -1;
    this.events.off("SIGURG", this.drain);
  }

  /** Every datagram waiting, one message each. */
  private receive(): void {
    for (let m = receiveDatagram(this.socket, MESSAGE_MAX); m !== null; m = receiveDatagram(this.socket, MESSAGE_MAX)) {
      if (typeof m === "number") this.log.debug(`notify socket: dropped a ${m}-byte message (at most ${MESSAGE_MAX})`);
      else this.passOn(Buffer.from(m).toString("utf8"));
    }
  }

  private passOn(message: string): void {
    const { passed, dropped } = filterMessage(message);
    if (dropped.length > 0) this.log.debug(`notify socket: not passed on: ${dropped.join(", ")}`);
    if (passed.length > 0) this.send(passed);
  }

  private send(lines: readonly string[]): void {
    if (this.address === null) return;
    try {
      sendDatagram(this.address, Buffer.from(lines.join("\n")));
    } catch (err) {
      this.log.warn(`${(err as Error).message}: systemd did not hear ${lines.join(", ")}`);
    }
  }
}
