// Stage 2 (plan): the child's side of the handshake with its parent.
import type { JailConfig } from "../config/model.ts";
import { PR, SIG } from "../sys/constants.ts";
import type { PlanContext } from "./context.ts";
import { op, type Op } from "./types.ts";

/** Die with the parent, then wait until the parent has written uid maps and set limits.
 * The wait also catches a parent that died before PDEATHSIG was armed: its end of the
 * sync pipe closes and the read returns EOF. */
export function planHandshake(_config: JailConfig, ctx: PlanContext): Op[] {
  const origin = (note: string) => ({ path: "supervisor", note });
  return [
    op("prctl", [PR.SET_PDEATHSIG, SIG.KILL, 0, 0, 0], origin("die with nsjail (PR_SET_PDEATHSIG)")),
    op("close", [ctx.fds.syncWrite], origin("close the parent's end of the sync pipe")),
    op("wait_parent", [ctx.fds.syncRead], origin("wait for uid maps and limits")),
  ];
}
