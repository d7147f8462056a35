// Stage 1 (config): the stage's front door: file + CLI flags + command → validated JailConfig.
import { ConfigError } from "../errors.ts";
import type { JailConfig } from "./model.ts";
import { loadConfigFile } from "./load.ts";
import type { HostFacts } from "./host.ts";
import { nodeReadFile, type ReadFile } from "./read-file.ts";
import { specFor } from "./schema/index.ts";
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
  // Shallow merge: a repeatable flag's values replace the file's whole array, never append,
  // so `--env A=1` on the CLI is the complete env list, as the flag's help says.
  const raw: Record<string, unknown> = { ...(loaded?.raw ?? {}), ...opts.cli };
  // Keys fed by several flags (mounts) take the flags' entries after the file's: order matters.
  for (const key of Object.keys(opts.cli)) {
    const fromFile = loaded?.raw[key];
    if (specFor(key)?.forms !== undefined && Array.isArray(fromFile)) raw[key] = [...fromFile, ...(opts.cli[key] as unknown[])];
  }
  const cliKeys = new Set(Object.keys(opts.cli));
  if (opts.command.length > 0) {
    raw.command = [...opts.command];
    cliKeys.add("command");
  }
  const result = validateConfig(raw, host, { file: opts.file, text: loaded?.text ?? null, cliKeys });
  if ("issues" in result) throw new ConfigError(opts.file, result.issues, result.omitted);
  return result.config;
}
