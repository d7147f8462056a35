// Stage 1 (config): what happens when the jailed command ends — respawn policy, backoff,
// the failure throttle, and how long a graceful stop waits: keys, readers, defaults, rules.
import type { ConfigIssue } from "../../errors.ts";
import { describe, expectCString, expectInt } from "../expect.ts";
import { RESTART_MODES, type JailConfig, type RestartMode } from "../model.ts";
import { didYouMean } from "../suggest.ts";
import { defineKey, type Reader, type Rule, type ValuesOf } from "./key.ts";

/** setTimeout() fires at once for delays ≥ 2^31 ms. */
const MAX_MS = 0x7fff_ffff;
const MAX_S = Math.floor(MAX_MS / 1000);

export const RESTART_DEFAULTS = { mode: "never", delayMs: 100, maxDelayMs: 30_000, maxFailures: 5, windowS: 60 } as const;
export const STOP_TIMEOUT_DEFAULT = 5;

const readMode: Reader<RestartMode> = (v, path, { report }) => {
  const s = expectCString(v, path, report);
  if (s === undefined || (RESTART_MODES as readonly string[]).includes(s)) return s as RestartMode | undefined;
  report(path, `expected one of ${RESTART_MODES.join(", ")}, got ${describe(s)}${didYouMean(s, RESTART_MODES)}`);
  return undefined;
};

const uint = (max: number, min = 0): Reader<number> => (v, path, { report }) => expectInt(v, path, report, min, max);

const spec = (key: string, kind: "string" | "uint", placeholder: string, defaultDoc: string, doc: string) =>
  ({ key, flag: `--${key.replaceAll("_", "-")}`, kind, repeatable: false, placeholder, defaultDoc, doc }) as const;

export const RESTART_KEYS = [
  defineKey(
    { ...spec("restart", "string", "WHEN", "`never`", "Respawn the whole jail, in fresh namespaces, when its command ends: `never`, `on-failure` (non-zero exit or a signal) or `always`; SIGHUP to nsjail then restarts it."), key: "restart" },
    readMode,
  ),
  defineKey(
    { ...spec("restart_delay", "uint", "MS", `\`${RESTART_DEFAULTS.delayMs}\``, "Milliseconds before the first respawn after a failure; each further failure within `restart_window` doubles it. A clean exit respawns at once."), key: "restart_delay" },
    uint(MAX_MS),
  ),
  defineKey(
    { ...spec("restart_delay_max", "uint", "MS", `\`${RESTART_DEFAULTS.maxDelayMs}\``, "The longest delay the doubling reaches, in milliseconds."), key: "restart_delay_max" },
    uint(MAX_MS),
  ),
  defineKey(
    { ...spec("restart_max_failures", "uint", "N", `\`${RESTART_DEFAULTS.maxFailures}\``, "Failures within `restart_window` after which the jail is left stopped (marked failed)."), key: "restart_max_failures" },
    uint(1_000_000, 1),
  ),
  defineKey(
    { ...spec("restart_window", "uint", "SECONDS", `\`${RESTART_DEFAULTS.windowS}\``, "Seconds over which failures are counted."), key: "restart_window" },
    uint(MAX_S, 1),
  ),
  defineKey(
    { ...spec("stop_timeout", "uint", "SECONDS", `\`${STOP_TIMEOUT_DEFAULT}\``, "A graceful stop (SIGHUP restart, emperor reload or stop) sends SIGTERM, then SIGKILL after this many seconds."), key: "stop_timeout" },
    uint(MAX_S),
  ),
] as const;

type RestartFields = Partial<ValuesOf<typeof RESTART_KEYS>>;

export function restartDefaults(f: RestartFields): Pick<JailConfig, "restart" | "stopTimeout"> {
  return {
    restart: {
      mode: f.restart ?? RESTART_DEFAULTS.mode,
      delayMs: f.restart_delay ?? RESTART_DEFAULTS.delayMs,
      maxDelayMs: f.restart_delay_max ?? RESTART_DEFAULTS.maxDelayMs,
      maxFailures: f.restart_max_failures ?? RESTART_DEFAULTS.maxFailures,
      windowS: f.restart_window ?? RESTART_DEFAULTS.windowS,
    },
    stopTimeout: f.stop_timeout ?? STOP_TIMEOUT_DEFAULT,
  };
}

/** With exec no parent stays behind to respawn anything. */
function execHasNoRespawn(config: JailConfig): ConfigIssue[] {
  if (!config.exec || config.restart.mode === "never") return [];
  return [{ path: "restart", message: "needs nsjail to stay as supervisor: not with exec" }];
}

function delayWithinMax(config: JailConfig): ConfigIssue[] {
  const { delayMs, maxDelayMs } = config.restart;
  return delayMs <= maxDelayMs ? [] : [{ path: "restart_delay", message: `${delayMs} ms is more than restart_delay_max (${maxDelayMs} ms)` }];
}

export const RESTART_RULES: readonly Rule[] = [
  { name: "execHasNoRespawn", uses: ["exec", "restart"], check: execHasNoRespawn },
  { name: "delayWithinMax", uses: ["restart_delay", "restart_delay_max"], check: delayWithinMax },
];
