// Stage 1 (config): `profile` — the set of keys a jail starts from. The key is read here; the
// profile's own keys are put under the file's and the flags' in config/resolve.ts.
import { expectNonEmpty } from "../expect.ts";
import type { JailConfig } from "../model.ts";
import { defineKey, type ValuesOf } from "./key.ts";

export const PROFILE_KEYS = [
  defineKey(
    {
      key: "profile",
      flag: "--profile",
      kind: "string",
      repeatable: false,
      placeholder: "NAME|FILE",
      defaultDoc: "none",
      doc: "Keys the jail starts from: `strict` (every namespace, an empty read-only root, no capabilities, the dangerous syscalls denied, pids and memory limits; see docs/profiles.md) or a TOML file of keys. The config file's keys replace the profile's (a table's keys one by one), and flags add to its lists or override it.",
    },
    (v, path, { report }) => expectNonEmpty(v, path, report, "a profile name or a file path"),
  ),
] as const;

export function profileDefaults(f: Partial<ValuesOf<typeof PROFILE_KEYS>>): Pick<JailConfig, "profile"> {
  return { profile: f.profile ?? null };
}
