// Stage 5 (supervisor): what the setns socket answers one peer — its credentials checked
// with SO_PEERCRED, then either a refusal or the jail's terms with its namespace fds. Every
// step is one non-blocking syscall, so a slow or hostile peer costs the supervisor nothing.
import type { HostFacts } from "../config/host.ts";
import type { JailConfig } from "../config/model.ts";
import type { Logger } from "../log.ts";
import { credsOf } from "../plan/creds.ts";
import { jailRestrictions, NS_FILE } from "../plan/join.ts";
import type { Plan } from "../plan/types.ts";
import { hostIdOf } from "../plan/user.ts";
import type { ProcFds } from "../sys/proc-fds.ts";
import type { PeerCred, UnixSockets } from "../sys/unix-socket.ts";
import { encodeSetnsMessage, type JoinTerms } from "../wire/setns.ts";
import { errnoName } from "../errno.ts";
import { SyscallError } from "../errors.ts";

/** The overflow id: what the host sees for an id the map leaves out. */
const OVERFLOW_ID = 65534;

/** The terms every peer of this jail gets: fixed for the jail's life, so encoded once.
 * `groups` are nsjail's supplementary groups, which the jail keeps where it cannot set its own. */
export function joinTerms(config: JailConfig, plan: Plan, host: HostFacts, pid: number, groups: readonly number[]): JoinTerms {
  const user = config.unshare.has("user");
  const kinds = config.setns.kinds;
  const creds = credsOf(config, host);
  return {
    pid,
    namespaces: kinds,
    root: kinds.includes("fs"),
    cwd: config.chdir,
    userns: user,
    creds,
    hostUid: user ? (hostIdOf(config.uidMap, config.uid) ?? OVERFLOW_ID) : config.uid,
    hostGid: user ? (hostIdOf(config.gidMap, config.gid) ?? OVERFLOW_ID) : config.gid,
    hostGroups: creds.setgroups ? [] : groups,
    env: config.env.map(([k, v]) => `${k}=${v}`),
    restrictions: jailRestrictions(plan, config, host.arch),
  };
}

/** nsjail's own uid and root always; then the uids and groups of setns_allow. */
export function isAllowed(peer: PeerCred, groups: () => readonly number[], selfUid: number, config: JailConfig): boolean {
  const { allowUids, allowGids } = config.setns;
  if (peer.uid === selfUid || peer.uid === 0 || allowUids.includes(peer.uid)) return true;
  if (allowGids.length === 0) return false;
  return allowGids.includes(peer.gid) || groups().some((g) => allowGids.includes(g));
}

/** The fds a peer receives, in the terms' order: each namespace, then the root. */
export function openJailFds(proc: ProcFds, pid: number, terms: JoinTerms): number[] {
  const fds: number[] = [];
  try {
    for (const ns of terms.namespaces) fds.push(proc.openNamespace(pid, NS_FILE[ns]));
    if (terms.root) fds.push(proc.openRoot(pid));
    return fds;
  } catch (err) {
    for (const fd of fds) proc.close(fd);
    throw err;
  }
}

export interface PeerContext {
  readonly sockets: UnixSockets;
  readonly proc: ProcFds;
  readonly log: Logger;
  readonly config: JailConfig;
  readonly selfUid: number;
  readonly terms: JoinTerms;
  /** The terms' line, encoded once. */
  readonly message: Uint8Array;
  /** Fds opened at start (setns_preopen), or null to open them for each peer. */
  readonly preopened: readonly number[] | null;
}

const NOTHING = new Uint8Array(0);

function refuse(ctx: PeerContext, fd: number, reason: string): Uint8Array {
  const line = encodeSetnsMessage({ refused: reason });
  const sent = ctx.sockets.sendWithFds(fd, line, []);
  return sent < 0 ? NOTHING : line.subarray(sent);
}

/** Answers the peer on `fd` with one sendmsg, never a read, and returns what a full socket
 * buffer did not take (empty when all was sent or nothing more is to be sent). The caller
 * writes that rest through the event loop and closes the connection. */
export function answerPeer(ctx: PeerContext, fd: number): Uint8Array {
  const where = `setns socket ${ctx.config.setns.path}`;
  let peer: PeerCred;
  try {
    peer = ctx.sockets.peerCred(fd);
  } catch (err) {
    ctx.log.debug(`${where}: a peer left before it was seen (${(err as Error).message})`);
    return NOTHING;
  }
  const who = `uid ${peer.uid} gid ${peer.gid} (pid ${peer.pid})`;
  if (!isAllowed(peer, () => ctx.sockets.peerGroups(fd), ctx.selfUid, ctx.config)) {
    ctx.log.warn(`${where}: refused ${who}: not nsjail's uid ${ctx.selfUid}, root, or in setns_allow`);
    return refuse(ctx, fd, `uid ${peer.uid} may not join this jail: only uid ${ctx.selfUid}, root and setns_allow may`);
  }
  let opened: number[] = [];
  try {
    opened = ctx.preopened === null ? openJailFds(ctx.proc, ctx.terms.pid, ctx.terms) : [];
  } catch (err) {
    ctx.log.warn(`${where}: cannot serve ${who}: ${(err as Error).message}`);
    return refuse(ctx, fd, `the jail's namespaces cannot be opened: ${err instanceof SyscallError ? errnoName(err.errno) : "error"}`);
  }
  try {
    const sent = ctx.sockets.sendWithFds(fd, ctx.message, ctx.preopened ?? opened);
    if (sent < 0) {
      ctx.log.debug(`${where}: ${who} left before the namespaces were sent: ${errnoName(-sent)}`);
      return NOTHING;
    }
    ctx.log.info(`${where}: ${who} joins the jail`);
    return ctx.message.subarray(sent);
  } finally {
    for (const f of opened) ctx.proc.close(f);
  }
}
