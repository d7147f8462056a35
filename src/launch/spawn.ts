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

/** One byte on the sync pipe: the parent's half of the setup is done. */
const RELEASE = new Uint8Array([1]);

/** The jail's cgroup, as far as the launch is concerned. */
export interface Attach {
  attach(pid: number): void;
}

/** `bytes` is `plan` encoded; `imageFd` the sealed trampoline image the init is exec'd from;
 * `cgroup` the jail's own cgroup, which the child joins before it is released. */
export function spawnJail(
  sys: Sys, plan: Plan, bytes: Uint8Array, config: JailConfig, host: HostFacts, imageFd: number, log: Logger, cgroup: Attach | null = null,
): RunningJail {
  const status = sys.pipe();
  const sync = sys.pipe();
  const planFd = plan.initStart === null ? -1 : sys.memfd("nsjail-plan");
  // The parent's copies of the child's ends; each is closed once the child has its own.
  const owned = new Set([status.write, sync.read, sync.write, planFd].filter((fd) => fd >= 0));
  const closeOwned = (fd: number) => owned.delete(fd) && sys.close(fd);
  let pid = -1;
  let release = () => {};
  try {
    if (planFd >= 0) sys.pwrite(planFd, bytes);
    const fds = fdTable({ status: status.write, sync_read: sync.read, sync_write: sync.write, image: imageFd, plan: planFd });
    // Dumpable while the child shares our mm: a non-dumpable mm makes /proc/CHILD root-owned,
    // and a rootless parent could then not write its uid_map. Off again once it has exec'd.
    sys.setDumpable(true);
    ({ pid, release } = sys.spawn(bytes, fds));
    closeOwned(status.write);
    closeOwned(sync.read);
    writeIdMaps(sys, pid, config, host);
    // Before the release: no op of the child, let alone the command, runs outside its limits,
    // and its cgroup namespace (unshared right after the release) is rooted at this cgroup.
    cgroup?.attach(pid);
    sys.write(sync.write, RELEASE);
    readStatus(sys, status.read, plan, log, true);
    // Held open until now: the child's check_parent op sees a hang-up if we died first.
    closeOwned(sync.write);
    release();
    // The command may share our host uid (rootless, or root mapped to root) and, without a
    // pid namespace, see our pid: non-dumpable, it cannot ptrace us or read /proc/PID/mem.
    sys.setDumpable(false);
    return { pid, plan, statusFd: status.read };
  } catch (err) {
    if (pid > 0) {
      sys.kill(pid, SIG.KILL);
      sys.wait(pid);
      release();
    }
    sys.close(status.read);
    throw err;
  } finally {
    for (const fd of owned) sys.close(fd);
  }
}
