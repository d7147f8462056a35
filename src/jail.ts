// The one path of a jail: resolved config → plan → bytes → launch → supervise. The plan is
// built and encoded once, here; `--dry-run` prints the same plan, and a supervisor that
// starts a config many times can spawn the same bytes each time.
import type { HostFacts } from "./config/host.ts";
import type { JailConfig } from "./config/model.ts";
import { execInplace } from "./launch/inplace.ts";
import { checkPassedFds } from "./launch/pass-fds.ts";
import { planImage, type LaunchFds, type RunningJail } from "./launch/spawn.ts";
import type { Logger } from "./log.ts";
import { buildPlan } from "./plan/build.ts";
import { MAX_OPS } from "./plan/ops.ts";
import { UsageError } from "./errors.ts";
import type { Plan } from "./plan/types.ts";
import { hostIdOf } from "./plan/user.ts";
import { SIG } from "./sys/constants.ts";
import type { Sys } from "./sys/sys.ts";
import { processEvents } from "./supervisor/events.ts";
import { Reaper } from "./supervisor/reaper.ts";
import { endCgroup, JailLife, makeCgroup, type LifeContext } from "./supervisor/jail-life.ts";
import { logStart, Supervisor } from "./supervisor/supervisor.ts";
import { encodePlan } from "./wire/encode.ts";

export interface PreparedJail {
  readonly config: JailConfig;
  readonly plan: Plan;
  readonly bytes: Uint8Array;
}

export function prepareJail(config: JailConfig, host: HostFacts): PreparedJail {
  const plan = buildPlan(config, host);
  if (plan.ops.length > MAX_OPS) {
    throw new UsageError(`the jail takes ${plan.ops.length} setup ops, more than the ${MAX_OPS} one plan may hold: fewer mounts, kept mounts or hooks`);
  }
  return { config, plan, bytes: encodePlan(plan) };
}

/** A short fingerprint of the encoded plan: `--dry-run` and a debug-level run print it, so
 * anyone can check that what was shown is what ran. */
export function planDigest(jail: PreparedJail): string {
  const { ops, bytes, hash } = planSize(jail);
  return `plan: ${ops} ops, ${bytes} bytes, hash ${hash}`;
}

/** The digest's facts, for `--dry-run --json`. */
export function planSize(jail: PreparedJail): { readonly ops: number; readonly bytes: number; readonly hash: string } {
  return { ops: jail.plan.ops.length, bytes: jail.bytes.length, hash: Bun.hash(jail.bytes).toString(16) };
}

let reaper: Reaper | undefined;

/** The host uid the command runs as: its uid seen through the uid map, if any. */
function hostUidOf(config: JailConfig): number | null {
  return config.unshare.has("user") ? hostIdOf(config.uidMap, config.uid) : config.uid;
}

/** Exec mode leaves no nsjail to send READY=1; only the command itself can, if it is told
 * where (and it has nsjail's pid only without a pid namespace). */
function warnAboutNotify(config: JailConfig, host: HostFacts, log: Logger): void {
  if (!config.exec || host.env.NOTIFY_SOCKET === undefined || config.env.some(([k]) => k === "NOTIFY_SOCKET")) return;
  log.warn('NOTIFY_SOCKET is set, but with exec nsjail is gone before it could send READY=1: keep_env = ["NOTIFY_SOCKET"] lets the command send it');
}

function warnAboutExposure(config: JailConfig, host: HostFacts, log: Logger): void {
  if (config.exec || config.unshare.has("pid") || hostUidOf(config) !== host.uid) return;
  log.warn(`the jail runs as nsjail's own uid ${host.uid} without a pid namespace: it can signal nsjail (and outlast its time limit)`);
}

/** Runs the jail to its end and returns nsjail's exit code; in exec mode never returns. */
export async function runJail(jail: PreparedJail, host: HostFacts, log: Logger): Promise<number> {
  const { config } = jail;
  if (config.logLevel === "debug") log.debug(planDigest(jail)); // hashing costs a start
  warnAboutExposure(config, host, log);
  warnAboutNotify(config, host, log);
  // Loaded here, not at the top: loading the trampoline is a side effect that --dry-run,
  // `check` and the unit tests must not have.
  const [{ loadNative }, { linuxSys }] = await Promise.all([import("./sys/ffi.ts"), import("./sys/linux-sys.ts")]);
  const imageFd = loadNative().imageFd;
  checkPassedFds(linuxSys, config);
  const hooks = config.fs.hooks;
  if (config.exec) {
    if (hooks.pre_jail.length > 0) await hostHooks().runHostHooks("hook_pre_jail", hooks.pre_jail, host.env);
    execJail(jail, linuxSys, imageFd, log);
  }
  // A terminal to relay or a service manager to tell (their code loads only then): one
  // session for the whole run, however often `restart` starts the jail.
  const session = usesSession(config, host) ? (await import("./supervisor/session.ts")).openSession(config, host, log, processEvents) : null;
  try {
    const ctx = { sys: linuxSys, host, log, untilExec: session?.untilExec ?? false };
    const launch: LaunchFds = { image: imageFd, plan: planImage(linuxSys, jail.bytes), ...session?.fds };
    return await superviseJail(jail, ctx, launch, () => session?.started());
  } finally {
    await session?.finish();
  }
}

