// Stage 1 (config), CLI side, without commander: which options `run` takes, the attribute each
// sets in the parsed options object, and parsed options → the raw snake_case table a TOML file
// would give, so the validator checks both the same way. Shared by commander and the fast path.
import { FlagValue } from "../config/expect.ts";
import { MAX_CONFIG_MIB } from "../config/load.ts";
import { SCHEMA, type KeySpec, type Shorthand } from "../config/schema/index.ts";
import type { FlagForm } from "../config/schema/key.ts";

export type FlagSpec = KeySpec & { readonly flag: string };

/** Schema keys that have a flag; booleans also get a `--no-` twin. */
export const FLAGGED: readonly FlagSpec[] = (SCHEMA as readonly KeySpec[]).filter((s): s is FlagSpec => s.flag !== null);

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

/**
 * Given flags only, keyed by TOML key. Integers that parse become numbers; anything else stays
 * a string so the validator reports it under the flag (`--time-limit: expected …, got 'x'`).
 */
export function flagsToRaw(opts: Record<string, unknown>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const s of FLAGGED) {
    const value = opts[attributeFor(s.flag)];
    if (value === undefined) continue;
    raw[s.key] = convert(s, value);
  }
  for (const s of SCHEMA as readonly KeySpec[]) {
    const tagged = s.forms === undefined ? undefined : (opts[attributeFor(`--${s.key}`)] as [string, string][] | undefined);
    if (tagged !== undefined) raw[s.key] = tagged.map(([flag, value]) => new FlagValue(flag, value));
  }
  // A shorthand adds its value to a list; for a single value the key's own flag wins, and of
  // two shorthands the later in the schema (`-v` over `-q`).
  const explicit = new Set(Object.keys(raw));
  for (const s of SHORTHANDS) {
    if (opts[attributeFor(s.flag)] !== true) continue;
    if (s.spec.repeatable) raw[s.spec.key] = [...((raw[s.spec.key] as unknown[] | undefined) ?? []), s.value];
    else if (!explicit.has(s.spec.key)) raw[s.spec.key] = s.value;
  }
  return raw;
}

function convert(s: KeySpec, value: unknown): unknown {
  const int = (v: unknown) => (typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v);
  switch (s.kind) {
    case "uint":
      return int(value);
    case "uint[]":
      return Array.isArray(value) ? value.map(int) : value;
    case "namespace[]": {
      // `--unshare net,pid --unshare uts` means all three; `--unshare ""` means none.
      const words = Array.isArray(value) ? value : [value];
      return words.flatMap((w) => String(w).split(",")).map((w) => w.trim()).filter((w) => w !== "");
    }
    default:
      return value;
  }
}
