// Stage 2 (plan): the command's own last steps — passed fds, new session, working
// directory, close-on-exec for everything else, the seccomp filter, execve.
import type { HostFacts } from "../config/host.ts";
import type { JailConfig } from "../config/model.ts";
import { CLOSE_RANGE_CLOEXEC, F_SETFD, MAX_FD } from "../sys/constants.ts";
import { usesInit } from "./init.ts";
import { op, type Op } from "./types.ts";

/** Bun marks every inherited fd close-on-exec at start-up, so a passed fd must be cleared
 * before the init's execve as well as the command's. */
export function planPassFds(config: JailConfig): Op[] {
  return config.passFds.map((fd) => op("fcntl", [fd, F_SETFD, 0], { path: "pass_fd", note: `pass fd ${fd}` }));
}

/** Every other fd from 3 up is marked close-on-exec; the status pipe is among them, so a
 * successful execve closes it and the parent reads EOF. */
function planCloseFds(config: CommandSpec): Op[] {
  const origin = (note: string) => ({ path: "pass_fd", note });
  const ops: Op[] = [];
  let from = 3;
  for (const fd of config.passFds) {
    if (fd > from) ops.push(op("close_range", [from, fd - 1, CLOSE_RANGE_CLOEXEC], origin(`close fds ${from}-${fd - 1} on exec`)));
    from = fd + 1;
  }
  ops.push(op("close_range", [from, MAX_FD, CLOSE_RANGE_CLOEXEC], origin(`close fds ≥ ${from} on exec`)));
  return ops;
}

/** The jail's seccomp filter, loaded only when asked for. */
export function planFilter(config: JailConfig, host: HostFacts): Op[] {
  if (config.seccomp === null) return [];
  const { planSeccomp } = require("./seccomp/plan.ts") as typeof import("./seccomp/plan.ts");
  return planSeccomp(config.seccomp, host.arch, usesInit(config));
}

/** What the command's last steps need; a process joining a jail (plan/join.ts) has its own. */
export type CommandSpec = Pick<JailConfig, "command" | "env" | "chdir" | "passFds">;

/**
 * `filter` goes in last, so it can block nothing of the setup. A failed execve is reported
 * with write(2), which the filter may block: under a filter the command is looked up first
 * (faccessat X_OK along the same PATH), so "not found" and "not executable" still come out as
 * setup errors.
 */
export function planCommand(config: CommandSpec, filter: readonly Op[] = []): Op[] {
  const [file, ...rest] = config.command;
  const env = config.env.map(([k, v]) => `${k}=${v}`);
  const path = config.env.find(([k]) => k === "PATH")?.[1] ?? null;
  const search = file!.includes("/") ? null : path;
  const origin = { path: "command", note: `execve ${file}` };
  return [
    // A new session: the command has no controlling terminal of the caller (TIOCSTI).
    op("setsid", [], { path: "security", note: "new session (setsid)" }),
    op("chdir", [config.chdir], { path: "chdir", note: `chdir ${config.chdir}` }),
    ...planCloseFds(config),
    ...(filter.length > 0 ? [op("faccessat", [file!, search], origin), ...filter] : []),
    op("execve", [file!, [file!, ...rest], env, search], origin),
  ];
}
