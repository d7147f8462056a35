// Emperor (many jails): emperor.toml, the optional file in the vassal directory that sets
// what every vassal gets unless its own file says otherwise. Its own small schema; the jail
// keys under [defaults] are checked against the jail schema, with this file's lines.
import { join } from "node:path";
import type { HostFacts } from "../config/host.ts";
import { loadConfigFile } from "../config/load.ts";
import { indexKeys, lineOf } from "../config/locate.ts";
import type { ReadFile } from "../config/read-file.ts";
import { validateConfig } from "../config/validate.ts";
import { ConfigError, type ConfigIssue } from "../errors.ts";

export const SETTINGS_FILE = "emperor.toml";
const DEFAULT_RESCAN_S = 5;

export interface EmperorSettings {
  /** Raw jail keys laid under every vassal's own (use_clone → unshare, stop_timeout). */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** Each vassal's stdout and stderr go to LOG_DIR/NAME.log; null: to our stderr, prefixed. */
  readonly logDir: string | null;
  /** Seconds between full rescans of the directory (the safety net under inotify). */
  readonly rescanS: number;
}

/** Keys a vassal must decide for itself, or that make no sense for a supervised jail. */
const NOT_DEFAULTS = new Set(["command", "exec"]);

const TOP_KEYS: Record<string, string> = {
  use_clone: "namespaces of every vassal whose file has no `unshare` (an array of names)",
  stop_timeout: "seconds between SIGTERM and SIGKILL when a vassal is stopped",
  log_dir: "directory of per-vassal log files",
  rescan: "seconds between full rescans of the directory",
  defaults: "a table of jail keys every vassal gets unless its file sets them",
};

export function defaultSettings(): EmperorSettings {
  return { defaults: {}, logDir: null, rescanS: DEFAULT_RESCAN_S };
}

/** Reads DIR/emperor.toml if it exists; throws one ConfigError listing every problem. */
export function loadSettings(dir: string, host: HostFacts, readFile: ReadFile, exists: (path: string) => boolean): EmperorSettings {
  const file = join(dir, SETTINGS_FILE);
  if (!exists(file)) return defaultSettings();
  const { raw, text } = loadConfigFile(file, readFile);
  const issues: ConfigIssue[] = [];
  for (const key of Object.keys(raw)) if (!(key in TOP_KEYS)) issues.push({ path: key, message: `unknown key (known: ${Object.keys(TOP_KEYS).join(", ")})` });
  const table = raw.defaults ?? {};
  if (typeof table !== "object" || table === null || Array.isArray(table)) issues.push({ path: "defaults", message: `expected a table: ${TOP_KEYS.defaults}` });
  const defaults: Record<string, unknown> = { ...(table as Record<string, unknown>) };
  for (const key of Object.keys(defaults)) if (NOT_DEFAULTS.has(key)) issues.push({ path: `defaults.${key}`, message: "each vassal sets this in its own file" });
  if (raw.use_clone !== undefined) defaults.unshare = raw.use_clone;
  if (raw.stop_timeout !== undefined) defaults.stop_timeout = raw.stop_timeout;
  issues.push(...checkDefaults(defaults, host, raw));
  const logDir = raw.log_dir ?? null;
  if (logDir !== null && (typeof logDir !== "string" || !logDir.startsWith("/"))) issues.push({ path: "log_dir", message: "expected an absolute path" });
  const rescan = raw.rescan ?? DEFAULT_RESCAN_S;
  if (typeof rescan !== "number" || !Number.isInteger(rescan) || rescan < 1 || rescan > 86_400) issues.push({ path: "rescan", message: "expected whole seconds from 1 to 86400" });
  if (issues.length > 0) {
    const index = indexKeys(text);
    throw new ConfigError(file, issues.map((i) => ({ ...i, line: lineOf(index, i.path) ?? lineOf(index, i.path.split(".").pop()!) })));
  }
  return { defaults, logDir: logDir as string | null, rescanS: rescan as number };
}

/** The defaults must make a valid jail on their own (with a stand-in command), and every
 * vassal needs a pid namespace: the emperor must never be visible from inside one. */
function checkDefaults(defaults: Record<string, unknown>, host: HostFacts, raw: Record<string, unknown>): ConfigIssue[] {
  const fromTop = (path: string) => (path === "unshare" || path.startsWith("unshare[") ? path.replace("unshare", "use_clone") : path === "stop_timeout" && raw.stop_timeout !== undefined ? path : `defaults.${path}`);
  const result = validateConfig({ ...defaults, command: ["/bin/true"] }, host, { file: null, text: null, cliKeys: new Map() });
  if ("issues" in result) return result.issues.map((i) => ({ path: fromTop(i.path), message: i.message }));
  if (!result.config.unshare.has("pid")) return [{ path: defaults.unshare === raw.use_clone ? "use_clone" : "defaults.unshare", message: VASSAL_NEEDS_PID }];
  return [];
}

export const VASSAL_NEEDS_PID = 'a vassal always runs in its own pid namespace (add "pid"): from outside one it could see and signal the emperor';
