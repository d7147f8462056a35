// Stage 2 (plan): the jail's side of running under systemd — the notify socket bound in the
// jail's network namespace and handed to nsjail, and LISTEN_PID set to the command's own pid.
// The parent's half is src/supervisor/notify.ts.
import { NOTIFY_SOCKET_NAME } from "../config/schema/systemd.ts";
import type { JailConfig } from "../config/model.ts";
import { fd, op, type Op } from "./types.ts";

/** In the jail's first process, which is in its network namespace from the clone on: the
 * socket reaches nsjail before the jail's init or command starts, so nothing is lost. */
export function planNotifySocket(config: JailConfig): Op[] {
  if (!config.notifySocket) return [];
  const note = `bind @${NOTIFY_SOCKET_NAME} in the jail's net namespace and hand it to nsjail`;
  return [op("bind_unix", [NOTIFY_SOCKET_NAME, fd("notify")], { path: "notify_socket", note })];
}

/** In the command's own process, so the pid is the one it keeps across execve: 1 as PID 1,
 * 2 under the init, its host pid without a pid namespace. sd_listen_fds(3) checks it. */
export function planListenPid(config: Pick<JailConfig, "listenFds">): Op[] {
  if (config.listenFds === 0) return [];
  return [op("getpid", ["LISTEN_PID"], { path: "LISTEN_FDS", note: "LISTEN_PID = the command's own pid" })];
}
