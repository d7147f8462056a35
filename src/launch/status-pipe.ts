// Stage 5 (launch): the one loop over the status pipe. During setup it stops at the init's
// READY record (or at EOF: the command exec'd); after the jail ends it drains what is left.
import type { Logger } from "../log.ts";
import { describeWaitStatus } from "../wire/wait-status.ts";
import type { Plan } from "../plan/types.ts";
import type { Sys } from "../sys/sys.ts";
import { STATUS_SIZE } from "../wire/format.ts";
import { decodeStatus, setupError, type StatusRecord } from "../wire/status.ts";

/** Warnings are logged and an error record throws its SetupError; returns at EOF, or at
 * READY when `untilReady` (setup is over once the init runs and owns the pipe). */
export function readStatus(sys: Sys, fd: number, plan: Plan, log: Logger, untilReady: boolean): void {
  // One record a read while records after READY must stay in the pipe for the drain.
  const size = untilReady ? STATUS_SIZE : STATUS_SIZE * 64;
  for (let bytes = sys.read(fd, size); bytes.length > 0; bytes = sys.read(fd, size)) {
    for (const rec of decodeStatus(bytes)) {
      if (rec.kind === "ready" && untilReady) return;
      handleRecord(rec, plan, log);
    }
  }
}

/** With an init, READY comes before the command's process has exec'd. That process alone
 * holds the exec watch's write end, so EOF on `watchFd` means it has exec'd or died; one that
 * failed wrote its error record first, so the records waiting by then are read too. */
export function readUntilExec(sys: Sys, watchFd: number, statusFd: number, plan: Plan, log: Logger): void {
  while (sys.read(watchFd, 1).length > 0); // nobody writes: only EOF ends it
  while (sys.readable(statusFd)) {
    const bytes = sys.read(statusFd, STATUS_SIZE);
    if (bytes.length === 0) return;
    for (const rec of decodeStatus(bytes)) handleRecord(rec, plan, log);
  }
}

function handleRecord(rec: StatusRecord, plan: Plan, log: Logger): void {
  if (rec.kind === "warning") log.warn(setupError(plan, rec.opIndex, rec.errno).message);
  if (rec.kind === "error") throw setupError(plan, rec.opIndex, rec.errno);
  if (rec.kind === "exit") log.debug(`command ${describeWaitStatus(rec.waitStatus)}`);
}
