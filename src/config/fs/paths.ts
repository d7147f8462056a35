// Stage 1 (config): path and word checks shared by the file-system readers (mounts, rootfs,
// hooks). Each returns the checked value or undefined after reporting one issue.
import { describe, expectCString, expectInt, type Report } from "../expect.ts";
import { didYouMean } from "../suggest.ts";

/** PATH_MAX: the kernel refuses longer paths with ENAMETOOLONG. */
const PATH_MAX = 4095;
/** Longer words are not compared for a suggestion: a typo is short, and the cost stays linear. */
const SUGGEST_MAX = 64;

/** " (did you mean 'x'?)" for short words only. */
export function suggest(word: string, candidates: Iterable<string>): string {
  return word.length > SUGGEST_MAX ? "" : didYouMean(word, candidates);
}

/** An absolute host path (a source: `..` is the host's business, it stays as written). */
export function hostPath(v: unknown, path: string, report: Report): string | undefined {
  const s = expectCString(v, path, report);
  if (s === undefined) return undefined;
  if (!s.startsWith("/")) return fail(report, path, `must be an absolute path, got ${describe(s)}`);
  if (s.length > PATH_MAX) return fail(report, path, `is longer than ${PATH_MAX} bytes`);
  return s;
}

/**
 * An absolute path inside the jail, normalized (`//` and `.` dropped, no trailing `/`). A `..`
 * component is refused: it could climb out of the new root before it is the root.
 */
export function jailPath(v: unknown, path: string, report: Report): string | undefined {
  const s = hostPath(v, path, report);
  if (s === undefined) return undefined;
  const parts = s.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) return fail(report, path, `must not contain '..', got ${describe(s)}`);
  return `/${parts.join("/")}`;
}

/** A jail path that is not `/` itself (mount points, files, links). */
export function jailSubPath(v: unknown, path: string, report: Report, why: string): string | undefined {
  const p = jailPath(v, path, report);
  if (p !== "/") return p;
  return fail(report, path, `cannot be '/': ${why}`);
}

/** True when `inner` is `outer` or lies below it (both normalized). */
export function isUnder(inner: string, outer: string): boolean {
  if (outer === "/") return true;
  return inner === outer || inner.startsWith(`${outer}/`);
}

/** File mode bits: an integer (TOML `0o755`) or an octal string ("0755", "755"). */
export function fileMode(v: unknown, path: string, report: Report): number | undefined {
  if (typeof v === "string") {
    if (/^0?[0-7]{3,4}$/.test(v) || /^0o[0-7]{1,4}$/.test(v)) return Number.parseInt(v.replace(/^0o/, ""), 8);
    return fail(report, path, `expected an octal mode such as "0755", got ${describe(v)}`);
  }
  return expectInt(v, path, report, 0, 0o7777);
}

/** One of `words` (after `aliases`), with a bounded did-you-mean. */
export function word<W extends string>(
  s: string,
  words: readonly W[],
  aliases: Readonly<Record<string, W>>,
  what: string,
  path: string,
  report: Report,
): W | undefined {
  const w = aliases[s] ?? s;
  if ((words as readonly string[]).includes(w)) return w as W;
  const hint = suggest(s, [...words, ...Object.keys(aliases)]) || ` (expected one of ${words.join(", ")})`;
  return fail(report, path, `unknown ${what} ${describe(s)}${hint}`);
}

/**
 * `A:B` of a flag at its first `:`, or [A, null]. Paths holding `:` need the TOML table form.
 */
export function splitPair(s: string): [string, string | null] {
  const i = s.indexOf(":");
  return i < 0 ? [s, null] : [s.slice(0, i), s.slice(i + 1)];
}

/** A flag-style `A[:B]` string read part by part; B is null without a `:`. */
export function readPair<A, B>(
  v: unknown,
  path: string,
  report: Report,
  first: (s: string, path: string, report: Report) => A | undefined,
  second: (s: string, path: string, report: Report) => B | undefined,
): [A, B | null] | undefined {
  const s = expectCString(v, path, report);
  if (s === undefined) return undefined;
  const [a, b] = splitPair(s);
  const ra = first(a, path, report);
  const rb = b === null ? null : second(b, path, report);
  return ra === undefined || rb === undefined ? undefined : [ra, rb];
}

export function fail(report: Report, path: string, message: string): undefined {
  report(path, message);
  return undefined;
}
