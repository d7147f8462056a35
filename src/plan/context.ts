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
