// Stage 1 (config): how nsjail runs the jail — time limit, PID 1, exec mode and its own log
// level: their keys, readers, defaults and rules.
import type { ConfigIssue } from "../../errors.ts";
import { describe, expectBool, expectCString, expectInt } from "../expect.ts";
import { LOG_FORMATS, LOG_LEVELS, type JailConfig, type LogFormat, type LogLevel } from "../model.ts";
import { didYouMean } from "../suggest.ts";
import { defineKey, type Reader, type Rule, type ValuesOf } from "./key.ts";

/** setTimeout() fires at once for delays ≥ 2^31 ms, so longer limits are refused here. */
const TIME_LIMIT_MAX = Math.floor(0x7fff_ffff / 1000);
const DEFAULT_LOG_LEVEL: LogLevel = "info";
/** Seconds between the time limit's SIGTERM and its SIGKILL, as `timeout -k` gives. */
const DEFAULT_KILL_AFTER = 5;

const readBool: Reader<boolean> = (v, path, { report }) => expectBool(v, path, report);

/** A reader for one word of `words`. */
function oneOf<W extends string>(words: readonly W[]): Reader<W> {
  return (v, path, { report }) => {
    const s = expectCString(v, path, report);
    if (s === undefined || (words as readonly string[]).includes(s)) return s as W | undefined;
    report(path, `expected one of ${words.join(", ")}, got ${describe(s)}${didYouMean(s, words)}`);
    return undefined;
  };
}

export const RUN_KEYS = [
  defineKey(
    {
      key: "time_limit",
      flag: "--time-limit",
      kind: "uint",
      repeatable: false,
      placeholder: "SECONDS",
      defaultDoc: "`0` (no limit)",
      doc: "Wall-clock seconds before the jail gets SIGTERM, and SIGKILL `kill_after` seconds later; nsjail then exits 124 (137 when SIGKILL was needed), as timeout(1) does. 0 means no limit.",
    },
    (v, path, { report }) => expectInt(v, path, report, 0, TIME_LIMIT_MAX),
  ),
  defineKey(
    {
      key: "kill_after",
      flag: "--kill-after",
      kind: "uint",
      repeatable: false,
      placeholder: "SECONDS",
      defaultDoc: `\`${DEFAULT_KILL_AFTER}\``,
      doc: "Grace after the time limit's SIGTERM before the jail is killed with SIGKILL; 0 sends SIGKILL at once.",
    },
    (v, path, { report }) => expectInt(v, path, report, 0, TIME_LIMIT_MAX),
  ),
  defineKey(
    {
      key: "as_pid_1",
      flag: "--as-pid-1",
      kind: "bool",
      repeatable: false,
      placeholder: "",
      defaultDoc: "`false`",
      doc: "Run the command itself as PID 1 of the pid namespace instead of under a small init.",
    },
    readBool,
  ),
  defineKey(
    {
      key: "exec",
      flag: "--exec",
      kind: "bool",
      repeatable: false,
      placeholder: "",
      defaultDoc: "`false`",
      doc: "Replace nsjail with the jail: no supervising parent stays behind.",
    },
    readBool,
  ),
  defineKey(
    {
      key: "log_level",
      flag: "--log-level",
      kind: "log_level",
      repeatable: false,
      placeholder: "LEVEL",
      defaultDoc: `\`${DEFAULT_LOG_LEVEL}\``,
      doc: `Least severe message nsjail prints: ${LOG_LEVELS.slice(0, -1).join(", ")} or ${LOG_LEVELS.at(-1)}. At \`info\` a jail logs one line when it starts and one when it ends.`,
      shorthands: [
        { flag: "--quiet", short: "-q", value: "warn", doc: "Only warnings and errors (same as --log-level warn)" },
        { flag: "--verbose", short: "-v", value: "debug", doc: "Everything, debug included (same as --log-level debug); wins over -q" },
      ],
    },
    oneOf(LOG_LEVELS),
  ),
  defineKey(
    {
      key: "log_format",
      flag: "--log-format",
      kind: "log_format",
      repeatable: false,
      placeholder: "FORMAT",
      defaultDoc: "`text`",
      doc: "`text`: one `nsjail: …` line per event; `json`: one JSON object per line (`time`, `level`, `msg`, and the event's fields). Under systemd (JOURNAL_STREAM names stderr) text lines carry syslog priority prefixes such as `<4>` instead.",
    },
    oneOf(LOG_FORMATS),
  ),
] as const;

type RunFields = Partial<ValuesOf<typeof RUN_KEYS>>;

export function runDefaults(f: RunFields): Pick<JailConfig, "timeLimit" | "killAfter" | "asPid1" | "exec" | "logLevel" | "logFormat"> {
  return {
    timeLimit: f.time_limit ?? 0,
    killAfter: f.kill_after ?? DEFAULT_KILL_AFTER,
    asPid1: f.as_pid_1 ?? false,
    exec: f.exec ?? false,
    logLevel: f.log_level ?? DEFAULT_LOG_LEVEL,
    logFormat: f.log_format ?? "text",
  };
}

/** With exec no parent stays behind to watch a clock. */
function execHasNoClock(config: JailConfig): ConfigIssue[] {
  if (!config.exec || config.timeLimit === 0) return [];
  return [{ path: "time_limit", message: "needs nsjail to stay as supervisor: not with exec" }];
}

export const RUN_RULES: readonly Rule[] = [{ name: "execHasNoClock", uses: ["exec", "time_limit"], check: execHasNoClock }];
