// Stage 2 (plan): the hand-over to the jail's init, PID 1 of a new pid namespace: the same
// sealed image, exec'd; it forks the command's process, which goes on with the plan.
import type { JailConfig } from "../config/model.ts";
import { fd, op, type Op } from "./types.ts";

/** True when a small init runs as PID 1 and the command is its child. */
export function usesInit(config: JailConfig): boolean {
  return config.unshare.has("pid") && !config.asPid1;
}

/** `at` is the index this op will have; the init's child starts right after it. The init
 * keeps the plan and status fds (exec_init clears their close-on-exec) and nothing else. */
export function planInit(at: number): Op[] {
  return [op("exec_init", [fd("image"), at + 1], { path: "as_pid_1", note: "start the jail's init as PID 1" })];
}
