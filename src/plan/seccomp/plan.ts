// Stage 2 (plan): the seccomp op — the command's last step before execve, in its own process
// (the jail's init stays unfiltered). Loaded only for a jail with a [seccomp] table.
import type { SeccompPolicy } from "../../config/seccomp.ts";
import { syscallArchOf } from "../../sys/syscall-names.ts";
import { fd, op, type Op } from "../types.ts";
import type { KillVia } from "./bpf.ts";
import { compileFilter, killsAny } from "./compile.ts";
import { describeFilter } from "./describe.ts";

/** seccomp(2) SECCOMP_FILTER_FLAG_NEW_LISTENER: the install returns the listener's fd. */
const NEW_LISTENER = 8;

/**
 * The filter for nsjail's own architecture (`processArch` as Bun names it; config/schema
 * refuses the others). When the command runs under the jail's init and the filter kills,
 * kills go through a listener the init holds, so the exit record can name the syscall.
 */
export function planSeccomp(policy: SeccompPolicy, processArch: string, hasInit: boolean): Op[] {
  const arch = syscallArchOf(processArch);
  if (arch === null) throw new Error(`seccomp: no syscall table for ${processArch}`);
  const killVia: KillVia = hasInit && killsAny(policy) ? "listener" : "signal";
  const filter = compileFilter(policy, arch, killVia);
  const origin = { path: "seccomp", note: `install the seccomp filter (${filter.length / 8} instructions)` };
  const install = killVia === "listener" ? op("seccomp_listener", [filter, NEW_LISTENER, fd("listener")], origin) : op("seccomp", [filter, 0], origin);
  return [{ ...install, detail: describeFilter(policy, arch, killVia) }];
}
