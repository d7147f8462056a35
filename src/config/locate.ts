// Stage 1 (config): key path (`uid_map[1]`, `uid_map[0].inside`, `hostname`) → 1-based line in
// the TOML text, so every issue can say file:line. Best effort: a light scan of `key =` lines,
// `[table]`/`[[array]]` headers and array elements, never a second TOML parser.

type Segment = string | number;

export function parsePath(path: string): Segment[] | null {
  const m = /^([A-Za-z0-9_-]+)((?:\[\d+\]|\.[A-Za-z0-9_-]+)*)$/.exec(path);
  if (!m || m[1] === undefined) return null;
  const segs: Segment[] = [m[1]];
  for (const s of (m[2] ?? "").match(/\[\d+\]|\.[A-Za-z0-9_-]+/g) ?? []) {
    segs.push(s.startsWith("[") ? Number(s.slice(1, -1)) : s.slice(1));
  }
  return segs;
}

export function locateKey(text: string, path: string): number | undefined {
  const segs = parsePath(path);
  if (!segs) return undefined;
  const [head, ...rest] = segs as [string, ...Segment[]];
  const lines = text.split("\n");
  const firstHeader = lines.findIndex(isHeader);
  const rootEnd = firstHeader < 0 ? lines.length : firstHeader;

  const at = findAssignment(lines, 0, rootEnd, head);
  if (at !== undefined) {
    if (typeof rest[0] !== "number") return at + 1;
    const offset = lines.slice(0, at).reduce((n, l) => n + l.length + 1, 0);
    const eq = (lines[at] ?? "").indexOf("=");
    return elementLine(text, offset + eq + 1, rest[0]) ?? at + 1;
  }

  // [[head]] array of tables: index i is the (i+1)-th header; `[head]` is a plain table.
  const wanted = typeof rest[0] === "number" ? rest[0] : 0;
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    const name = headerName(lines[i] ?? "");
    if (name !== head) continue;
    if (seen++ < wanted) continue;
    const sub = rest.find((s): s is string => typeof s === "string");
    if (sub === undefined) return i + 1;
    const next = lines.findIndex((l, j) => j > i && isHeader(l));
    const inner = findAssignment(lines, i + 1, next < 0 ? lines.length : next, sub);
    return (inner ?? i) + 1;
  }
  return undefined;
}

function isHeader(line: string): boolean {
  return /^\s*\[/.test(line);
}

function headerName(line: string): string | null {
  const m = /^\s*\[\[?\s*(["']?)([^\]"']+)\1\s*\]/.exec(line);
  return m?.[2]?.trim() ?? null;
}

/** Index of the first `key =` line (bare or quoted key) in [from, to). */
function findAssignment(lines: readonly string[], from: number, to: number, key: string): number | undefined {
  const esc = key.replace(/[-]/g, "\\-");
  const re = new RegExp(`^\\s*(?:${esc}|"${esc}"|'${esc}')\\s*=`);
  for (let i = from; i < to; i++) if (re.test(lines[i] ?? "")) return i;
  return undefined;
}

/**
 * Line of element `index` of the array value starting at `pos` (just after `=`). Walks strings,
 * comments and nesting so commas inside them are not counted.
 */
function elementLine(text: string, pos: number, index: number): number | undefined {
  let line = text.slice(0, pos).split("\n").length;
  let i = pos;
  while (i < text.length && /[ \t]/.test(text[i] ?? "")) i++;
  if (text[i] !== "[") return undefined;
  i++;
  let depth = 1;
  let element = 0;
  let expecting = true;
  while (i < text.length) {
    const c = text[i] ?? "";
    if (c === "\n") line++;
    if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (depth === 1 && expecting && c !== "]") {
      if (element === index) return line;
      expecting = false;
    }
    if (c === '"' || c === "'") {
      const end = skipString(text, i);
      line += countNewlines(text, i, end);
      i = end;
      continue;
    }
    if (c === "[" || c === "{") depth++;
    else if (c === "]" || c === "}") {
      if (--depth === 0) return undefined;
    } else if (c === "," && depth === 1) {
      element++;
      expecting = true;
    }
    i++;
  }
  return undefined;
}

/** Index just past the string starting at `i` (basic, literal, or either multi-line form). */
function skipString(text: string, i: number): number {
  const q = text[i] ?? '"';
  const triple = text.startsWith(q.repeat(3), i);
  const close = triple ? q.repeat(3) : q;
  let j = i + close.length;
  while (j < text.length) {
    if (q === '"' && text[j] === "\\") {
      j += 2;
      continue;
    }
    if (text.startsWith(close, j)) return j + close.length;
    if (!triple && text[j] === "\n") return j; // unterminated: the parser already complained
    j++;
  }
  return j;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) if (text[k] === "\n") n++;
  return n;
}
