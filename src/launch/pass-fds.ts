// Stage 5 (launch): the fds `pass_fd` hands to the jail (and `status_fd`) must be the caller's. Bun opens fds
// of its own before any of our code runs (an epoll, an eventfd, the trampoline's memfd), and
// a jail given one of those could reach into nsjail; a number nobody opened is refused too.
import type { JailConfig } from "../config/model.ts";
import { UsageError } from "../errors.ts";
import type { Sys } from "../sys/sys.ts";

/** What /proc/self/fd shows for fds that are nsjail's or Bun's own, never a caller's. */
const OWN_FD = /^(anon_inode:\[?(eventpoll|eventfd|timerfd|signalfd|io_uring|pidfd)\]?|\/memfd:nsjail-)/;

/** Refuses `fd` unless nsjail's caller opened it; `what` names the flag in the error. */
export function checkCallerFd(sys: Sys, fd: number, what: string): void {
  const target = sys.fdTarget(fd);
  if (target === null) throw new UsageError(`${what} ${fd}: fd ${fd} is not open in nsjail's caller`);
  if (OWN_FD.test(target)) throw new UsageError(`${what} ${fd}: fd ${fd} is nsjail's own (${target}), not the caller's`);
}

export function checkPassedFds(sys: Sys, config: JailConfig): void {
  for (const fd of config.passFds) checkCallerFd(sys, fd, "--pass-fd");
}
