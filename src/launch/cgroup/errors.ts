// Stage 5 (launch): cgroup failures as one line — what, on which path, the errno, and how
// to get a cgroup nsjail may write to.
import { JailError } from "../../errors.ts";
import { errnoName, errnoText } from "../../errno.ts";
import { ERRNO, errnoOf } from "./fs.ts";

export class CgroupError extends JailError {}

const DELEGATE = "systemd-run --user -p Delegate=yes --scope nsjail ...";

/** How to get a writable subtree, phrased for who we are and which hierarchy we use. */
export function delegateHint(version: 1 | 2, uid: number): string {
  if (version === 1) {
    return uid === 0
      ? "cgroup v1 hierarchies must be writable by root (is /sys/fs/cgroup mounted read-only?)"
      : `cgroup v1 has no delegation for unprivileged users: run nsjail as root, or on a cgroup v2 host as ${DELEGATE}`;
  }
  return `uid ${uid} needs a delegated cgroup: run ${DELEGATE}, or start nsjail from a unit with Delegate=yes`;
}

/** `cgroup v2: mkdir /sys/fs/cgroup/x: EACCES (Permission denied) — hint`; the hint is added
 * for permission errors only, where delegation is the cure. */
export function cgroupFailure(version: 1 | 2, what: string, err: unknown, uid: number): CgroupError {
  const errno = errnoOf(err);
  if (errno === null) return new CgroupError(`cgroup v${version}: ${what}: ${String(err)}`, { cause: err });
  const denied = errno === ERRNO.EACCES || errno === ERRNO.EPERM || errno === ERRNO.EROFS;
  const hint = denied ? ` — ${delegateHint(version, uid)}` : "";
  return new CgroupError(`cgroup v${version}: ${what}: ${errnoName(errno)} (${errnoText(errno)})${hint}`);
}
