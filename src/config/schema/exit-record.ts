// Stage 1 (config): where the exit record goes — one JSON line per jail when it ends (see
// docs/exit-record.md): an fd nsjail inherited, a file it appends to, or both.
import type { ConfigIssue } from "../../errors.ts";
import { expectInt, expectNonEmpty } from "../expect.ts";
import type { JailConfig } from "../model.ts";
import { defineKey, type Rule, type ValuesOf } from "./key.ts";

/** File descriptors are ints; the kernel never hands out a larger one. */
const FD_MAX = 0x7fff_ffff;

export const EXIT_RECORD_KEYS = [
  defineKey(
    {
      key: "status_fd",
      flag: "--status-fd",
      kind: "uint",
      repeatable: false,
      placeholder: "FD",
      defaultDoc: "none",
      doc: "An fd nsjail inherited (e.g. 3 from `3>run.json`): the jail's exit record is written to it as one JSON line when the jail ends (docs/exit-record.md).",
    },
    (v, path, { report }) => expectInt(v, path, report, 0, FD_MAX),
  ),
  defineKey(
    {
      key: "status_file",
      flag: "--status-file",
      kind: "string",
      repeatable: false,
      placeholder: "PATH",
      defaultDoc: "none",
      doc: "A file on the host the exit record is appended to (created if missing, mode 0644 less the umask); opened before the jail starts.",
    },
    (v, path, { report }) => expectNonEmpty(v, path, report, "a path"),
  ),
] as const;

export function exitRecordDefaults(f: Partial<ValuesOf<typeof EXIT_RECORD_KEYS>>): Pick<JailConfig, "statusFd" | "statusFile"> {
  return { statusFd: f.status_fd ?? null, statusFile: f.status_file ?? null };
}

/** With exec nsjail is gone when the jail ends: nobody is left to write the record. */
function execHasNoRecord(config: JailConfig): ConfigIssue[] {
  if (!config.exec) return [];
  const issue = (path: string): ConfigIssue => ({ path, message: "needs nsjail to stay as supervisor: not with exec" });
  return [...(config.statusFd !== null ? [issue("status_fd")] : []), ...(config.statusFile !== null ? [issue("status_file")] : [])];
}

/** A passed fd is the jail's to write: it could forge the record. */
function statusFdNotPassed(config: JailConfig): ConfigIssue[] {
  if (config.statusFd === null || !config.passFds.includes(config.statusFd)) return [];
  return [{ path: "status_fd", message: `fd ${config.statusFd} is also in pass_fd: the jail could write its own exit record` }];
}

export const EXIT_RECORD_RULES: readonly Rule[] = [
  { name: "execHasNoRecord", uses: ["exec", "status_fd", "status_file"], check: execHasNoRecord },
  { name: "statusFdNotPassed", uses: ["status_fd", "pass_fd"], check: statusFdNotPassed },
];
