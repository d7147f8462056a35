// Stage 2 (plan): the seccomp op — the command's last step before execve, in its own process
// (the jail's init stays unfiltered). Loaded only for a jail with a [seccomp] table.
import type { SeccompPolicy } from "../../config/seccomp.ts";
import { syscallArchOf, syscallNumbers, type SyscallArch } from "../../sys/syscall-names.ts";
import { fd, op, type Op } from "../types.ts";
import { blocks, type KillVia } from "./bpf.ts";
import { compileFilter, killsAny } from "./compile.ts";
import { describeFilter } from "./describe.ts";
import { actionFor, resolveRules } from "./rules.ts";

/** seccomp(2) SECCOMP_FILTER_FLAG_NEW_LISTENER: the install returns the listener's fd. */
const NEW_LISTENER = 8;

/**
 * Kills go through a listener the jail's init holds, so the exit record can name the
 * syscall, when there is an init, the filter kills something, and it lets sendmsg through:
 * the command's process hands the listener over with it after the install.
 */
function killVia(policy: SeccompPolicy, arch: SyscallArch, hasInit: boolean): KillVia {
  if (!hasInit || !killsAny(policy)) return "signal";
  const sendmsg = syscallNumbers(arch).get("sendmsg")!;
  return blocks(actionFor(resolveRules(policy, arch), sendmsg)) ? "signal" : "listener";
}

/** The filter for nsjail's own architecture (`processArch` as Bun names it; config/schema
 * refuses the others). */
export function planSeccomp(policy: SeccompPolicy, processArch: string, hasInit: boolean): Op[] {
  const arch = syscallArchOf(processArch);
  if (arch === null) throw new Error(`seccomp: no syscall table for ${processArch}`);
  const via = killVia(policy, arch, hasInit);
  const filter = compileFilter(policy, arch, via);
  const origin = { path: "seccomp", note: `install the seccomp filter (${filter.length / 8} instructions)` };
  const install = via === "listener" ? op("seccomp_listener", [filter, NEW_LISTENER, fd("listener")], origin) : op("seccomp", [filter, 0], origin);
  return [{ ...install, detail: describeFilter(policy, arch, via) }];
}
