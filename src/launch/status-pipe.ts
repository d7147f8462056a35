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
      if (handleRecord(rec, plan, log)) onRecord?.(rec);
    }
  }
  if (until === "started") throw new JailError("the jail's first process died before its setup image ran");
}

/** With an init, READY comes before the command's process has exec'd. That process alone
 * holds the exec watch's write end, so EOF on `watchFd` means it has exec'd or died; one that
 * failed wrote its error record first, so the records waiting by then are read too. Returns
 * the records about the command among them (it may have ended at once), for the supervisor. */
export function readUntilExec(sys: Sys, watchFd: number, statusFd: number, plan: Plan, log: Logger): StatusRecord[] {
  while (sys.read(watchFd, 1).length > 0); // nobody writes: only EOF ends it
  const early: StatusRecord[] = [];
  while (sys.readable(statusFd)) {
    const bytes = sys.read(statusFd, STATUS_SIZE);
    if (bytes.length === 0) break;
    for (const rec of decodeStatus(bytes)) if (handleRecord(rec, plan, log)) early.push(rec);
  }
  return early;
}

/** Logs a warning, throws an error's SetupError; true for a record about the command (its
 * exit and usage, seccomp kills), which the supervisor takes. */
function handleRecord(rec: StatusRecord, plan: Plan, log: Logger): boolean {
  if (rec.kind === "warning") log.warn(setupError(plan, rec.opIndex, rec.errno).message);
  if (rec.kind === "error") throw setupError(plan, rec.opIndex, rec.errno);
  if (rec.kind === "exit") log.debug(`command ${describeWaitStatus(rec.waitStatus)}`);
  return rec.kind === "exit" || rec.kind === "seccomp" || rec.kind === "usage";
}
