// Stage 2 (plan): what planners may know besides the config — facts about the host and the
// fds the parent opened for this jail. Gathered by launch/, passed in, never probed here.
import type { PlanFds } from "./types.ts";

export interface PlanContext {
  /** Effective uid of the nsjail process on the host. */
  readonly hostUid: number;
  /** Highest capability number this kernel knows (/proc/sys/kernel/cap_last_cap). */
  readonly capLastCap: number;
  readonly fds: PlanFds;
}

/** Stand-ins for --dry-run and tests: the fd numbers a launch would typically get. Exec mode
 * has no status or sync pipe, as in a real exec. */
export function placeholderFds(exec: boolean): PlanFds {
  return exec
    ? { statusWrite: -1, syncRead: -1, syncWrite: -1, image: 6, plan: 7 }
    : { statusWrite: 3, syncRead: 4, syncWrite: 5, image: 6, plan: 7 };
}
