// Stage 1 (config): what a config key is — its spec (TOML key, flag, kind, default, doc line)
// and its reader — and what a cross-field rule is. Every file beside this one declares the
// keys of one concern with these shapes; index.ts puts them together.
import type { ConfigIssue } from "../../errors.ts";
import type { Report } from "../expect.ts";
import type { HostFacts } from "../host.ts";
import type { JailConfig } from "../model.ts";

/**
 * How a value is written. TOML and CLI share the kind; the CLI spelling is always a string that
 * cli/flags-to-raw.ts turns into the TOML shape (flagsToRaw).
 */
export type ValueKind =
  | "argv" // array of strings; CLI: the words after `--`
  | "string"
  | "bool"
  | "uint" // non-negative integer
  | "id" // user/group name or number
  | "string[]"
  | "uint[]"
  | "namespace[]" // CLI: comma list
  | "idmap[]" // "IN:OUT:COUNT" strings or {inside, outside, count} tables
  | "principal[]" // user names or numbers, "group:NAME" or "group:GID"
  | "log_level"
  | "log_format"
  | "keep_mount[]" // "SRC[:DST]" strings or {src, dst} tables
  | "pivot_root" // "NEW OLD" or {new, old}
  | "mount[]" // [[mount]] tables; CLI: the flags of `forms`, in command-line order
  | "hook[]" // "action:args" strings or one-action tables
  | "id[]" // user/group names or numbers
  | "table" // a TOML table whose keys are documented in KeySpec.fields
  | "size" // bytes, or a string with K/M/G/T; CLI: the string as given
  | "number" // integer or fraction
  | "rlimit" // N, "SOFT:HARD" or "inf"
  | "cpu_list" // "0-3,6" or an array of CPU numbers
  | "errno"; // an errno name or number

/** How each kind reads in docs and type errors. */
export const KIND_DOC: Readonly<Record<ValueKind, string>> = {
  argv: "array of strings",
  string: "string",
  bool: "boolean",
  uint: "integer ≥ 0",
  id: "string or integer",
  "string[]": "array of strings",
  "uint[]": "array of integers",
  "namespace[]": "array of strings",
  "idmap[]": 'array of "IN:OUT:COUNT" strings or {inside, outside, count} tables',
  "principal[]": 'array of user names or uids, and "group:NAME" or "group:GID"',
  log_level: "string",
  log_format: "string",
  "keep_mount[]": 'array of "SRC[:DST]" strings or {src, dst} tables',
  pivot_root: '"NEW OLD" string or {new, old} table',
  "mount[]": "array of tables (`[[mount]]`, see docs/mounts.md)",
  "hook[]": 'array of "action:args" strings or tables (see docs/hooks.md)',
  "id[]": "array of strings or integers",
  table: "table",
  size: 'integer (bytes) or string with K, M, G or T (e.g. "64M"), or "max"',
  number: "number",
  rlimit: 'integer, "SOFT:HARD" or "inf"',
  cpu_list: 'string such as "0-3,6", or array of integers',
  errno: 'errno name (e.g. "EPERM") or integer',
};

export interface ReadContext {
  readonly report: Report;
  readonly host: HostFacts;
}

/** A raw TOML/CLI value → its typed value, or undefined after reporting issues. */
export type Reader<T> = (v: unknown, path: string, ctx: ReadContext) => T | undefined;

export interface KeySpec {
  /** snake_case TOML key. */
  readonly key: string;
  /** `--kebab-case` flag, or null when the key has no flag of its own. */
  readonly flag: string | null;
  readonly kind: ValueKind;
  /** Flag may be given several times; its values are added to the file's list (see `replaces`). */
  readonly repeatable: boolean;
  /** The flag's values replace the file's list instead of adding to it (`unshare`). */
  readonly replaces?: boolean;
  /** Flags without a value that stand for one value of this key (`-q` for `warn`). */
  readonly shorthands?: readonly Shorthand[];
  /** Value placeholder for --help, e.g. `IN:OUT:COUNT`; empty for booleans. */
  readonly placeholder: string;
  /** The default, as documentation text. */
  readonly defaultDoc: string;
  readonly doc: string;
  /** Flags that each add one entry to this key, in command-line order across all of them
   * (`--bind`, `--tmpfs`… for `mount`); their values come after the file's entries. */
  readonly forms?: readonly FlagForm[];
  /**
   * The keys of a `table` key, for docs/config.md and for flags that set one key of the table
   * each (`--memory` sets `limits.memory`); their `key` is the name inside the table.
   */
  readonly fields?: readonly KeySpec[];
}

export interface FlagForm {
  readonly flag: string;
  readonly placeholder: string;
  readonly doc: string;
}

/** A valueless flag that sets a scalar key to `value`, or adds `value` to a list key. */
export interface Shorthand {
  readonly flag: string;
  /** One-letter form, e.g. `-q`, or null. */
  readonly short: string | null;
  readonly value: string;
  readonly doc: string;
}

export interface Key<K extends string, T> extends KeySpec {
  readonly key: K;
  readonly read: Reader<T>;
}

/** A key whose name and value type TypeScript keeps, so index.ts can derive `Fields`. */
export function defineKey<K extends string, T>(spec: KeySpec & { readonly key: K }, read: Reader<T>): Key<K, T> {
  return { ...spec, read };
}

/** A table key (`[limits]`): no flag of its own, one per field. */
export function defineTable<K extends string, T>(
  spec: Pick<KeySpec, "defaultDoc" | "doc"> & { readonly key: K; readonly fields: readonly KeySpec[] },
  read: Reader<T>,
): Key<K, T> {
  return defineKey({ ...spec, flag: null, kind: "table", repeatable: false, placeholder: "" }, read);
}

/** `{ key: typed value }` for a list of keys: what the readers of one concern produce. */
export type ValuesOf<Keys extends readonly Key<string, unknown>[]> = {
  [E in Keys[number] as E["key"]]: E extends Key<string, infer T> ? T : never;
};

/**
 * A cross-field check on the defaulted draft. It runs only when every key it `uses` read
 * cleanly, so one typo does not cascade into a second, misleading issue.
 */
export interface Rule {
  readonly name: string;
  readonly uses: readonly string[];
  /** Checked only for a config about to run, not for a profile (`nsjail check` of a file
   * without `command`). */
  readonly runOnly?: boolean;
  readonly check: (config: JailConfig, host: HostFacts, ctx: RuleContext) => ConfigIssue[];
}

/** What a rule may need besides the defaulted config: which keys were written, their typed
 * values before defaults, and which of them failed to read. */
export interface RuleContext {
  readonly given: ReadonlySet<string>;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly invalid: ReadonlySet<string>;
}

/** The issue a rule reports when a key needs a namespace that is not unshared. */
export function needsNamespace(key: string, ns: string): ConfigIssue {
  return { path: key, message: `needs the ${ns} namespace (add "${ns}" to unshare)` };
}

/** Numbers that name a set (fds, capabilities): each once, ascending. */
export function sortedUnique(xs: readonly number[]): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}
