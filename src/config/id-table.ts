// Stage 1 (config): the one reader of /etc/passwd and /etc/group text — the host's, when its
// name service cannot answer, and a rootfs's own.

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
