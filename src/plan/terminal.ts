// Stage 2 (plan): the command's side of `pty` — in the new session setsid made, the
// pseudo-terminal's slave becomes its controlling terminal and its stdin, stdout and stderr.
// The parent's half is src/launch/terminal.ts; the relay is src/supervisor/terminal-relay.ts.
import type { JailConfig } from "../config/model.ts";
import { TIOC } from "../sys/constants.ts";
import { fd, op, type Op } from "./types.ts";

const STDIO = [0, 1, 2] as const;

/** Runs after setsid: TIOCSCTTY needs a session leader without a controlling terminal. The
 * slot's own fd is closed on exec with every other fd from 3 up. */
export function planTerminal(config: Pick<JailConfig, "pty">): Op[] {
  if (!config.pty) return [];
  const origin = (note: string) => ({ path: "pty", note });
  return [
    op("ioctl", [fd("pty"), TIOC.SCTTY, 0], origin("make the pty the controlling terminal (TIOCSCTTY)")),
    ...STDIO.map((n) => op("dup3", [fd("pty"), n], origin(`the pty as fd ${n}`))),
  ];
}
