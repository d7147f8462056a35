// Test support for Stage 1 (config): reads the file-system keys of a TOML snippet the way
// validation will — readers, defaults, then the cross-field rules — and returns all issues.
import TOML from "@iarna/toml";
import type { ConfigIssue } from "../../../../src/errors.ts";
import { FS_KEYS, FS_READERS, applyFsDefaults, type FsFields } from "../../../../src/config/fs/fields.ts";
import type { FsConfig } from "../../../../src/config/fs/model.ts";
import { runFsRules } from "../../../../src/config/fs/rules.ts";

export const ALL_NS = ["fs", "ipc", "pid", "uts", "net", "user", "cgroup"];

export function checkFs(text: string, unshare: readonly string[] = ALL_NS): { fs: FsConfig | null; issues: ConfigIssue[] } {
  const raw = TOML.parse(text) as Record<string, unknown>;
  const issues: ConfigIssue[] = [];
  const report = (path: string, message: string) => issues.push({ path, message });
  const fields: Partial<Record<keyof FsFields, unknown>> = {};
  const invalid = new Set<string>();
  for (const key of FS_KEYS) {
    if (raw[key] === undefined) continue;
    const v = (FS_READERS[key] as (v: unknown, p: string, c: { report: typeof report }) => unknown)(raw[key], key, { report });
    if (v === undefined) invalid.add(key);
    else fields[key] = v;
  }
  const f = fields as Partial<FsFields>;
  const fs = applyFsDefaults(f);
  const given = new Set(Object.keys(raw));
  issues.push(...runFsRules({ fs, keepMount: f.keep_mount ?? [], unshare: new Set(unshare), exec: false, given }, invalid));
  return { fs: issues.length === 0 ? fs : null, issues };
}

export function fsOf(text: string, unshare?: readonly string[]): FsConfig {
  const r = checkFs(text, unshare);
  if (r.fs === null) throw new Error(`unexpected issues: ${JSON.stringify(r.issues)}`);
  return r.fs;
}

/** [path, message] pairs, the shape the tables below are written in. */
export function issuePairs(text: string, unshare?: readonly string[]): [string, string][] {
  return checkFs(text, unshare).issues.map((i) => [i.path, i.message]);
}
