// Stage 1 (config): raw TOML/CLI table → frozen, fully defaulted JailConfig, or every issue at
// once with its key path (and line). The only place snake_case keys become camelCase fields.
import type { ConfigIssue } from "../errors.ts";
import type { Report } from "./expect.ts";
import type { HostFacts } from "./host.ts";
import type { JailConfig } from "./model.ts";
import { indexKeys, lineOf, type KeyIndex } from "./locate.ts";
import { applyDefaults, CONFIG_KEYS, flagOf, readerFor, RULES, type ConfigKey, type Fields } from "./schema/index.ts";
import type { ReadContext } from "./schema/key.ts";
import { didYouMean } from "./suggest.ts";

export interface ConfigSource {
  /** The TOML file, or null for a CLI-only jail. */
  file: string | null;
  /** The file's text, for issue line numbers. */
  text: string | null;
  /** Keys given by CLI flags (`uid`, or `limits.memory` for a flag that sets one key of a
   * table), each with the number of the file's list items in front of the flags' own: issues
   * on those name the file's line, the rest name the flag. */
  cliKeys?: ReadonlyMap<string, number>;
  /** A file without `command` is a profile: rules marked `runOnly` are skipped. */
  profile?: boolean;
}

/** Issues kept in full; hostile input can produce one per line, so the rest are only counted. */
const MAX_ISSUES = 20;

/** `omitted` counts issues past the first MAX_ISSUES. */
export type ValidationResult = { config: JailConfig } | { issues: ConfigIssue[]; omitted: number };

export function validateConfig(raw: Record<string, unknown>, host: HostFacts, source: ConfigSource): ValidationResult {
  const issues: ConfigIssue[] = [];
  let omitted = 0;
  const report: Report = (path, message) => (issues.length < MAX_ISSUES ? issues.push({ path, message }) : omitted++);
  const ctx: ReadContext = { report, host };

  for (const key of Object.keys(raw)) {
    if ((CONFIG_KEYS as readonly string[]).includes(key)) continue;
    // The suggestion is the costly part: skip it for an issue that will not be shown.
    if (issues.length < MAX_ISSUES) report(key, `unknown key${didYouMean(key, CONFIG_KEYS)}`);
    else omitted++;
  }
  const fields: Partial<Fields> = {};
  const invalid = new Set<string>();
  for (const key of CONFIG_KEYS) {
    if (raw[key] === undefined) continue;
    if (!readKey(fields, key, raw[key], ctx)) invalid.add(key);
  }

  // A key found wrong only with others (a uid name missing from the rootfs) counts as invalid,
  // so the rules that read it stay quiet.
  const config = applyDefaults(fields, host, source.file, (path, message) => {
    invalid.add(path.split(/[.[]/)[0]!);
    report(path, message);
  });
  const facts = { given: new Set(Object.keys(raw)), fields, invalid };
  for (const rule of RULES) {
    if (source.profile && rule.runOnly) continue;
    if (!rule.uses.some((k) => invalid.has(k))) for (const i of rule.check(config, host, facts)) report(i.path, i.message);
  }
  if (issues.length > 0) {
    let index: KeyIndex | null = null; // one scan of the file for all issues, only if one needs it
    const lines = (path: string) => (source.text === null ? undefined : lineOf((index ??= indexKeys(source.text)), path));
    // In the order a reader meets them: the flags' (no line) first, then the file's by line.
    const placed = issues.map((i) => placeIssue(i, source.cliKeys, lines));
    return { issues: placed.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)), omitted };
  }
  return { config: freezeConfig(config) };
}

function readKey<K extends ConfigKey>(fields: Partial<Fields>, key: K, value: unknown, ctx: ReadContext): boolean {
  const parsed = readerFor(key)(value, key, ctx);
  if (parsed === undefined) return false;
  fields[key] = parsed;
  return true;
}

/** Whether `path` is `key` itself or lies inside it (`key[2]`, `key.sub`). */
function isUnder(path: string, key: string): boolean {
  return path === key || ((path[key.length] === "[" || path[key.length] === ".") && path.startsWith(key));
}

/** CLI values are reported under their flag (`--uid-map[1]`, `--memory`); file values get
 * their line. A list the flags added to counts its items from the flags' first (see
 * ConfigSource.cliKeys). */
function placeIssue(issue: ConfigIssue, cliKeys: ReadonlyMap<string, number> | undefined, lineOfPath: (path: string) => number | undefined): ConfigIssue {
  // `--bind[1]`: one of several flags that feed one key (KeySpec.forms).
  if (issue.path.startsWith("--")) return { ...issue, cli: true };
  let given: string | undefined;
  for (const k of cliKeys?.keys() ?? []) if (isUnder(issue.path, k) && k.length > (given?.length ?? -1)) given = k;
  const fileItems = given === undefined ? 0 : cliKeys!.get(given)!;
  const rest = given === undefined ? "" : issue.path.slice(given.length);
  const index = /^\[(\d+)\]/.exec(rest);
  if (given !== undefined && !(index !== null && Number(index[1]) < fileItems)) {
    const tail = index === null ? rest : `[${Number(index[1]) - fileItems}]${rest.slice(index[0].length)}`;
    return { path: (flagOf(given) ?? given) + tail, message: issue.message, cli: true };
  }
  const line = lineOfPath(issue.path);
  return line === undefined ? issue : { ...issue, line };
}

/** A set whose add, delete and clear throw. */
function frozenSet<T>(items: ReadonlySet<T>): ReadonlySet<T> {
  const deny = (): never => {
    throw new TypeError("this JailConfig set is frozen");
  };
  const set = new Set(items);
  for (const m of ["add", "delete", "clear"]) Object.defineProperty(set, m, { value: deny });
  return Object.freeze(set);
}

/** Deep enough that no later stage can change the config: arrays, tuples, maps and the set. */
function freezeConfig(c: JailConfig): JailConfig {
  return Object.freeze({
    ...c,
    command: Object.freeze([...c.command]),
    unshare: frozenSet(c.unshare),
    uidMap: Object.freeze(c.uidMap.map((m) => Object.freeze({ ...m }))),
    gidMap: Object.freeze(c.gidMap.map((m) => Object.freeze({ ...m }))),
    env: Object.freeze(c.env.map((e) => Object.freeze([e[0], e[1]] as const))),
    passFds: Object.freeze([...c.passFds]),
    caps: Object.freeze([...c.caps]),
    groups: Object.freeze([...c.groups]),
    seccomp: c.seccomp && Object.freeze({ ...c.seccomp, allow: Object.freeze([...c.seccomp.allow]), deny: Object.freeze([...c.seccomp.deny]) }),
    fs: freezeTree(c.fs),
    restart: Object.freeze({ ...c.restart }),
    setns: Object.freeze({
      ...c.setns,
      skip: frozenSet(c.setns.skip),
      kinds: Object.freeze([...c.setns.kinds]),
      allowUids: Object.freeze([...c.setns.allowUids]),
      allowGids: Object.freeze([...c.setns.allowGids]),
    }),
  });
}

/** Plain objects and arrays, all the way down (the file-system part is nested data only). */
function freezeTree<T>(v: T): T {
  if (typeof v !== "object" || v === null || Object.isFrozen(v)) return v;
  for (const child of Object.values(v)) freezeTree(child);
  return Object.freeze(v);
}
