// Emperor (many jails): what the vassal directory holds — every `NAME.toml` but emperor.toml
// and hidden files (editors' temporaries), each with a fingerprint that changes with its
// content, its mtime (`touch` reloads) or what a symlink points at — and how two scans differ.
import { lstatSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { SETTINGS_FILE } from "./settings.ts";

/** name → fingerprint. */
export type Scan = ReadonlyMap<string, string>;

export interface ScanDiff {
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly removed: readonly string[];
}

export function isVassalFile(entry: string): boolean {
  return entry.endsWith(".toml") && entry !== SETTINGS_FILE && !entry.startsWith(".") && entry.length > ".toml".length;
}

export function vassalName(entry: string): string {
  return entry.slice(0, -".toml".length);
}

/** The link itself and what it resolves to; a dangling link still has a fingerprint. */
function fingerprint(path: string): string {
  const link = lstatSync(path, { throwIfNoEntry: false });
  if (link === undefined) return "gone";
  const target = link.isSymbolicLink() ? statSync(path, { throwIfNoEntry: false }) : link;
  const self = `${link.ino}:${link.mtimeMs}`;
  return target === undefined ? `${self}|dangling` : `${self}|${target.dev}:${target.ino}:${target.size}:${target.mtimeMs}:${target.ctimeMs}`;
}

export function scanDir(dir: string): Scan {
  const found = new Map<string, string>();
  for (const entry of readdirSync(dir)) {
    if (!isVassalFile(entry)) continue;
    const fp = fingerprint(join(dir, entry));
    if (fp !== "gone") found.set(vassalName(entry), fp); // removed between readdir and stat
  }
  return found;
}

export function diffScans(before: Scan, after: Scan): ScanDiff {
  const added: string[] = [];
  const changed: string[] = [];
  for (const [name, fp] of after) {
    const old = before.get(name);
    if (old === undefined) added.push(name);
    else if (old !== fp) changed.push(name);
  }
  const removed = [...before.keys()].filter((name) => !after.has(name));
  return { added: added.sort(), changed: changed.sort(), removed: removed.sort() };
}
