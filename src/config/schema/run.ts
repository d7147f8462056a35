// Stage 1 (config): how nsjail runs the jail — time limit, PID 1, exec mode and its own log
// level: their keys, readers, defaults and rules.
import type { ConfigIssue } from "../../errors.ts";
import { describe, expectBool, expectCString, expectInt } from "../expect.ts";
import { LOG_LEVELS, type JailConfig, type LogLevel } from "../model.ts";
import { didYouMean } from "../suggest.ts";
import { defineKey, type Reader, type Rule, type ValuesOf } from "./key.ts";

/** setTimeout() fires at once for delays ≥ 2^31 ms, so longer limits are refused here. */
const TIME_LIMIT_MAX = Math.floor(0x7fff_ffff / 1000);
const DEFAULT_LOG_LEVEL: LogLevel = "info";

const readBool: Reader<boolean> = (v, path, { report }) => expectBool(v, path, report);

const readLogLevel: Reader<LogLevel> = (v, path, { report }) => {
  const s = expectCString(v, path, report);
  if (s === undefined || (LOG_LEVELS as readonly string[]).includes(s)) return s as LogLevel | undefined;
  report(path, `expected one of ${LOG_LEVELS.join(", ")}, got ${describe(s)}${didYouMean(s, LOG_LEVELS)}`);
  return undefined;
};

export const RUN_KEYS = [
  defineKey(
    {
      key: "time_limit",
      flag: "--time-limit",
      kind: "uint",
      repeatable: false,
      placeholder: "SECONDS",
      defaultDoc: "`0` (no limit)",
      doc: "Wall-clock seconds before the jail is killed with SIGKILL; 0 means no limit.",
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
      doc: `Least severe message nsjail prints: ${LOG_LEVELS.slice(0, -1).join(", ")} or ${LOG_LEVELS.at(-1)}.`,
    },
    readLogLevel,
  ),
] as const;

type RunFields = Partial<ValuesOf<typeof RUN_KEYS>>;

export function runDefaults(f: RunFields): Pick<JailConfig, "timeLimit" | "asPid1" | "exec" | "logLevel"> {
  return {
    timeLimit: f.time_limit ?? 0,
    asPid1: f.as_pid_1 ?? false,
    exec: f.exec ?? false,
    logLevel: f.log_level ?? DEFAULT_LOG_LEVEL,
  };
}

/** With exec no parent stays behind to watch a clock. */
function execHasNoClock(config: JailConfig): ConfigIssue[] {
  if (!config.exec || config.timeLimit === 0) return [];
  return [{ path: "time_limit", message: "needs nsjail to stay as supervisor: not with exec" }];
}

export const RUN_RULES: readonly Rule[] = [{ name: "execHasNoClock", uses: ["exec", "time_limit"], check: execHasNoClock }];
