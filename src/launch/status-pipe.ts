// Stage 5 (launch): the one loop over the status pipe. During setup it stops at the init's
// READY record (or at EOF: the command exec'd); after the jail ends it drains what is left.
import { JailError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { describeWaitStatus } from "../wire/wait-status.ts";
import type { Plan } from "../plan/types.ts";
import type { Sys } from "../sys/sys.ts";
import { STATUS_SIZE } from "../wire/format.ts";
import { decodeStatus, setupError, type StatusRecord } from "../wire/status.ts";

/** Where a read of the status pipe stops: the setup image's first record, the init's READY
 * (setup is over and the init owns the pipe) or EOF (the command exec'd, or the jail ended). */
export type StatusStop = "started" | "ready" | "eof";

/** Warnings are logged and an error record throws its SetupError; returns at EOF or at the
 * record `until` names. Only EOF may end a drain: before `started`, EOF is an error. The
 * init's records about the command (its exit and usage, seccomp kills) go to `onRecord`. */
export function readStatus(sys: Sys, fd: number, plan: Plan, log: Logger, until: StatusStop, onRecord?: (rec: StatusRecord) => void): void {
  // One record a read while later records must stay in the pipe for the next reader.
  const size = until === "eof" ? STATUS_SIZE * 64 : STATUS_SIZE;
  for (let bytes = sys.read(fd, size); bytes.length > 0; bytes = sys.read(fd, size)) {
    for (const rec of decodeStatus(bytes)) {
      if (rec.kind === until) return;
      if (rec.kind === "warning") log.warn(setupError(plan, rec.opIndex, rec.errno).message);
      if (rec.kind === "error") throw setupError(plan, rec.opIndex, rec.errno);
      if (rec.kind === "exit") log.debug(`command ${describeWaitStatus(rec.waitStatus)}`);
      if (rec.kind === "exit" || rec.kind === "seccomp" || rec.kind === "usage") onRecord?.(rec);
    }
  }
  if (until === "started") throw new JailError("the jail's first process died before its setup image ran");
}
