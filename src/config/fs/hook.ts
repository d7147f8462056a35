// Stage 1 (config): `hook_<phase> = [...]` → Hook[]. Each entry is a uWSGI string
// ("mount:proc none /proc nodev hidepid=2") or a TOML table ({ umount = "/.old_root", … }).
import { describe, expectArray, expectCString, isTable, type Report } from "../expect.ts";
import { HOOK_PHASES, HOST_PHASES, type Hook, type HookAction, type HookPhase } from "./model.ts";
import { readHookString } from "./hook-string.ts";
import { readHookTable } from "./hook-table.ts";
import { fail } from "./paths.ts";

/** The config key of each phase, e.g. `hook_as_root`. */
export const HOOK_KEYS: Readonly<Record<HookPhase, string>> = Object.fromEntries(
  HOOK_PHASES.map((p) => [p, `hook_${p}`]),
) as Record<HookPhase, string>;

/** Host-side phases run in nsjail itself, outside every namespace of the jail. */
const HOST_ONLY: ReadonlySet<HookAction> = new Set(["mkdir", "write", "symlink", "chmod", "exec"]);

/** Reads one phase's array; `path` is its key (or flag). */
export function readHooks(v: unknown, path: string, phase: HookPhase, report: Report): Hook[] | undefined {
  return expectArray(v, path, report, (item, p) => readHook(item, p, phase, report));
}

export function readHook(v: unknown, path: string, phase: HookPhase, report: Report): Hook | undefined {
  let hook: Hook | undefined;
  if (isTable(v)) hook = readHookTable(v, path, report);
  else if (typeof v === "string") {
    const s = expectCString(v, path, report);
    hook = s === undefined ? undefined : readHookString(s, path, report);
  } else return fail(report, path, `expected an "action:arguments" string or a table, got ${describe(v)}`);
  if (hook === undefined || !HOST_PHASES.has(phase) || HOST_ONLY.has(hook.action)) return hook;
  // The host must be left exactly as it was: no mounts, unmounts or names changed there.
  const inJail = phase === "pre_jail" ? "hook_post_jail" : "hook_as_root";
  return fail(report, path, `${hook.action} in ${HOOK_KEYS[phase]} would change the host (it runs outside the jail); use ${inJail}`);
}
