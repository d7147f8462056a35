// Stage 1 (config): user and group names → ids, read from the host's /etc/passwd and /etc/group.
// Parsing is pure; the file read is a thin, lazy wrapper so tests never touch /etc.
import { decodeUtf8, nodeReadFile, type ReadFile } from "./read-file.ts";

/** `name:passwd:id:...` lines (passwd and group share the first three fields) → name → id. */
export function parseIdTable(text: string): ReadonlyMap<string, number> {
  const ids = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    const [name, , id] = line.split(":");
    // NIS "+"/"-" compat lines and malformed ids are skipped, not fatal.
    if (!name || id === undefined || !/^\d+$/.test(id) || /^[+-]/.test(name)) continue;
    if (!ids.has(name)) ids.set(name, Number(id)); // first entry wins, as in getpwnam()
  }
  return ids;
}

export const parsePasswd = parseIdTable;
export const parseGroup = parseIdTable;

/** A lookup reading `path` on first use; an unreadable file means "no such name". */
export function idLookup(path: string, readFile: ReadFile = nodeReadFile): (name: string) => number | null {
  let table: ReadonlyMap<string, number> | null = null;
  return (name) => {
    if (table === null) {
      try {
        table = parseIdTable(decodeUtf8(readFile(path)));
      } catch {
        table = new Map();
      }
    }
    return table.get(name) ?? null;
  };
}

export const lookupUser = idLookup("/etc/passwd");
export const lookupGroup = idLookup("/etc/group");
