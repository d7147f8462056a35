// Stage 1 (config): profiles — sets of keys a jail starts from, under its file and flags.
// `profile = "strict"` names a built-in one (examples/strict.toml, embedded at build time);
// any other value is the path of a TOML file of keys. Loaded only when a profile is asked for.
import STRICT from "../../examples/strict.toml";
import type { ConfigIssue } from "../errors.ts";
import { loadConfigFile } from "./load.ts";
import type { ReadFile } from "./read-file.ts";

const BUILT_IN: Readonly<Record<string, Record<string, unknown>>> = { strict: STRICT as Record<string, unknown> };

export const PROFILE_NAMES: readonly string[] = Object.keys(BUILT_IN);

/** The raw keys of a profile, or the one issue saying why there are none. A profile does not
 * name another profile. */
export function loadProfile(name: string, readFile: ReadFile): { raw: Record<string, unknown> } | { issue: ConfigIssue } {
  const built = BUILT_IN[name];
  const raw = built ?? (name.includes("/") ? loadConfigFile(name, readFile).raw : null);
  if (raw === null) {
    return { issue: { path: "profile", message: `no profile '${name}': built-in profiles are ${PROFILE_NAMES.join(", ")}; a file of keys needs a path with a '/'` } };
  }
  if (raw.profile !== undefined) return { issue: { path: "profile", message: `profile '${name}' names another profile: profiles do not nest` } };
  return { raw: structuredClone(raw) };
}
