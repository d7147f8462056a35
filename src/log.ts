// Levelled logger: one line per event on stderr. Pure stages never log.
import { LOG_LEVELS, type LogLevel } from "./config/model.ts";
import { printable } from "./errors.ts";

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** Synchronous, since in exec mode the process image is replaced right after the last line;
 * node:fs is loaded on the first line only, as most runs log nothing. */
const writeStderr = (line: string) => {
  try {
    (require("node:fs") as typeof import("node:fs")).writeSync(2, line);
  } catch {
    // stderr is gone (a hung-up terminal, a closed pipe): a log line must not stop nsjail
  }
};

export function createLogger(level: LogLevel, write: (line: string) => void = writeStderr): Logger {
  const at = (lvl: LogLevel) => (msg: string) => {
    if (LOG_LEVELS.indexOf(lvl) >= LOG_LEVELS.indexOf(level)) write(`nsjail: ${lvl === "info" ? "" : `${lvl}: `}${printable(msg)}\n`);
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