/** Starts the jail, once or as `restart` asks, and follows it to its end; `onStart` hears of
 * each start once its command runs (and is served on the setns socket). */
async function superviseJail(jail: PreparedJail, ctx: LifeContext, launch: LaunchFds, onStart: () => void): Promise<number> {
  const { config } = jail;
  const { sys, host, log } = ctx;
  const hooks = config.fs.hooks;
  // Opened before anything starts: a status_file that cannot be opened ends the run here.
  const first = new JailLife(ctx, jail, launch);
  // Without a pid namespace no init takes the jail's processes with it: orphans come back
  // to nsjail, which kills them when the jail ends.
  if (!config.unshare.has("pid")) sys.setChildSubreaper();
  // Bound before the clone, so that a path in the way fails before the jail starts.
  const setns = config.setns.path === null ? null : await openSetnsServer(config, host, log);
  const serve = (running: RunningJail) => {
    try {
      setns?.serve(jail.plan, running.pid);
    } catch (err) {
      sys.kill(running.pid, SIG.KILL);
      sys.wait(running.pid);
      sys.close(running.statusFd);
      throw err;
    }
    onStart();
  };
  reaper ??= new Reaper(sys, processEvents);
  const own = new Supervisor(sys, log, reaper, processEvents, process.pid);
  const supervisor = hooks.pre_jail.length + hooks.post_spawn.length === 0 ? own : withHostHooks(own, sys, hooks, host);
  try {
    if (config.restart.mode === "never") return await first.run(supervisor, undefined, serve);
    // Loaded only for a jail that restarts: the respawn loop is not on the one-shot path.
    const { superviseWithRestart } = await import("./supervisor/respawn.ts");
    // Each start has a cgroup and an exit record of its own; the first's sink is open already.
    const lives = [first];
    const run = (forwarded: readonly number[], started: (running: RunningJail) => void) =>
      (lives.pop() ?? new JailLife(ctx, jail, launch)).run(supervisor, forwarded, (running) => {
        serve(running);
        started(running);
      });
    return await superviseWithRestart({ sys, log, events: processEvents, run, now: Date.now }, config);
  } finally {
    setns?.close();
  }
}

/** A terminal to relay or a service manager to tell: their code loads only then. */
function usesSession(config: JailConfig, host: HostFacts): boolean {
  return config.pty || config.notifySocket || host.env.NOTIFY_SOCKET !== undefined;
}

/** Exec mode: the jail takes over nsjail's own process (and pid), in its cgroup. */
function execJail(jail: PreparedJail, sys: Sys, imageFd: number, log: Logger): never {
  logStart(jail.config, process.pid, log);
  // The jail keeps nsjail's pid; the next start's sweep removes the cgroup once it is gone.
  const cgroup = makeCgroup(jail.config, log);
  try {
    cgroup?.attach(process.pid);
    return execInplace(sys, jail.bytes, imageFd);
  } catch (err) {
    endCgroup(cgroup, log);
    throw err;
  }
}

async function openSetnsServer(config: JailConfig, host: HostFacts, log: Logger) {
  const { SetnsServer } = await import("./supervisor/setns-server.ts");
  return new SetnsServer(config, host, log);
}

/**
 * `supervisor` with the jail's host-side hooks around every start (a restarted jail's too):
 * hook_pre_jail before the clone, hook_post_spawn once the jail runs, with NSJAIL_PID. A failed
 * hook fails that start (exit 255, one line); the jail does not outlive a failed post_spawn.
 */
function withHostHooks(supervisor: Supervisor, sys: Sys, hooks: JailConfig["fs"]["hooks"], host: HostFacts): Pick<Supervisor, "supervise"> {
  const { runHostHooks } = hostHooks();
  const { pre_jail: pre, post_spawn: post } = hooks;
  return {
    async supervise(config, start, forwarded) {
      await runHostHooks("hook_pre_jail", pre, host.env);
      const started = { pid: -1 };
      const end = supervisor.supervise(config, () => {
        const jail = start();
        started.pid = jail.pid;
        return jail;
      }, forwarded);
      if (started.pid < 0 || post.length === 0) return end; // a failed start: `end` says why
      try {
        await runHostHooks("hook_post_spawn", post, { ...host.env, NSJAIL_PID: String(started.pid) });
      } catch (err) {
        sys.kill(started.pid, SIG.KILL);
        await end.catch(() => 0);
        throw err;
      }
      return end;
    },
  };
}

/** launch/host-hooks.ts, loaded only by a jail that has host-side hooks. */
function hostHooks(): typeof import("./launch/host-hooks.ts") {
  return require("./launch/host-hooks.ts") as typeof import("./launch/host-hooks.ts");
}
