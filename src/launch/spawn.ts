// Stage 5 (launch): clone the jail from an encoded plan, do the parent's half of the setup
// (id maps, the cgroup), release the child and wait until it has exec'd or failed.
import type { HostFacts } from "../config/host.ts";
import type { JailConfig } from "../config/model.ts";
import type { Logger } from "../log.ts";
import { fdTable } from "../plan/ops.ts";
import type { Plan } from "../plan/types.ts";
import { SIG } from "../sys/constants.ts";
import type { Sys } from "../sys/sys.ts";
import { readStatus } from "./status-pipe.ts";
import { writeIdMaps } from "./user.ts";

export interface RunningJail {
  readonly pid: number;
  readonly plan: Plan;
  /** Read end of the status pipe; the init keeps the other end until it exits. */
  readonly statusFd: number;
}

/** Fds a launch hands over besides its own pipes. `image` and `plan` (planImage()) serve
 * every launch of a plan; stdio, when given, becomes the jail's fds 0, 1 and 2. */
export interface LaunchFds {
  readonly image: number;
  readonly plan: number;
  readonly stdin?: number;
  readonly stdout?: number;
  readonly stderr?: number;
}

/** One byte on the sync pipe: the parent's half of the setup is done. */
const RELEASE = new Uint8Array([1]);

/** The jail's cgroup, as far as the launch is concerned. */
export interface Attach {
  attach(pid: number): void;
}

/** The plan's bytes in a sealed memfd, which the setup image and the init read: made once,
 * it serves every launch of the same plan. */
export function planImage(sys: Sys, bytes: Uint8Array): number {
  return sys.memfd("nsjail-plan", bytes);
}

/**
 * `bytes` is `plan` encoded. This process is never dumpable, not even while it clones: the
 * child execs the setup image (exec_image, the plan's first ops) before anyone needs its
 * /proc files, and that image's own mm is what makes its uid_map writable to us. So no
 * earlier jail of our uid can ptrace this process or read its memory at any moment.
 * `cgroup` is the jail's own cgroup, which the child joins before it is released.
 */
export function spawnJail(
  sys: Sys, plan: Plan, bytes: Uint8Array, config: JailConfig, host: HostFacts, launch: LaunchFds, log: Logger, cgroup: Attach | null = null,
): RunningJail {
  const status = sys.pipe();
  const sync = sys.pipe();
  // The parent's copies of the child's ends; each is closed once the child has its own.
  const owned = new Set([status.write, sync.read, sync.write]);
  const closeOwned = (fd: number) => owned.delete(fd) && sys.close(fd);
  let pid = -1;
  try {
    const fds = fdTable({ ...launch, status: status.write, sync_read: sync.read, sync_write: sync.write });
    sys.setDumpable(false);
    pid = sys.spawn(bytes, fds);
    closeOwned(status.write);
    closeOwned(sync.read);
    readStatus(sys, status.read, plan, log, "started");
    writeIdMaps(sys, pid, config, host);
    // Before the release: no op of the child, let alone the command, runs outside its limits,
    // and its cgroup namespace (unshared right after the release) is rooted at this cgroup.
    cgroup?.attach(pid);
    sys.write(sync.write, RELEASE);
    readStatus(sys, status.read, plan, log, "ready");
    // Held open until now: the child's check_parent op sees a hang-up if we died first.
    closeOwned(sync.write);
    return { pid, plan, statusFd: status.read };
  } catch (err) {
    if (pid > 0) {
      sys.kill(pid, SIG.KILL);
      sys.wait(pid);
    }
    sys.close(status.read);
    throw err;
  } finally {
    for (const fd of owned) sys.close(fd);
  }
}
