// Emperor (many jails): where a vassal's stdout and stderr go — LOG_DIR/NAME.log, appended,
// or one pipe per vassal whose lines reach the emperor's stderr prefixed with the name.
import { closeSync, constants, openSync } from "node:fs";
import { join } from "node:path";
import { printable } from "../errors.ts";
import { O_CLOEXEC } from "../sys/constants.ts";
import type { Sys } from "../sys/sys.ts";

/** A line longer than this is passed on in pieces, so one vassal cannot grow our memory. */
const MAX_LINE = 8192;

export interface VassalOutput {
  /** The fd given to every jail of this vassal as its fds 1 and 2. */
  readonly fd: number;
  close(): void;
}

export function logFileOutput(logDir: string, name: string): VassalOutput {
  const { O_WRONLY, O_APPEND, O_CREAT } = constants;
  const fd = openSync(join(logDir, `${name}.log`), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640);
  return { fd, close: () => closeSync(fd) };
}

/** Lines from the vassal's jails, each written as `name| line`. The write end stays ours for
 * as long as the vassal exists, so a respawn writes into the same pipe. */
export function prefixedOutput(sys: Sys, name: string, write: (text: string) => void): VassalOutput {
  const pipe = sys.pipe();
  const prefix = `${printable(name)}| `;
  let pending = "";
  const flush = (text: string) => {
    pending += text;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    while (pending.length > MAX_LINE) {
      lines.push(pending.slice(0, MAX_LINE));
      pending = pending.slice(MAX_LINE);
    }
    if (lines.length > 0) write(lines.map((l) => `${prefix}${l}\n`).join(""));
  };
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of Bun.file(pipe.read).stream()) flush(decoder.decode(chunk, { stream: true }));
    if (pending !== "") write(`${prefix}${pending}\n`);
    sys.close(pipe.read);
  })();
  return { fd: pipe.write, close: () => sys.close(pipe.write) };
}
