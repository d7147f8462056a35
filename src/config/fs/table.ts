// Stage 1 (config): reading one TOML table (a [[mount]] entry, a hook table) key by key, with
// unknown keys reported against the keys that table may hold.
import { describe, isTable, type Report, type Table } from "../expect.ts";
import { suggest } from "./paths.ts";

export type FieldRead<T> = (v: unknown, path: string, report: Report) => T | undefined;

export interface TableReader {
  readonly table: Table;
  /** A key that must be present. */
  need<T>(key: string, read: FieldRead<T>): T | undefined;
  /** A key with a default. */
  take<T>(key: string, read: FieldRead<T>, fallback: T): T | undefined;
  /** Reports a problem of `key` (a combination of keys, say) and marks the table failed. */
  complain(key: string, message: string): undefined;
  /** True once any key of this table was reported. */
  failed(): boolean;
}

/** A reader over `v`, or undefined after reporting that `v` is not a table. */
export function tableReader(v: unknown, path: string, report: Report): TableReader | undefined {
  if (!isTable(v)) {
    report(path, `expected a table, got ${describe(v)}`);
    return undefined;
  }
  let bad = false;
  const counted: Report = (p, m) => {
    bad = true;
    report(p, m);
  };
  return {
    table: v,
    need(key, read) {
      if (v[key] === undefined) return void counted(`${path}.${key}`, "missing");
      return read(v[key], `${path}.${key}`, counted);
    },
    take(key, read, fallback) {
      return v[key] === undefined ? fallback : read(v[key], `${path}.${key}`, counted);
    },
    complain: (key, message) => void counted(`${path}.${key}`, message),
    failed: () => bad,
  };
}

/**
 * Reports every key of `t` outside `allowed`. `elsewhere(key)` may explain a key that belongs
 * to another kind of entry; otherwise a close allowed key is suggested. Returns false on any.
 */
export function checkKeys(
  t: Table,
  allowed: readonly string[],
  path: string,
  report: Report,
  elsewhere: (key: string) => string | null = () => null,
): boolean {
  let ok = true;
  for (const key of Object.keys(t)) {
    if (allowed.includes(key)) continue;
    ok = false;
    report(`${path}.${key}`, elsewhere(key) ?? `unknown key${suggest(key, allowed)}`);
  }
  return ok;
}
