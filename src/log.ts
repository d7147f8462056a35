// Levelled logger: one line per event on stderr. Pure stages never log. A line is text
// (`nsjail: …`), text with a syslog priority prefix when stderr is the journal, or JSON.
import { LOG_LEVELS, type LogFormat, type LogLevel } from "./config/model.ts";
import { printable } from "./errors.ts";

/** Structured facts of an event, kept as fields in JSON lines. */
export type LogFields = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;

type LogFn = (msg: string, fields?: LogFields) => void;

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

/** sd-daemon(3) priorities: `<3>` error, `<4>` warning, `<6>` info, `<7>` debug. */
const PRIORITY: Readonly<Record<LogLevel, number>> = { debug: 7, info: 6, warn: 4, error: 3 };
const STDERR = 2;

/** Synchronous, since in exec mode the process image is replaced right after the last line;
 * node:fs is loaded on the first line only. */
const writeStderr = (line: string) => void (require("node:fs") as typeof import("node:fs")).writeSync(STDERR, line);

let format: LogFormat = "text";
let journal: boolean | null = null;

/** The process's line format, set once its config is known (text until then). */
export function setLogFormat(f: LogFormat): void {
  format = f;
}

/** systemd sets JOURNAL_STREAM=DEV:INODE for a service whose stderr is the journal; a
 * process that inherited it but writes elsewhere (a redirect) must not prefix. */
function stderrIsJournal(): boolean {
  const stream = process.env.JOURNAL_STREAM;
  if (stream === undefined) return false;
  try {
    const st = (require("node:fs") as typeof import("node:fs")).fstatSync(STDERR, { bigint: true });
    return stream === `${st.dev}:${st.ino}`;
  } catch {
    return false;
  }
}

/** One event as the line nsjail writes, newline included; `named` puts the level in a text line. */
export function formatLine(level: LogLevel, msg: string, fields: LogFields = {}, named = level !== "info"): string {
  if (format === "json") return `${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`;
  journal ??= stderrIsJournal();
  if (journal) return `<${PRIORITY[level]}>${printable(msg)}\n`;
  return `nsjail: ${named ? `${level}: ` : ""}${printable(msg)}\n`;
}

export function createLogger(level: LogLevel, write: (line: string) => void = writeStderr): Logger {
  const at =
    (lvl: LogLevel): LogFn =>
    (msg, fields) => {
      if (LOG_LEVELS.indexOf(lvl) >= LOG_LEVELS.indexOf(level)) write(formatLine(lvl, msg, fields));
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** main.ts's last word: a rendered error, one line per line of `text`, in the process's format. */
export function writeFailure(text: string): void {
  writeStderr(text.split("\n").map((line) => formatLine("error", line, {}, false)).join(""));
}
