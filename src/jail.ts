// The one path of a jail: resolved config → plan → bytes → launch → supervise. The plan is
// built and encoded once, here; `--dry-run` prints the same plan, and a supervisor that
// starts a config many times can spawn the same bytes each time.
import type { HostFacts } from "./config/host.ts";
import type { JailConfig } from "./config/model.ts";
import { execInplace } from "./launch/inplace.ts";
import { checkPassedFds } from "./launch/pass-fds.ts";
import { spawnJail } from "./launch/spawn.ts";
import { SIG } from "./sys/constants.ts";
import type { Logger } from "./log.ts";
import { buildPlan } from "./plan/build.ts";
import { MAX_OPS } from "./plan/ops.ts";
import { UsageError } from "./errors.ts";
import type { Plan } from "./plan/types.ts";
import { processEvents } from "./supervisor/events.ts";
import { Reaper } from "./supervisor/reaper.ts";
import { Supervisor } from "./supervisor/supervisor.ts";
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
  return `plan: ${jail.plan.ops.length} ops, ${jail.bytes.length} bytes, hash ${Bun.hash(jail.bytes).toString(16)}`;
}

let reaper: Reaper | undefined;

/** The host uid the command runs as: its uid seen through the uid map, if any. */
function hostUidOf(config: JailConfig): number | null {
  if (!config.unshare.has("user")) return config.uid;
  const range = config.uidMap.find((m) => config.uid >= m.inside && config.uid < m.inside + m.count);
  return range === undefined ? null : range.outside + (config.uid - range.inside);
}

function warnAboutExposure(config: JailConfig, host: HostFacts, log: Logger): void {
  if (config.exec || config.unshare.has("pid") || hostUidOf(config) !== host.uid) return;
  log.warn(`the jail runs as nsjail's own uid ${host.uid} without a pid namespace: it can signal nsjail (and outlast its time limit)`);
}

/** Runs the jail to its end and returns nsjail's exit code; in exec mode never returns. */
export async function runJail(jail: PreparedJail, host: HostFacts, log: Logger): Promise<number> {
  if (jail.config.logLevel === "debug") log.debug(planDigest(jail)); // hashing costs a start
  warnAboutExposure(jail.config, host, log);
  // Loaded here, not at the top: loading the trampoline is a side effect that --dry-run,
  // `check` and the unit tests must not have.
  const [{ loadNative }, { linuxSys }] = await Promise.all([import("./sys/ffi.ts"), import("./sys/linux-sys.ts")]);
  const imageFd = loadNative().imageFd;
  checkPassedFds(linuxSys, jail.config);
  const hooks = jail.config.fs.hooks;
  if (hooks.pre_jail.length > 0) await hostHooks().runHostHooks("hook_pre_jail", hooks.pre_jail, host.env);
  if (jail.config.exec) execInplace(linuxSys, jail.bytes, imageFd);
  // Without a pid namespace no init takes the jail's processes with it: orphans come back
  // to nsjail, which kills them when the jail ends.
  if (!jail.config.unshare.has("pid")) linuxSys.setChildSubreaper();
  const running = spawnJail(linuxSys, jail.plan, jail.bytes, jail.config, host, imageFd, log);
  reaper ??= new Reaper(linuxSys, processEvents);
  const end = new Supervisor(linuxSys, log, reaper, processEvents, process.pid).supervise(running, jail.config);
  if (hooks.post_spawn.length === 0) return end;
  try {
    await hostHooks().runHostHooks("hook_post_spawn", hooks.post_spawn, { ...host.env, NSJAIL_PID: String(running.pid) });
  } catch (err) {
    // The jail does not outlive a failed hook: kill it, wait for its end, report the hook.
    linuxSys.kill(running.pid, SIG.KILL);
    await end.catch(() => 0);
    throw err;
  }
  return end;
}

/** launch/host-hooks.ts, loaded only by a jail that has host-side hooks. */
function hostHooks(): typeof import("./launch/host-hooks.ts") {
  return require("./launch/host-hooks.ts") as typeof import("./launch/host-hooks.ts");
}
