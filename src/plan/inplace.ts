// Stage 2 (plan): exec mode — nsjail has exec'd the trampoline image in its own process, so
// the namespaces come from unshare() and the process writes its own id maps. With a new pid
// namespace it forks once: the child is PID 1 and the parent waits, nsjail's pid kept.
import type { JailConfig } from "../config/model.ts";
import { PR, SIG } from "../sys/constants.ts";
import { op, type Op } from "./types.ts";
import { planOwnMaps } from "./user.ts";

export function planInplace(config: JailConfig, cloneFlags: number): Op[] {
  const ops = [op("unshare", [cloneFlags], { path: "unshare", note: "unshare the namespaces" }), ...planOwnMaps(config)];
  if (config.unshare.has("pid")) {
    ops.push(
      op("fork_wait", [], { path: "unshare.pid", note: "fork PID 1 of the new pid namespace" }),
      op("prctl", [PR.SET_PDEATHSIG, SIG.KILL, 0, 0, 0], { path: "exec", note: "die with the waiting parent" }),
    );
  }
  return ops;
}
