// Stage 2 (plan): the cloned child's side of the handshake with its parent.
import type { JailConfig } from "../config/model.ts";
import type { HostFacts } from "../config/host.ts";
import { PR, PR_CAP_AMBIENT_RAISE, SIG } from "../sys/constants.ts";
import { planPassFds } from "./command.ts";
import { planFileFds } from "./fs/phases.ts";
import { fd, op, type Op } from "./types.ts";

/** Die with the parent, leave its memory, then wait until the parent has written uid maps
 * and set limits. The wait also catches a parent that died before PDEATHSIG was armed: its
 * end of the sync pipe closes and the read returns EOF. The spawner sleeps (CLONE_VFORK)
 * until exec_image, so the ops before it are quick and never wait. Passed fds are released
 * before that exec, which closes every other fd nsjail has. */
export function planHandshake(config: JailConfig, host: HostFacts): Op[] {
  const origin = (note: string) => ({ path: "supervisor", note });
  const head = [
    op("prctl", [PR.SET_PDEATHSIG, SIG.KILL, 0, 0, 0], origin("die with nsjail (PR_SET_PDEATHSIG)")),
    ...planPassFds(config),
    ...planFileFds(config, "before"),
    ...planCapsAcrossExec(config, host),
  ];
  const stdio = (["stdin", "stdout", "stderr"] as const).map((slot, target) =>
    op("dup3", [fd(slot), target], origin(`fd ${target} ← the launcher's ${slot}, if it gives one`)),
  );
  return [
    ...head,
    op("exec_image", [fd("image"), head.length + 1], origin("leave nsjail's memory (exec the setup image)")),
    op("close", [fd("sync_write")], origin("close the parent's end of the sync pipe")),
    op("wait_parent", [fd("sync_read")], origin("wait for uid maps and limits")),
    ...stdio,
    ...planFileFds(config, "after"),
  ];
}

/**
 * A new user namespace gives its first process every capability, but execve recomputes them,
 * and before its maps exist the process is not root there: exec_image would leave it with
 * none. Ambient capabilities survive that exec, so all are raised first (a new user namespace
 * also resets the bounding set to full). planCapSets() later clears them.
 */
function planCapsAcrossExec(config: JailConfig, host: HostFacts): Op[] {
  if (!config.unshare.has("user")) return []; // real root keeps its capabilities across exec
  const all = (1n << BigInt(host.capLastCap + 1)) - 1n;
  const ops = [op("capset", [all, all, all], { path: "supervisor", note: "every capability inheritable, to cross exec_image" })];
  for (let cap = 0; cap <= host.capLastCap; cap++) ops.push(ambientRaise(cap));
  return ops;
}

/** The same in every plan, so made once per process (see BOUNDING_DROPS in creds.ts). */
const AMBIENT_RAISES: Op[] = [];
const ambientRaise = (cap: number): Op =>
  (AMBIENT_RAISES[cap] ??= op("prctl", [PR.CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0], { path: "supervisor", note: `raise cap ${cap} in the ambient set, to cross exec_image` }));

/** The kernel clears PR_SET_PDEATHSIG whenever the ids change, so it is armed again after
 * setresuid; a parent that died before that is seen as a hang-up on the sync pipe, which it
 * (or exec mode's waiter) holds open until setup ends. In exec mode without a pid
 * namespace nsjail is the jail itself: there is no parent to die with. */
export function planRearm(config: JailConfig): Op[] {
  if (config.exec && !config.unshare.has("pid")) return [];
  return rearmOps();
}

/** PR_SET_PDEATHSIG again, then a look at the lifeline in the sync_read slot. */
export function rearmOps(): Op[] {
  const origin = (note: string) => ({ path: "supervisor", note });
  return [
    op("prctl", [PR.SET_PDEATHSIG, SIG.KILL, 0, 0, 0], origin("die with nsjail again after the id change")),
    op("check_parent", [fd("sync_read")], origin("check that nsjail is still there")),
  ];
}
