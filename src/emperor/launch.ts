// Emperor (many jails): reading a vassal's file into a launchable jail, and launching it —
// the same prepareJail() and JailLife (cgroup, clone, exit record) as `run`, with the
// vassal's own stdio and no signal forwarding: the emperor's signals are its own.
import type { HostFacts } from "../config/host.ts";
import type { ReadFile } from "../config/read-file.ts";
import { resolveConfig } from "../config/resolve.ts";
import { ConfigError } from "../errors.ts";
import { prepareJail, type PreparedJail } from "../jail.ts";
import { planImage, type RunningJail } from "../launch/spawn.ts";
import type { Logger } from "../log.ts";
import type { Events } from "../supervisor/events.ts";
import { JailLife } from "../supervisor/jail-life.ts";
import type { Reaper } from "../supervisor/reaper.ts";
import { stopGracefully } from "../supervisor/respawn.ts";
import { Supervisor } from "../supervisor/supervisor.ts";
import type { Sys } from "../sys/sys.ts";
import { VASSAL_NEEDS_PID } from "./settings.ts";
import type { Launched, VassalJail } from "./vassal.ts";

export interface EmperorJail extends VassalJail {
  readonly prepared: PreparedJail;
  /** Sealed memfd of the plan's bytes, shared by every launch of this config. */
  readonly planFd: number;
}

/** systemd's variables speak to the service's main process, the emperor: a vassal that kept
 * NOTIFY_SOCKET could tell systemd READY=1 or STOPPING=1 for the whole service, and the
 * fds socket activation passed are no single vassal's to take. */
const SERVICE_VARS = ["NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"];

/** The host as every vassal's config sees it: the emperor's, without SERVICE_VARS. */
export function vassalHost(host: HostFacts): HostFacts {
  const env = { ...host.env };
  for (const name of SERVICE_VARS) delete env[name];
  return { ...host, env };
}

/** What only `run` offers: a terminal to relay, a service manager to pass messages on to. */
const RUN_ONLY = [
  ["exec", "exec", "a vassal is supervised by the emperor: not with exec"],
  ["pty", "pty", "a vassal has no terminal (its output goes to the emperor's log): not with pty"],
  ["notifySocket", "notify_socket", "the emperor alone speaks to systemd: not with notify_socket"],
] as const;

const HOST_HOOKS = [["hook_pre_jail", "pre_jail"], ["hook_post_spawn", "post_spawn"]] as const;
const VASSAL_HOST_HOOK = "runs on the host, which a vassal may not: use hook_post_jail, hook_as_root or hook_as_user (inside its jail)";

/** `defaults` lie under the file's own keys; `host` is vassalHost()'s. Throws ConfigError
 * naming file:line. */
export function loadVassal(sys: Sys, file: string, defaults: Readonly<Record<string, unknown>>, host: HostFacts, readFile: ReadFile): EmperorJail {
  const config = resolveConfig({ file, cli: {}, command: [], defaults }, host, readFile);
  if (!config.unshare.has("pid")) throw new ConfigError(file, [{ path: "unshare", message: VASSAL_NEEDS_PID }]);
  const refused: { path: string; message: string }[] = RUN_ONLY.filter(([field]) => config[field]).map(([, path, message]) => ({ path, message }));
  // The emperor runs nothing of a vassal's on the host: its hooks run inside its jail.
  for (const [path, phase] of HOST_HOOKS) if (config.fs.hooks[phase].length > 0) refused.push({ path, message: VASSAL_HOST_HOOK });
  if (refused.length > 0) throw new ConfigError(file, refused);
  const prepared = prepareJail(config, host);
  const planFd = planImage(sys, prepared.bytes);
  return { config, prepared, planFd, dispose: () => sys.close(planFd) };
}

export interface LaunchContext {
  readonly sys: Sys;
  readonly host: HostFacts;
  readonly imageFd: number;
  /** /dev/null, every vassal's stdin. */
  readonly stdinFd: number;
  readonly reaper: Reaper;
  readonly events: Events;
  readonly log: Logger;
}

/** Starts the vassal's jail in its own cgroup when it has [limits]; throws a JailError when
 * the jail cannot be set up (its exit record, if it asks for one, says why). */
export function launchVassal(ctx: LaunchContext, jail: EmperorJail, outputFd: number): Launched {
  const { sys, events } = ctx;
  const { config } = jail.prepared;
  const fds = { image: ctx.imageFd, plan: jail.planFd, stdin: ctx.stdinFd, stdout: outputFd, stderr: outputFd };
  const life = new JailLife(ctx, jail.prepared, fds);
  let running: RunningJail;
  try {
    running = life.start();
  } catch (err) {
    life.failed(err);
    throw err;
  }
  const supervisor = new Supervisor(sys, ctx.log, ctx.reaper, events, process.pid);
  let cancelKill = () => {};
  const exited = supervisor.supervise(config, () => running, []).then(
    (end) => life.ended(end),
    (err: unknown) => {
      life.failed(err);
      if (!(err instanceof Error)) throw err;
      ctx.log.error(err.message);
      return 255;
    },
  ).finally(() => cancelKill());
  return { pid: running.pid, exited, stop: () => (cancelKill = stopGracefully(sys, events, running.pid, config.stopTimeout)) };
}
