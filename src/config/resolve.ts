// Stage 1 (config): the stage's front door: file + CLI flags + command → validated JailConfig.
import { ConfigError } from "../errors.ts";
import { isTable } from "./expect.ts";
import type { JailConfig } from "./model.ts";
import { loadConfigFile } from "./load.ts";
import type { HostFacts } from "./host.ts";
import { nodeReadFile, type ReadFile } from "./read-file.ts";
import { validateConfig } from "./validate.ts";

export interface ResolveOptions {
  /** TOML file, or null for a CLI-only jail. */
  readonly file: string | null;
  /** Raw snake_case keys from cli/flag-table.ts flagsToRaw(); they win over the file's. */
  readonly cli: Record<string, unknown>;
  /** Words after `--`; when non-empty they replace the file's `command`. */
  readonly command: readonly string[];
}

/** Throws ConfigError (exit 2) listing every problem of the file and flags together. */
export function resolveConfig(opts: ResolveOptions, host: HostFacts, readFile: ReadFile = nodeReadFile): JailConfig {
  const loaded = opts.file === null ? null : loadConfigFile(opts.file, readFile);
  // A repeatable flag's values replace the file's whole array, never append, so `--env A=1`
  // on the CLI is the complete env list, as the flag's help says. A flag that sets one key of
  // a table (`--memory` → limits.memory) keeps the table's other keys.
  const raw: Record<string, unknown> = { ...(loaded?.raw ?? {}) };
  const cliKeys = new Set<string>();
  for (const [key, value] of Object.entries(opts.cli)) {
    if (isTable(value)) {
      raw[key] = isTable(raw[key]) ? { ...raw[key], ...value } : value;
      for (const sub of Object.keys(value)) cliKeys.add(`${key}.${sub}`);
    } else {
      raw[key] = value;
      cliKeys.add(key);
    }
  }
  if (opts.command.length > 0) {
    raw.command = [...opts.command];
    cliKeys.add("command");
  }
  const result = validateConfig(raw, host, { file: opts.file, text: loaded?.text ?? null, cliKeys });
  if ("issues" in result) throw new ConfigError(opts.file, result.issues, result.omitted);
  return result.config;
}
