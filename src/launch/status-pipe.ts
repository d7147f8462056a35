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
 * record `until` names, with the command's wait status when the init reported it (an exit
 * record), else null. Only EOF may end a drain: before `started`, EOF is an error. */
export function readStatus(sys: Sys, fd: number, plan: Plan, log: Logger, until: StatusStop): number | null {
  // One record a read while later records must stay in the pipe for the next reader.
  const size = until === "eof" ? STATUS_SIZE * 64 : STATUS_SIZE;
  let command: number | null = null;
  for (let bytes = sys.read(fd, size); bytes.length > 0; bytes = sys.read(fd, size)) {
    for (const rec of decodeStatus(bytes)) {
      if (rec.kind === until) return command;
      command = handleRecord(rec, plan, log) ?? command;
    }
  }
  if (until === "started") throw new JailError("the jail's first process died before its setup image ran");
  return command;
}

/** With an init, READY comes before the command's process has exec'd. That process alone
 * holds the exec watch's write end, so EOF on `watchFd` means it has exec'd or died; one that
 * failed wrote its error record first, so the records waiting by then are read too (up to
 * the command's exit record, whose wait status is returned; null if none was there yet). */
export function readUntilExec(sys: Sys, watchFd: number, statusFd: number, plan: Plan, log: Logger): number | null {
  while (sys.read(watchFd, 1).length > 0); // nobody writes: only EOF ends it
  while (sys.readable(statusFd)) {
    const bytes = sys.read(statusFd, STATUS_SIZE);
    if (bytes.length === 0) return null;
    for (const rec of decodeStatus(bytes)) {
      const command = handleRecord(rec, plan, log);
      if (command !== null) return command;
    }
  }
  return null;
}

/** Logs a warning, throws an error's SetupError; an exit record's wait status is returned. */
function handleRecord(rec: StatusRecord, plan: Plan, log: Logger): number | null {
  if (rec.kind === "warning") log.warn(setupError(plan, rec.opIndex, rec.errno).message);
  if (rec.kind === "error") throw setupError(plan, rec.opIndex, rec.errno);
  if (rec.kind !== "exit") return null;
  log.debug(`command ${describeWaitStatus(rec.waitStatus)}`);
  return rec.waitStatus;
}
