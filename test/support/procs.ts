// Finding and waiting for host processes by their command line, for tests that start a jail
// in the background and watch what survives. Waits are bounded and say what they waited for.
import { readdirSync, readFileSync } from "node:fs";

/** Pids whose argv, joined by spaces, equals `argv`. */
export function pidsRunning(argv: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ") === argv) pids.push(Number(name));
    } catch {
      // it exited while we looked
    }
  }
  return pids;
}

/** Polls `ok` every 20 ms for up to `ms`; throws naming `what` when it never holds. */
export async function waitFor(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await Bun.sleep(20)) if (ok()) return;
  throw new Error(`gave up after ${ms} ms waiting for ${what}`);
}

/** A command line no other process has: `sleep` with a unique number of seconds. */
export function uniqueSleep(): string[] {
  return ["sleep", `${1000 + Math.floor(Math.random() * 1e6)}`];
}
