// Stage 2 (plan): the last steps — hand over to the init (PID 1 of a new pid namespace),
// then in the command's own process: new session, working directory, fds, execve.
import type { JailConfig } from "../config/model.ts";
import { CLOSE_RANGE_CLOEXEC, F_SETFD, MAX_FD } from "../sys/constants.ts";
import type { PlanContext } from "./context.ts";
import { op, type Op } from "./types.ts";

/** True when a small init runs as PID 1 and the command is its child. */
export function usesInit(config: JailConfig): boolean {
  return config.unshare.has("pid") && !config.asPid1;
}

/** Clears CLOEXEC on the fds the init needs (the plan, and the status pipe when a parent
 * listens), then execs the sealed trampoline image. `at` is the index of this group's first
 * op; the init's child starts right after it. */
export function planInit(ctx: PlanContext, at: number): Op[] {
  const origin = { path: "as_pid_1", note: "start the jail's init as PID 1" };
  const { plan, statusWrite, image } = ctx.fds;
  const keep = [plan, statusWrite]
    .filter((fd) => fd >= 0)
    .map((fd) => op("fcntl", [fd, F_SETFD, 0], { ...origin, note: `pass fd ${fd} to the init` }));
  const start = at + keep.length + 1;
  return [...keep, op("exec_init", [image, ["nsjail-init", String(plan), String(start), String(statusWrite)]], origin)];
}

/** Bun marks every inherited fd close-on-exec at start-up, so a passed fd must be cleared
 * before the init's execve as well as the command's. */
export function planPassFds(config: JailConfig): Op[] {
  return config.passFds.map((fd) => op("fcntl", [fd, F_SETFD, 0], { path: "pass_fd", note: `pass fd ${fd}` }));
}

/** Every other fd from 3 up is marked close-on-exec; the status pipe is among them, so a
 * successful execve closes it and the parent reads EOF. */
function planCloseFds(config: JailConfig): Op[] {
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

export function planCommand(config: JailConfig): Op[] {
  const [file, ...rest] = config.command;
  const env = config.env.map(([k, v]) => `${k}=${v}`);
  const path = config.env.find(([k]) => k === "PATH")?.[1] ?? null;
  return [
    // A new session: the command has no controlling terminal of the caller (TIOCSTI).
    op("setsid", [], { path: "security", note: "new session (setsid)" }),
    op("chdir", [config.chdir], { path: "chdir", note: `chdir ${config.chdir}` }),
    ...planCloseFds(config),
    op("execve", [file!, [file!, ...rest], env, file!.includes("/") ? null : path], {
      path: "command",
      note: `execve ${file}`,
    }),
  ];
}
