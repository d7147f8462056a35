// Stage 1 (config): the stage's front door: file + CLI flags + command → validated JailConfig.
import { ConfigError } from "../errors.ts";
import { isTable } from "./expect.ts";
import type { JailConfig } from "./model.ts";
import { loadConfigFile } from "./load.ts";
import type { HostFacts } from "./host.ts";
import { nodeReadFile, type ReadFile } from "./read-file.ts";
import { specFor } from "./schema/index.ts";
import { validateConfig } from "./validate.ts";

export interface ResolveOptions {
  /** TOML file, or null for a CLI-only jail. */
  readonly file: string | null;
  /** Raw snake_case keys from cli/flags-to-raw.ts flagsToRaw(): a list is added to the file's
   * (`replaces` keys excepted), any other value wins over the file's. */
  readonly cli: Record<string, unknown>;
  /** Words after `--`; when non-empty they replace the file's `command`. */
  readonly command: readonly string[];
  /** Raw keys under the file's (the emperor's defaults for its vassals); the file wins. */
  readonly defaults?: Readonly<Record<string, unknown>>;
  /** `nsjail check`: a file without `command` is a profile, not an error. */
  readonly profile?: boolean;
}

/** A list flag adds to the file's list (so `--env` overrides a file variable of the same
 * name, later entries winning); `unshare` replaces it. `cliKeys` records the key path with
 * the number of the file's items in front, so issues tell the parts apart. */
function withFlag(path: string, own: unknown, value: unknown, cliKeys: Map<string, number>): unknown {
  const spec = specFor(path);
  const adds = spec?.repeatable === true && spec.replaces !== true && Array.isArray(own) && Array.isArray(value);
  cliKeys.set(path, adds ? (own as unknown[]).length : 0);
  return adds ? [...(own as unknown[]), ...(value as unknown[])] : value;
}

/** `over`'s keys over `raw`'s; a table's keys one by one (`[limits]` keeps a default `memory`
 * it does not set). */
function layer(raw: Record<string, unknown>, over: Readonly<Record<string, unknown>>): void {
  for (const [key, value] of Object.entries(over)) raw[key] = isTable(value) && isTable(raw[key]) ? { ...raw[key], ...value } : value;
}

/** A profile's keys, loaded only when one is named: they lie under the file's and the flags'. */
function profileKeys(name: string, opts: ResolveOptions, readFile: ReadFile): Record<string, unknown> {
  const { loadProfile } = require("./profile.ts") as typeof import("./profile.ts");
  const got = loadProfile(name, readFile);
  if ("raw" in got) return got.raw;
  const fromFlag = typeof opts.cli.profile === "string";
  throw new ConfigError(fromFlag ? null : opts.file, [{ ...got.issue, path: fromFlag ? "--profile" : got.issue.path }]);
}

/** Throws ConfigError (exit 2) listing every problem of the file and flags together. */
export function resolveConfig(opts: ResolveOptions, host: HostFacts, readFile: ReadFile = nodeReadFile): JailConfig {
  const loaded = opts.file === null ? null : loadConfigFile(opts.file, readFile);
  const raw: Record<string, unknown> = {};
  layer(raw, opts.defaults ?? {});
  const profile = typeof opts.cli.profile === "string" ? opts.cli.profile : loaded?.raw.profile;
  if (typeof profile === "string" && profile !== "") layer(raw, profileKeys(profile, opts, readFile));
  layer(raw, loaded?.raw ?? {});
  const cliKeys = new Map<string, number>();
  for (const [key, value] of Object.entries(opts.cli)) {
    if (!isTable(value)) {
      raw[key] = withFlag(key, raw[key], value, cliKeys);
      continue;
    }
    // A flag that sets one key of a table (`--memory` → limits.memory) keeps its other keys.
    const table: Record<string, unknown> = isTable(raw[key]) ? { ...raw[key] } : {};
    for (const [sub, v] of Object.entries(value)) table[sub] = withFlag(`${key}.${sub}`, table[sub], v, cliKeys);
    raw[key] = table;
  }
  if (opts.command.length > 0) {
    raw.command = [...opts.command];
    cliKeys.set("command", 0);
  }
  const source = { file: opts.file, text: loaded?.text ?? null, cliKeys, profile: opts.profile === true };
  const result = validateConfig(raw, host, source);
  if ("issues" in result) throw new ConfigError(opts.file, result.issues, result.omitted);
  return result.config;
}
