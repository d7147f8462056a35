// Stage 1 (config): the primitive type checks every key reader starts with (expectInt,
// expectArray, …). Each returns the typed value, or undefined after reporting one issue, so
// validation goes on and reports every problem at once.

export type Report = (path: string, message: string) => void;

export type Table = Record<string, unknown>;

/** The value of one command-line flag among several that feed the same key (`--bind`,
 * `--tmpfs`… all feed `mount`), kept in command-line order; never a TOML table. */
export class FlagValue {
  constructor(
    readonly flag: string,
    readonly value: string,
  ) {}
}

export function isTable(v: unknown): v is Table {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof FlagValue);
}

/** The TOML type name of a parsed value, as used in "expected …, got <type>". */
function typeName(v: unknown): string {
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "boolean";
  if (typeof v === "bigint") return "integer";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "float";
  if (Array.isArray(v)) return "array";
  if (v instanceof Date) return "datetime";
  if (v === null || v === undefined) return "nothing";
  if (v instanceof FlagValue) return `${v.flag} ${describe(v.value)}`;
  return "table";
}

/** Longest string value quoted whole in a message; longer ones are cut. */
const SHOWN_MAX = 40;
const CUT = "...";

/** Strings are shown with their value: a CLI user typed them and wants to see which one. */
export function describe(v: unknown): string {
  if (typeof v !== "string") return typeName(v);
  const shown = v.length > SHOWN_MAX ? `${v.slice(0, SHOWN_MAX - CUT.length)}${CUT}` : v;
  return `'${shown.replace(/\0/g, "\\0")}'`;
}

export function expectString(v: unknown, path: string, report: Report): string | undefined {
  if (typeof v === "string") return v;
  report(path, `expected a string, got ${describe(v)}`);
  return undefined;
}

/** Strings that reach execve or a syscall as C strings cannot hold NUL. */
export function expectCString(v: unknown, path: string, report: Report): string | undefined {
  const s = expectString(v, path, report);
  if (s === undefined || !s.includes("\0")) return s;
  report(path, "must not contain a NUL byte");
  return undefined;
}

/** A C string that is not empty: a path or a name; `what` says which ("a path"). */
export function expectNonEmpty(v: unknown, path: string, report: Report, what: string): string | undefined {
  const s = expectCString(v, path, report);
  if (s !== "") return s;
  report(path, `expected ${what}, got ${describe(s)}`);
  return undefined;
}

export function expectBool(v: unknown, path: string, report: Report): boolean | undefined {
  if (typeof v === "boolean") return v;
  report(path, `expected a boolean (true or false), got ${describe(v)}`);
  return undefined;
}

/** An integer in [min, max]; numeric strings are not accepted here (cli/flags.ts converts). */
export function expectInt(
  v: unknown,
  path: string,
  report: Report,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const what = min === 0 ? "a non-negative integer" : `an integer ≥ ${min}`;
  if (typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v))) {
    if (v >= min && v <= max) return Number(v);
    report(path, v < min ? `expected ${what}, got ${v}` : `${v} is too large (at most ${max})`);
    return undefined;
  }
  report(path, `expected ${what}, got ${describe(v)}`);
  return undefined;
}

/** Runs `each` on every element; a non-array is one issue and yields undefined. */
export function expectArray<T>(
  v: unknown,
  path: string,
  report: Report,
  each: (item: unknown, itemPath: string) => T | undefined,
): T[] | undefined {
  if (!Array.isArray(v)) {
    report(path, `expected an array, got ${describe(v)}`);
    return undefined;
  }
  const out: T[] = [];
  let ok = true;
  v.forEach((item, i) => {
    const r = each(item, `${path}[${i}]`);
    if (r === undefined) ok = false;
    else out.push(r);
  });
  return ok ? out : undefined;
}
