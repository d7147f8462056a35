// Stage 2 (plan): the command's own last steps — passed fds, new session, working
// directory, close-on-exec for everything else, execve.
import type { JailConfig } from "../config/model.ts";
import { CLOSE_RANGE_CLOEXEC, F_SETFD, MAX_FD } from "../sys/constants.ts";
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

/** What the command's last steps need; a process joining a jail (plan/join.ts) has its own. */
export type CommandSpec = Pick<JailConfig, "command" | "env" | "chdir" | "passFds">;

export function planCommand(config: CommandSpec): Op[] {
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
