// Stage 1 (config): the value syntaxes of the [limits] table — sizes ("64M"), rlimit bounds
// ("soft:hard", "inf"), CPU lists ("0-3,6") and decimal strings from flags. Each is one
// linear pass over input of bounded length.
import { describe, type Report } from "./expect.ts";

/** A limit value longer than this is refused before it is parsed (a CPU list of every
 * even CPU up to MAX_CPU is ~2.4 kB). */
const MAX_TEXT = 4096;
/** CPUs 0..1023: the 128-byte mask of glibc's cpu_set_t, which every kernel accepts. */
export const MAX_CPU = 1023;

const UNITS: Record<string, number> = { "": 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };
const SIZE = /^(\d{1,16})(?:\.(\d{1,6}))?([kmgt]?)$/i;
const SIZE_HELP = "bytes, or a number with K, M, G or T (e.g. 512K, 64M, 1.5G)";

/** An rlimit bound: a value in the resource's unit, or RLIM_INFINITY. */
export type RlimitBound = number | "inf";
export type RlimitUnit = "bytes" | "seconds" | "microseconds" | "count";

function tooLong(s: string, path: string, report: Report): boolean {
  if (s.length <= MAX_TEXT) return false;
  report(path, `value is ${s.length} characters long (at most ${MAX_TEXT})`);
  return true;
}

function isInteger(v: unknown): v is number | bigint {
  return typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v));
}

/**
 * A number as TOML writes it, or as a flag hands it over: a decimal string ("20", "-5",
 * "0.5"). Anything else is returned unchanged for the caller's type message.
 */
export function numeric(v: unknown): unknown {
  if (typeof v !== "string" || !/^-?\d{1,16}(?:\.\d{1,9})?$/.test(v)) return v;
  return Number(v);
}

/** Bytes from a non-negative integer or a string such as "64M" (binary units, 1K = 1024). */
export function parseSize(v: unknown, path: string, report: Report): number | undefined {
  if (isInteger(v)) {
    if (v >= 0 && v <= Number.MAX_SAFE_INTEGER) return Number(v);
    report(path, v < 0 ? `expected a size, got ${v}` : `${v} is too large (at most ${Number.MAX_SAFE_INTEGER} bytes)`);
    return undefined;
  }
  if (typeof v !== "string" || tooLong(v, path, report)) {
    if (typeof v !== "string") report(path, `expected a size: ${SIZE_HELP}; got ${describe(v)}`);
    return undefined;
  }
  const m = SIZE.exec(v);
  if (!m) {
    report(path, `expected a size: ${SIZE_HELP}; got ${describe(v)}`);
    return undefined;
  }
  const unit = UNITS[m[3]!.toLowerCase()]!;
  const bytes = Number(m[1]) * unit + Math.floor(Number(`0.${m[2] ?? "0"}`) * unit);
  if (bytes <= Number.MAX_SAFE_INTEGER) return bytes;
  report(path, `${v} is too large (at most ${Number.MAX_SAFE_INTEGER} bytes)`);
  return undefined;
}

function parseBound(text: string, unit: RlimitUnit, path: string, report: Report): RlimitBound | undefined {
  if (text === "inf") return "inf";
  if (unit === "bytes") return parseSize(text, path, report);
  if (/^\d{1,16}$/.test(text) && Number(text) <= Number.MAX_SAFE_INTEGER) return Number(text);
  report(path, `expected a non-negative integer (${unit}) or "inf", got ${describe(text)}`);
  return undefined;
}

/**
 * An rlimit: one number or "inf" for both bounds, or "soft:hard". Plain numbers are in the
 * kernel's unit for the resource (setrlimit(2)); byte-sized ones also take K/M/G suffixes.
 */
export function parseRlimit(
  v: unknown,
  unit: RlimitUnit,
  path: string,
  report: Report,
): { soft: RlimitBound; hard: RlimitBound } | undefined {
  if (isInteger(v)) {
    if (v >= 0 && v <= Number.MAX_SAFE_INTEGER) return { soft: Number(v), hard: Number(v) };
    report(path, `expected a non-negative integer (${unit}) or "inf", got ${v}`);
    return undefined;
  }
  if (typeof v !== "string") {
    report(path, `expected a number, "inf" or "soft:hard" (e.g. "64:1024"), got ${describe(v)}`);
    return undefined;
  }
  if (tooLong(v, path, report)) return undefined;
  const parts = v.split(":");
  if (parts.length > 2) {
    report(path, `expected a number, "inf" or "soft:hard" (e.g. "64:1024"), got ${describe(v)}`);
    return undefined;
  }
  const soft = parseBound(parts[0]!, unit, path, report);
  const hard = parts.length === 2 ? parseBound(parts[1]!, unit, path, report) : soft;
  if (soft === undefined || hard === undefined) return undefined;
  if (hard !== "inf" && (soft === "inf" || soft > hard)) {
    report(path, `the soft limit (${soft}) is above the hard limit (${hard})`);
    return undefined;
  }
  return { soft, hard };
}

/**
 * CPU numbers from "0-3,6" (the cpuset and taskset syntax) or an array of integers, sorted
 * and unique. Ranges are marked in a difference array, so "0-1023" costs no more than "0".
 */
export function parseCpuList(v: unknown, path: string, report: Report): number[] | undefined {
  const delta = new Int32Array(MAX_CPU + 2);
  const mark = (from: number, to: number) => {
    delta[from]! += 1;
    delta[to + 1]! -= 1;
  };
  if (Array.isArray(v)) {
    let ok = true;
    v.forEach((item, i) => {
      if (isInteger(item) && item >= 0 && item <= MAX_CPU) return mark(Number(item), Number(item));
      report(`${path}[${i}]`, `expected a CPU number 0..${MAX_CPU}, got ${describe(item)}`);
      ok = false;
    });
    if (!ok) return undefined;
  } else if (typeof v === "string") {
    if (tooLong(v, path, report)) return undefined;
    for (const part of v.split(",")) {
      const m = /^\s*(\d{1,4})\s*(?:-\s*(\d{1,4})\s*)?$/.exec(part);
      const [from, to] = m ? [Number(m[1]), Number(m[2] ?? m[1])] : [NaN, NaN];
      if (!m || from > to || to > MAX_CPU) {
        report(path, `expected CPUs like "0-3,6" (each 0..${MAX_CPU}), got ${describe(part)}`);
        return undefined;
      }
      mark(from, to);
    }
  } else {
    report(path, `expected a CPU list such as "0-3,6" or [0, 1], got ${describe(v)}`);
    return undefined;
  }
  const cpus: number[] = [];
  for (let cpu = 0, depth = 0; cpu <= MAX_CPU; cpu++) if ((depth += delta[cpu]!) > 0) cpus.push(cpu);
  if (cpus.length > 0) return cpus;
  report(path, "selects no CPU");
  return undefined;
}
