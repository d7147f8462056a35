// Stage 1 (config): the stage's front door: file + CLI flags + command → validated JailConfig,
// plus the real host context (ids, env, cap_last_cap) that validation is given.
import { ConfigError } from "../errors.ts";
import type { JailConfig } from "./model.ts";
import { CAPABILITIES } from "./capabilities.ts";
import { idLookup } from "./ids.ts";
import { loadConfigFile } from "./load.ts";
import { decodeUtf8, nodeReadFile, type ReadFile } from "./read-file.ts";
import { validateConfig, type HostContext } from "./validate.ts";

export interface ResolveOptions {
  /** TOML file, or null for a CLI-only jail. */
  readonly file: string | null;
  /** Raw snake_case keys from cli/flag-table.ts flagsToRaw(); they win over the file's. */
  readonly cli: Record<string, unknown>;
  /** Words after `--`; when non-empty they replace the file's `command`. */
  readonly command: readonly string[];
}

/** Throws ConfigError (exit 2) listing every problem of the file and flags together. */
export function resolveConfig(opts: ResolveOptions, host: HostContext, readFile: ReadFile = nodeReadFile): JailConfig {
  const loaded = opts.file === null ? null : loadConfigFile(opts.file, readFile);
  // Shallow merge: a repeatable flag's values replace the file's whole array, never append,
  // so `--env A=1` on the CLI is the complete env list, as the flag's help says.
  const raw: Record<string, unknown> = { ...(loaded?.raw ?? {}), ...opts.cli };
  const cliKeys = new Set(Object.keys(opts.cli));
  if (opts.command.length > 0) {
    raw.command = [...opts.command];
    cliKeys.add("command");
  }
  const result = validateConfig(raw, host, { file: opts.file, text: loaded?.text ?? null, cliKeys });
  if ("issues" in result) throw new ConfigError(opts.file, result.issues);
  return result.config;
}

/** The real host: our ids and env, the kernel's highest capability, /etc/passwd and /etc/group. */
export function hostContext(readFile: ReadFile = nodeReadFile): HostContext {
  return {
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
    env: process.env,
    capLastCap: readCapLastCap(undefined, readFile),
    lookupUser: idLookup("/etc/passwd", readFile),
    lookupGroup: idLookup("/etc/group", readFile),
  };
}

/** /proc may be missing (e.g. inside a minimal chroot); assume the newest table we know. */
export function readCapLastCap(path = "/proc/sys/kernel/cap_last_cap", readFile: ReadFile = nodeReadFile): number {
  try {
    const n = Number.parseInt(decodeUtf8(readFile(path)).trim(), 10);
    if (Number.isInteger(n) && n >= 0) return n;
  } catch {
    // fall through
  }
  return CAPABILITIES.length - 1;
}
