// Stage 1 (config), CLI side, without commander: which options `run` takes and the attribute
// each sets in the parsed options object (flags-to-raw.ts turns those into a TOML-shaped
// table). Shared by commander and the fast path.
import { MAX_CONFIG_MIB } from "../config/load.ts";
import { SCHEMA, type KeySpec, type Shorthand } from "../config/schema/index.ts";
import type { FlagForm } from "../config/schema/key.ts";

/** A flag: a schema key's, or one that sets the key `key` of the table key `table`. */
export type FlagSpec = KeySpec & { readonly flag: string; readonly table: string | null };

/** Schema keys and table keys that have a flag; booleans also get a `--no-` twin. */
export const FLAGGED: readonly FlagSpec[] = (SCHEMA as readonly KeySpec[]).flatMap((s) => [
  ...(s.flag === null ? [] : [{ ...s, flag: s.flag, table: null }]),
  ...(s.fields ?? []).flatMap((f) => (f.flag === null ? [] : [{ ...f, flag: f.flag, table: s.key }])),
]);

/** Flags that feed a key together (`--bind`, `--tmpfs`… → `mount`): each value is kept as
 * [flag, value] in one list under the key's attribute, so their command-line order survives. */
export type FormFlag = FlagForm & { readonly attr: string };

export const FORM_FLAGS: readonly FormFlag[] = (SCHEMA as readonly KeySpec[]).flatMap((s) =>
  (s.forms ?? []).map((f) => ({ ...f, attr: attributeFor(`--${s.key}`) })),
);

/** Every valueless shorthand flag (`-q`, `--keep-env-all`) with the key it stands for. */
export const SHORTHANDS: readonly (Shorthand & { readonly spec: KeySpec })[] = (SCHEMA as readonly KeySpec[]).flatMap((spec) =>
  (spec.shorthands ?? []).map((s) => ({ ...s, spec })),
);

/** `--` ends the options: a value flag never takes it as its value (`--hostname -- cmd`). */
export const END_OF_OPTIONS = "--";

export interface RunOption {
  readonly short: string | null;
  readonly long: string;
  /** Value placeholder, or null for a boolean. */
  readonly placeholder: string | null;
  readonly doc: string;
}

/** `run`'s own options, which are not config keys (commander registers them from here too). */
export const RUN_OPTIONS: readonly RunOption[] = [
  { short: "-c", long: "--config", placeholder: "file", doc: `TOML config file, a regular file of at most ${MAX_CONFIG_MIB} MiB (flags override its values and add to its lists)` },
  { short: null, long: "--dry-run", placeholder: null, doc: "print the plan, one op a line, and exit" },
  { short: null, long: "--json", placeholder: null, doc: "with --dry-run: print the plan as one JSON object" },
];

/** A boolean flag's off switch: `--exec` → `--no-exec`. */
export function negatedFlag(flag: string): string {
  return `--no-${flag.slice("--".length)}`;
}

/**
 * Commander's attribute name for a long flag (Option.attributeName(), reimplemented so the fast
 * path need not load commander): `--as-pid-1` → `asPid1`, and `--no-exec` → `exec`.
 */
export function attributeFor(long: string): string {
  const name = long.replace(/^--/, "").replace(/^no-/, "");
  return name.split("-").reduce((acc, word) => acc + word.charAt(0).toUpperCase() + word.slice(1));
}
