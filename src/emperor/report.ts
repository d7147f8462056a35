// Emperor (many jails): one log line per event — a vassal started, exited, was reloaded,
// backs off or failed — as text (default) or as one JSON object a line (--log-format json).
import { printable } from "../errors.ts";

export const LOG_FORMATS = ["text", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export type EventFields = Readonly<Record<string, string | number | null>>;

export interface EventLog {
  /** `vassal` is null for the emperor's own events; `message` is the text line's words. */
  event(kind: string, vassal: string | null, message: string, fields?: EventFields): void;
}

export function createEventLog(format: LogFormat, write: (line: string) => void): EventLog {
  return {
    event(kind, vassal, message, fields = {}) {
      if (format === "json") {
        write(`${JSON.stringify({ time: new Date().toISOString(), event: kind, vassal, ...fields, message })}\n`);
      } else {
        write(`nsjail emperor: ${vassal === null ? "" : `[${printable(vassal)}] `}${printable(message)}\n`);
      }
    },
  };
}

/** How a jail's end reads: `exit 3`, `killed by signal 9`, `setup failed`. */
export function describeExit(code: number): string {
  if (code === 255) return "setup failed or exit 255";
  return code > 128 && code < 128 + 65 ? `killed by signal ${code - 128}` : `exit ${code}`;
}
