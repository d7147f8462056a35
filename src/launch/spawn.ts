// Stage 5 (launch): encode the plan, clone the jail, do the parent's half of the setup
// (id maps), release the child and wait until it has exec'd or failed.
import type { JailConfig } from "../config/model.ts";
import type { Logger } from "../log.ts";
import { buildPlan } from "../plan/build.ts";
import { encodePlan } from "../plan/encode.ts";
import { usesInit } from "../plan/exec.ts";
import type { Plan } from "../plan/types.ts";
import { STATUS_SIZE } from "../plan/wire.ts";
import type { Sys } from "../sys/sys.ts";
import { writeIdMaps } from "./idmap.ts";
import { decodeStatus, setupError } from "./status.ts";

export interface HostFacts {
  readonly uid: number;
  readonly gid: number;
  readonly capLastCap: number;
  /** The sealed trampoline image, exec'd as the jail's init. */
  readonly imageFd: number;
}

export interface RunningJail {
  readonly pid: number;
  readonly plan: Plan;
  /** Read end of the status pipe; the init keeps the other end until it exits. */
  readonly statusFd: number;
}

/** Reads records until the command runs (EOF, or the init's READY) or setup fails. */
function awaitSetup(sys: Sys, jail: RunningJail, log: Logger): void {
  for (;;) {
    const bytes = sys.read(jail.statusFd, STATUS_SIZE);
    if (bytes.length === 0) return;
    for (const rec of decodeStatus(bytes)) {
      if (rec.kind === "ready") return;
      if (rec.kind === "warning") log.warn(setupError(jail.plan, rec.opIndex, rec.errno).message);
      if (rec.kind === "error") throw setupError(jail.plan, rec.opIndex, rec.errno);
    }
  }
}

export function spawnJail(sys: Sys, config: JailConfig, host: HostFacts, log: Logger): RunningJail {
  const status = sys.pipe();
  const sync = sys.pipe();
  const planFd = usesInit(config) ? sys.memfd("nsjail-plan") : -1;
  // The parent's copies of the child's ends; each is closed once the child has its own.
  const owned = new Set([status.write, sync.read, sync.write, planFd].filter((fd) => fd >= 0));
  const closeOwned = (fd: number) => owned.delete(fd) && sys.close(fd);
  let pid = -1;
  let release = () => {};
  try {
    const fds = { statusWrite: status.write, syncRead: sync.read, syncWrite: sync.write, image: host.imageFd, plan: planFd };
    const plan = buildPlan(config, { hostUid: host.uid, capLastCap: host.capLastCap, fds });
    const bytes = encodePlan(plan);
    if (planFd >= 0) sys.pwrite(planFd, bytes);
    // Dumpable while the child shares our mm: a non-dumpable mm makes /proc/CHILD root-owned,
    // and a rootless parent could then not write its uid_map. Off again once it has exec'd.
    sys.setDumpable(true);
    ({ pid, release } = sys.spawn(plan, bytes));
    const jail = { pid, plan, statusFd: status.read };
    closeOwned(status.write);
    closeOwned(sync.read);
    writeIdMaps(sys, pid, config, host);
    sys.write(sync.write, new Uint8Array([1]));
    closeOwned(sync.write);
    awaitSetup(sys, jail, log);
    release();
    // The command may share our host uid (rootless, or root mapped to root) and, without a
    // pid namespace, see our pid: non-dumpable, it cannot ptrace us or read /proc/PID/mem.
    sys.setDumpable(false);
    return jail;
  } catch (err) {
    if (pid > 0) {
      sys.kill(pid, 9);
      sys.wait(pid);
      release();
    }
    sys.close(status.read);
    throw err;
  } finally {
    for (const fd of owned) sys.close(fd);
  }
}
