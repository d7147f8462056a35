// Stage 6 (supervisor): where exit records go — the caller's `status_fd`, and `status_file`
// opened for appending before the jail starts, so a bad path stops the run before any process
// exists. Loaded only when one of the two is set.
import { closeSync, openSync, writeSync } from "node:fs";
import type { JailConfig } from "../config/model.ts";
import { SyscallError } from "../errors.ts";
import { checkCallerFd } from "../launch/pass-fds.ts";
import type { Sys } from "../sys/sys.ts";
import type { ExitRecord } from "./exit-record.ts";

export interface RecordSink {
  /** One line of JSON to each destination; a failed write is a warning, not the run's end. */
  write(record: ExitRecord, warn: (message: string) => void): void;
}

/** Created if missing; the umask applies, as for a shell's `>>`. */
const FILE_MODE = 0o644;

export function openRecordSink(sys: Sys, config: JailConfig): RecordSink {
  if (config.statusFd !== null) checkCallerFd(sys, config.statusFd, "--status-fd");
  let fileFd: number | null = null;
  if (config.statusFile !== null) {
    try {
      // O_APPEND: records of jails that share the file never overwrite each other.
      fileFd = openSync(config.statusFile, "a", FILE_MODE);
    } catch (err) {
      const errno = Math.abs((err as { errno?: number }).errno ?? 5);
      throw new SyscallError("open", errno, `${config.statusFile} [status_file]`);
    }
  }
  return {
    write(record, warn) {
      const line = Buffer.from(`${JSON.stringify(record)}\n`);
      const put = (fd: number, where: string) => {
        try {
          sys.write(fd, line);
        } catch (err) {
          warn(`exit record not written to ${where}: ${err instanceof Error ? err.message : String(err)}`);
        }
      };
      if (config.statusFd !== null) put(config.statusFd, `fd ${config.statusFd}`);
      if (fileFd !== null) {
        put(fileFd, config.statusFile!);
        closeSync(fileFd);
      }
    },
  };
}
