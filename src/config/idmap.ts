// Stage 1 (config): one uid_map/gid_map entry, "IN:OUT:COUNT" or {inside, outside, count} → IdMap.
import type { IdMap } from "./model.ts";
import { describe, expectInt, isTable, type Report } from "./expect.ts";
import { didYouMean } from "./suggest.ts";

/** (uid_t)-1 is "no id" to the kernel, so the largest usable id is one below it. */
export const MAX_ID = 0xffff_fffe;
const FIELDS = ["inside", "outside", "count"] as const;

export function parseIdMap(v: unknown, path: string, report: Report): IdMap | undefined {
  let parts: Record<(typeof FIELDS)[number], unknown>;
  if (typeof v === "string") {
    const m = /^\s*(\d+)\s*:\s*(\d+)\s*:\s*(\d+)\s*$/.exec(v);
    if (!m) {
      report(path, `expected "IN:OUT:COUNT" (three non-negative integers), got ${describe(v)}`);
      return undefined;
    }
    parts = { inside: Number(m[1]), outside: Number(m[2]), count: Number(m[3]) };
  } else if (isTable(v)) {
    let ok = true;
    for (const k of Object.keys(v)) {
      if ((FIELDS as readonly string[]).includes(k)) continue;
      report(`${path}.${k}`, `unknown key${didYouMean(k, FIELDS)}`);
      ok = false;
    }
    for (const k of FIELDS) {
      if (v[k] !== undefined) continue;
      report(`${path}.${k}`, "missing");
      ok = false;
    }
    if (!ok) return undefined;
    parts = { inside: v.inside, outside: v.outside, count: v.count };
  } else {
    report(path, `expected "IN:OUT:COUNT" or a table {inside, outside, count}, got ${describe(v)}`);
    return undefined;
  }
  // Table fields get their own paths; string fields are reported on the whole entry.
  const at = (k: string) => (typeof v === "string" ? path : `${path}.${k}`);
  const inside = expectInt(parts.inside, at("inside"), report, 0, MAX_ID);
  const outside = expectInt(parts.outside, at("outside"), report, 0, MAX_ID);
  const count = expectInt(parts.count, at("count"), report, 1, MAX_ID + 1);
  if (inside === undefined || outside === undefined || count === undefined) return undefined;
  // The kernel rejects ranges that wrap past (u32)-1.
  if (inside + count - 1 > MAX_ID || outside + count - 1 > MAX_ID) {
    report(path, `range ${inside}:${outside}:${count} runs past the largest id ${MAX_ID}`);
    return undefined;
  }
  return { inside, outside, count };
}
