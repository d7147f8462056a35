// Stage 1 (config): nsjail as a systemd service — the jail's own notify socket, and socket
// activation (the fds systemd passed to nsjail go on to the command, with LISTEN_* to match):
// the key, the defaults they add to the environment and passed fds, and their rules.
import type { ConfigIssue } from "../../errors.ts";
import { describe, expectBool } from "../expect.ts";
import type { HostFacts } from "../host.ts";
import type { JailConfig } from "../model.ts";
import { defineKey, needsNamespace, sortedUnique, type Rule, type ValuesOf } from "./key.ts";

/** The abstract socket name the jail's processes send to: it lives in the jail's own network
 * namespace, so every jail can use the same one. */
export const NOTIFY_SOCKET_NAME = "nsjail-notify";
/** sd_listen_fds(3): passed fds start at 3. */
const LISTEN_FDS_START = 3;
/** More than any service manager passes; keeps the fd list bounded. */
const LISTEN_FDS_MAX = 1 << 16;
/** Variables nsjail sets itself when the feature is on; the host's copies never leak in. */
const LISTEN_VARS = ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"];

export const SYSTEMD_KEYS = [
  defineKey(
    {
      key: "notify_socket",
      flag: "--notify-socket",
      kind: "bool",
      repeatable: false,
      placeholder: "",
      defaultDoc: "`false` (nsjail itself sends READY=1 once the command runs)",
      doc: `Give the command NOTIFY_SOCKET=@${NOTIFY_SOCKET_NAME} (in the jail's net namespace) and pass what it sends there on to nsjail's own NOTIFY_SOCKET.`,
    },
    (v, path, { report }) => expectBool(v, path, report),
  ),
] as const;

type SystemdFields = Partial<ValuesOf<typeof SYSTEMD_KEYS>>;

/** The number of fds socket activation passes to nsjail: 0 when LISTEN_PID names another
 * process (or nothing), a message when LISTEN_FDS is not a count. */
function listenFdsOf(host: HostFacts): number | string {
  const { LISTEN_PID: pid, LISTEN_FDS: fds } = host.env;
  if (pid === undefined || fds === undefined || pid !== String(host.pid)) return 0;
  const n = /^[0-9]{1,6}$/.test(fds) ? Number(fds) : Number.NaN;
  if (n >= 1 && n <= LISTEN_FDS_MAX) return n;
  return `expected a count of passed fds from 1 to ${LISTEN_FDS_MAX}, got ${describe(fds)}`;
}

type Base = Pick<JailConfig, "env" | "passFds">;

/** `base` is what the command concern built; socket activation and the notify socket add to
 * its environment and passed fds. */
export function systemdDefaults(f: SystemdFields, host: HostFacts, base: Base): Base & Pick<JailConfig, "notifySocket" | "listenFds"> {
  const notifySocket = f.notify_socket ?? false;
  const found = listenFdsOf(host);
  const listenFds = typeof found === "number" ? found : 0;
  const added: [string, string][] = [];
  if (listenFds > 0) {
    added.push(["LISTEN_FDS", String(listenFds)]);
    if (host.env.LISTEN_FDNAMES !== undefined) added.push(["LISTEN_FDNAMES", host.env.LISTEN_FDNAMES]);
  }
  if (notifySocket) added.push(["NOTIFY_SOCKET", `@${NOTIFY_SOCKET_NAME}`]);
  const replaced = new Set([...(listenFds > 0 ? LISTEN_VARS : []), ...added.map(([k]) => k)]);
  const fds = Array.from({ length: listenFds }, (_, i) => LISTEN_FDS_START + i);
  return {
    env: [...base.env.filter(([k]) => !replaced.has(k)), ...added],
    passFds: listenFds > 0 ? sortedUnique([...base.passFds, ...fds]) : base.passFds,
    notifySocket,
    listenFds,
  };
}

/** The socket is bound to an abstract name, and abstract names belong to a network namespace:
 * without one of its own the jail would share the name with every host process. */
function notifySocketNeedsNet(config: JailConfig): ConfigIssue[] {
  if (!config.notifySocket || config.unshare.has("net")) return [];
  const issue = needsNamespace("notify_socket", "net");
  return [{ ...issue, message: `${issue.message}; without one, keep_env = ["NOTIFY_SOCKET"] lets the command reach systemd directly` }];
}

function notifySocketNeedsRelay(config: JailConfig): ConfigIssue[] {
  if (!config.notifySocket || !config.exec) return [];
  return [{ path: "notify_socket", message: "needs nsjail to stay and pass messages on: not with exec" }];
}

/** A malformed LISTEN_FDS meant for nsjail is an error, not a silent loss of its sockets. */
function listenFdsValid(_config: JailConfig, host: HostFacts): ConfigIssue[] {
  const found = listenFdsOf(host);
  return typeof found === "string" ? [{ path: "LISTEN_FDS", message: `in nsjail's environment: ${found}` }] : [];
}

export const SYSTEMD_RULES: readonly Rule[] = [
  { name: "notifySocketNeedsNet", uses: ["notify_socket", "unshare"], check: notifySocketNeedsNet },
  { name: "notifySocketNeedsRelay", uses: ["notify_socket", "exec"], check: notifySocketNeedsRelay },
  { name: "listenFdsValid", uses: [], check: listenFdsValid },
];
