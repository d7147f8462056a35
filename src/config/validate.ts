// Stage 1 (config): raw TOML/CLI table → frozen, fully defaulted JailConfig, or every issue at
// once with its key path (and line). The only place snake_case keys become camelCase fields.
import type { ConfigIssue } from "../errors.ts";
import { NAMESPACES, type IdMap, type JailConfig, type Namespace } from "./model.ts";
import { CONFIG_KEYS, specFor, type ConfigKey } from "./schema.ts";
import type { Report } from "./expect.ts";
import type { HostFacts } from "./host.ts";
import { buildEnv } from "./env.ts";
import { READERS, type Fields, type ReadContext } from "./fields.ts";
import { locateKey } from "./locate.ts";
import { runRules } from "./rules.ts";
import { didYouMean } from "./suggest.ts";

export interface ConfigSource {
  /** The TOML file, or null for a CLI-only jail. */
  file: string | null;
  /** The file's text, for issue line numbers. */
  text: string | null;
  /** Top-level keys whose values came from CLI flags: their issues name the flag, not a line. */
  cliKeys?: ReadonlySet<string>;
}

export type ValidationResult = { config: JailConfig } | { issues: ConfigIssue[] };

export function validateConfig(raw: Record<string, unknown>, host: HostFacts, source: ConfigSource): ValidationResult {
  const issues: ConfigIssue[] = [];
  const report: Report = (path, message) => issues.push({ path, message });
  const ctx: ReadContext = { report, host };

  for (const key of Object.keys(raw)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) report(key, `unknown key${didYouMean(key, CONFIG_KEYS)}`);
  }
  const fields: Partial<Fields> = {};
  const given = new Set<ConfigKey>();
  const invalid = new Set<ConfigKey>();
  for (const key of CONFIG_KEYS) {
    if (raw[key] === undefined) continue;
    given.add(key);
    if (!readKey(fields, key, raw[key], ctx)) invalid.add(key);
  }

  const config = applyDefaults(fields, host, source.file);
  issues.push(...runRules({ config, given }, invalid));
  if (issues.length > 0) return { issues: issues.map((i) => placeIssue(i, source)) };
  return { config: freezeConfig(config) };
}

function readKey<K extends ConfigKey>(fields: Partial<Fields>, key: K, value: unknown, ctx: ReadContext): boolean {
  const parsed = READERS[key](value, key, ctx);
  if (parsed === undefined) return false;
  fields[key] = parsed;
  return true;
}

/**
 * Every default in one place. The default maps send the chosen inside id to the caller's own
 * id, the one mapping an unprivileged process may write to /proc/PID/uid_map itself.
 */
export function applyDefaults(f: Partial<Fields>, host: HostFacts, file: string | null): JailConfig {
  const wanted = new Set<Namespace>(f.unshare ?? NAMESPACES.filter((n) => n !== "time"));
  // Without CAP_SYS_ADMIN every other namespace needs a user namespace to own it.
  if (host.uid !== 0) wanted.add("user");
  const unshare = new Set(NAMESPACES.filter((n) => wanted.has(n)));
  const uid = f.uid ?? host.uid;
  const gid = f.gid ?? host.gid;
  const userNs = unshare.has("user");
  const one = (inside: number, outside: number): IdMap[] => [{ inside, outside, count: 1 }];
  return {
    source: file,
    command: f.command ?? [],
    unshare,
    uid,
    gid,
    uidMap: f.uid_map ?? (userNs ? one(uid, host.uid) : []),
    gidMap: f.gid_map ?? (userNs ? one(gid, host.gid) : []),
    hostname: f.hostname ?? null,
    domainname: f.domainname ?? null,
    chdir: f.chdir ?? "/",
    env: buildEnv(f.env ?? [], f.keep_env ?? [], host.env),
    timeLimit: f.time_limit ?? 0,
    asPid1: f.as_pid_1 ?? false,
    exec: f.exec ?? false,
    passFds: sortedUnique(f.pass_fd ?? []),
    caps: sortedUnique(f.cap ?? []),
    logLevel: f.log_level ?? "info",
  };
}

/** CLI values are reported under their flag (`--uid-map[1]`); file values get their line. */
function placeIssue(issue: ConfigIssue, source: ConfigSource): ConfigIssue {
  const head = /^[^.[]+/.exec(issue.path)?.[0] ?? issue.path;
  if (source.cliKeys?.has(head)) {
    const flag = specFor(head)?.flag;
    return { path: flag ? flag + issue.path.slice(head.length) : issue.path, message: issue.message };
  }
  const line = source.text === null ? undefined : locateKey(source.text, issue.path);
  return line === undefined ? issue : { ...issue, line };
}

function sortedUnique(xs: readonly number[]): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}

/** Deep enough that no later stage can change the config: arrays, tuples, maps and the set. */
export function freezeConfig(c: JailConfig): JailConfig {
  const deny = (): never => {
    throw new TypeError("JailConfig.unshare is frozen");
  };
  const unshare = new Set(c.unshare);
  for (const m of ["add", "delete", "clear"]) Object.defineProperty(unshare, m, { value: deny });
  return Object.freeze({
    ...c,
    command: Object.freeze([...c.command]),
    unshare: Object.freeze(unshare),
    uidMap: Object.freeze(c.uidMap.map((m) => Object.freeze({ ...m }))),
    gidMap: Object.freeze(c.gidMap.map((m) => Object.freeze({ ...m }))),
    env: Object.freeze(c.env.map((e) => Object.freeze([e[0], e[1]] as const))),
    passFds: Object.freeze([...c.passFds]),
    caps: Object.freeze([...c.caps]),
  });
}
