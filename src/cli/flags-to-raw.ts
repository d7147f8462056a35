// Stage 1 (config), CLI side: parsed options → the raw snake_case table a TOML file would
// give, so the validator checks flags and file the same way. Shared by commander and the
// fast path.
import { FlagValue } from "../config/expect.ts";
import { SCHEMA, type KeySpec } from "../config/schema/index.ts";
import { attributeFor, FLAGGED, SHORTHANDS } from "./flag-table.ts";

/**
 * Given flags only, keyed by TOML key (a table's flags in a table: `{ limits: { memory } }`).
 * Integers that parse become numbers; anything else stays a string so the validator reports
 * it under the flag (`--time-limit: expected …, got 'x'`).
 */
export function flagsToRaw(opts: Record<string, unknown>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const s of FLAGGED) {
    const value = opts[attributeFor(s.flag)];
    if (value === undefined) continue;
    if (s.table === null) raw[s.key] = convert(s, value);
    else ((raw[s.table] ??= {}) as Record<string, unknown>)[s.key] = convert(s, value);
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
    case "errno":
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
