// Stage 1 (config): key path (`uid_map[1]`, `uid_map[0].inside`, `hostname`) → 1-based line in
// the TOML text, so every issue can say file:line. One scan of the text indexes every key,
// table header and array element; each issue is then a lookup. Best effort, never a second
// TOML parser: the text has already parsed, so the scan only needs to find its way.

/** Where a key was assigned, and where each element of its array value starts (offsets). */
interface Entry {
  readonly at: number;
  readonly elements: number[];
}

/** One `[name]` or `[[name]]` header and the keys assigned under it. */
interface Table {
  readonly at: number;
  readonly keys: Map<string, Entry>;
}

export interface KeyIndex {
  /** Top-level keys by their first (or only) dotted segment; the first assignment wins. */
  readonly root: Map<string, Entry>;
  /** Headers by their first segment, in file order: `[[x]]` number i is x[i]. */
  readonly tables: Map<string, Table[]>;
  /** Offset of every newline, ascending, to turn offsets into lines. */
  readonly newlines: number[];
}

const SPACE = new Set([" ", "\t", "\r"]);
const BARE_KEY = /[A-Za-z0-9_-]/;

export function indexKeys(text: string): KeyIndex {
  const index: KeyIndex = { root: new Map(), tables: new Map(), newlines: [] };
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) index.newlines.push(i);
  let table: Table | null = null;
  let i = 0;
  while (i < text.length) {
    i = skipSpace(text, i);
    const c = text[i];
    if (c === undefined) break;
    if (c === "\n") i++;
    else if (c === "#") i = lineEnd(text, i);
    else if (c === "[") {
      const start = i;
      i += text[i + 1] === "[" ? 2 : 1;
      const [name, next] = readKey(text, i);
      table = { at: start, keys: new Map() };
      const list = index.tables.get(name) ?? [];
      list.push(table);
      index.tables.set(name, list);
      i = lineEnd(text, next);
    } else {
      const [name, next] = readKey(text, i);
      const entry: Entry = { at: i, elements: [] };
      const keys = table === null ? index.root : table.keys;
      if (!keys.has(name)) keys.set(name, entry);
      const eq = text.indexOf("=", next);
      if (eq < 0) break;
      i = skipValue(text, skipSpace(text, eq + 1), entry.elements);
    }
  }
  return index;
}

/** The line of `path` in the indexed text, or undefined when it cannot be found. */
export function lineOf(index: KeyIndex, path: string): number | undefined {
  const at = offsetOf(index, path);
  if (at === undefined) return undefined;
  // Lines before `at` = newlines before it; binary search keeps each lookup O(log n).
  let lo = 0;
  let hi = index.newlines.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (index.newlines[mid]! < at) lo = mid + 1;
    else hi = mid;
  }
  return lo + 1;
}

function offsetOf(index: KeyIndex, path: string): number | undefined {
  // An unknown key is reported under its own name, which may hold "." or "[" when quoted.
  const whole = index.root.get(path) ?? index.tables.get(path)?.[0];
  if (whole !== undefined) return whole.at;
  const [head, ...rest] = splitPath(path);
  const entry = index.root.get(head);
  if (entry !== undefined) return typeof rest[0] === "number" ? (entry.elements[rest[0]] ?? entry.at) : entry.at;
  const table = index.tables.get(head)?.[typeof rest[0] === "number" ? rest[0] : 0];
  if (table === undefined) return undefined;
  const sub = rest.findIndex((s) => typeof s === "string");
  const inner = sub < 0 ? undefined : table.keys.get(rest[sub] as string);
  if (inner === undefined) return table.at;
  const element = rest[sub + 1];
  return typeof element === "number" ? (inner.elements[element] ?? inner.at) : inner.at;
}

/** `a[2].b` → ["a", 2, "b"], in one pass and without regular expressions: paths carry
 * user-written keys of any length. */
function splitPath(path: string): [string, ...(string | number)[]] {
  const segs: (string | number)[] = [];
  let word = "";
  let i = 0;
  while (i < path.length) {
    const c = path[i]!;
    let j = i + 1;
    if (c === "[") while (j < path.length && path[j]! >= "0" && path[j]! <= "9") j++;
    if (c === "[" && j > i + 1 && path[j] === "]") {
      segs.push(word, Number(path.slice(i + 1, j)));
      word = "";
      i = j + 1;
      if (path[i] === ".") i++;
    } else if (c === "." && i > 0) {
      segs.push(word);
      word = "";
      i++;
    } else {
      word += c;
      i++;
    }
  }
  if (word !== "" || segs.length === 0) segs.push(word);
  return segs.filter((s, k) => k === 0 || s !== "") as [string, ...(string | number)[]];
}

function skipSpace(text: string, i: number): number {
  while (SPACE.has(text[i] ?? "")) i++;
  return i;
}

function lineEnd(text: string, i: number): number {
  const nl = text.indexOf("\n", i);
  return nl < 0 ? text.length : nl;
}

/** A dotted key (`a."b.c".d`) → its first segment unquoted, and the offset just past the key. */
function readKey(text: string, i: number): [string, number] {
  let first: string | null = null;
  for (;;) {
    i = skipSpace(text, i);
    const q = text[i];
    let seg: string;
    if (q === '"' || q === "'") {
      const end = skipString(text, i);
      seg = unquote(text.slice(i, end));
      i = end;
    } else {
      const start = i;
      while (i < text.length && BARE_KEY.test(text[i]!)) i++;
      seg = text.slice(start, i);
    }
    first ??= seg;
    i = skipSpace(text, i);
    if (text[i] !== ".") return [first, i];
    i++;
  }
}

/** A quoted key's text; escapes are decoded by JSON for basic strings, kept for literal ones. */
function unquote(quoted: string): string {
  if (quoted.startsWith("'")) return quoted.slice(1, -1);
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted.slice(1, -1);
  }
}

/**
 * Offset just past the value starting at `i`. Walks strings, comments and nesting, and records
 * where each element of a top-level array starts, so commas inside strings do not count.
 */
function skipValue(text: string, i: number, elements: number[]): number {
  if (text[i] !== "[" && text[i] !== "{") return text[i] === '"' || text[i] === "'" ? skipString(text, i) : lineEnd(text, i);
  const isArray = text[i] === "[";
  let depth = 0;
  let expecting = true;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "#") {
      i = lineEnd(text, i);
      continue;
    }
    if (c === " " || c === "\t" || c === "\r" || c === "\n") {
      i++;
      continue;
    }
    if (depth === 1 && isArray && expecting && c !== "]") {
      elements.push(i);
      expecting = false;
    }
    if (c === '"' || c === "'") {
      i = skipString(text, i);
      continue;
    }
    if (c === "[" || c === "{") depth++;
    else if ((c === "]" || c === "}") && --depth === 0) return i + 1;
    else if (c === "," && depth === 1) expecting = true;
    i++;
  }
  return i;
}

/** Offset just past the string starting at `i` (basic, literal, or either multi-line form). */
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
