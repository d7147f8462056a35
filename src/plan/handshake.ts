// Stage 2 (plan): the cloned child's side of the handshake with its parent.
import type { JailConfig } from "../config/model.ts";
import { PR, SIG } from "../sys/constants.ts";
import { fd, op, type Op } from "./types.ts";

/** Die with the parent, then wait until the parent has written uid maps and set limits.
 * The wait also catches a parent that died before PDEATHSIG was armed: its end of the
 * sync pipe closes and the read returns EOF. */
export function planHandshake(): Op[] {
  const origin = (note: string) => ({ path: "supervisor", note });
  return [
    op("prctl", [PR.SET_PDEATHSIG, SIG.KILL, 0, 0, 0], origin("die with nsjail (PR_SET_PDEATHSIG)")),
    op("close", [fd("sync_write")], origin("close the parent's end of the sync pipe")),
    op("wait_parent", [fd("sync_read")], origin("wait for uid maps and limits")),
  ];
}

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
