// Stage 5 (launch): the parent's half of `pty` (src/plan/terminal.ts): a fresh pseudo-
// terminal whose slave the jail's command gets, set up like the caller's terminal — the same
// settings (erase, interrupt and end-of-file keys…) and the same window size.
import { getTermios, getWinsize, openPty, setTermios, setWinsize, type PtyPair } from "../sys/tty.ts";

/** The caller's terminal, looked for on stdin, stdout and stderr in that order. */
export const CALLER_FDS = [0, 1, 2] as const;

/** The first of the caller's fds that is a terminal, or null. */
export function callerTerminal(): number | null {
  return CALLER_FDS.find((fd) => getTermios(fd) !== null) ?? null;
}

/** Copies the caller's window size onto the pty (termios and winsize ioctls on the master
 * act on its slave); nothing when the caller has no terminal. */
export function copyWindowSize(master: number): void {
  const from = callerTerminal();
  const size = from === null ? null : getWinsize(from);
  if (size !== null) setWinsize(master, size);
}

export function openTerminal(): PtyPair {
  const pty = openPty();
  const from = callerTerminal();
  const settings = from === null ? null : getTermios(from);
  if (settings !== null) setTermios(pty.master, settings);
  copyWindowSize(pty.master);
  return pty;
}
