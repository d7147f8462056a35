// Stage 5 (launch): `nsjail join --pid PID` — what a jail's process offers, read from /proc
// as nsenter does, but pinned by a pidfd (a reused pid is noticed) and with the process's own
// identity: its ids, capabilities (never more) and rlimits (never higher). A seccomp filter
// cannot be read from outside, so a filtered process is refused: its setns socket sends it.
import type { HostFacts } from "../config/host.ts";
import { NAMESPACES, type Namespace } from "../config/model.ts";
import { JailError } from "../errors.ts";
import { NS_FILE, type JailIdentity } from "../plan/join.ts";
import { op, type Op } from "../plan/types.ts";
import { decodeBytes } from "../sys/bytes.ts";
import type { ProcFds } from "../sys/proc-fds.ts";
import { JoinError, type Offer } from "./join.ts";

/** /proc as text: `read` a file (its bytes as latin1), `link` a symlink's target; both throw
 * like node:fs. */
export interface ProcReader {
  read(path: string): string;
  link(path: string): string;
}

const INIT_NAME = "nsjail-init";
const RLIM_INFINITY = (1n << 64n) - 1n;
/** /proc/PID/limits lists the resources in RLIMIT_* order, 0 (cpu) to 15 (rttime). */
const RLIMIT_COUNT = 16;

/** The jail's init holds no seccomp filter and runs no command: its child does. */
function commandOf(pid: number, proc: ProcReader): number {
  const argv0 = proc.read(`/proc/${pid}/cmdline`).split("\0")[0];
  if (argv0 !== INIT_NAME) return pid;
  const child = Number(proc.read(`/proc/${pid}/task/${pid}/children`).trim().split(" ")[0]);
  if (!Number.isInteger(child) || child <= 0) throw new JoinError(`process ${pid} is a jail's init without a command`);
  return child;
}

function statusField(status: string, name: string): string[] {
  const line = status.split("\n").find((l) => l.startsWith(`${name}:`));
  if (line === undefined) throw new JoinError(`/proc status has no ${name} line`);
  return line.slice(name.length + 1).trim().split(/\s+/);
}

/** An id of the process's user namespace, from the host's one: the map read backwards. */
function mappedId(mapText: string, hostId: number): number | null {
  for (const line of mapText.trim().split("\n")) {
    const [inside, outside, count] = line.trim().split(/\s+/).map(Number);
    if (hostId >= outside! && hostId < outside! + count!) return inside! + (hostId - outside!);
  }
  return null;
}

function insideId(mapText: string, hostId: number, what: string): number {
  return mappedId(mapText, hostId) ?? fail(`${what} ${hostId} is not in the process's map`);
}

const fail = (message: string): never => {
  throw new JoinError(message);
};

/** Capability numbers set in a /proc status mask. */
function capsIn(mask: bigint): number[] {
  const caps: number[] = [];
  for (let cap = 0; mask >> BigInt(cap) !== 0n; cap++) if ((mask >> BigInt(cap)) & 1n) caps.push(cap);
  return caps;
}

/** "soft hard" per resource from /proc/PID/limits; "unlimited" is RLIM_INFINITY. */
function rlimits(text: string): [bigint, bigint][] {
  const value = (w: string) => (w === "unlimited" ? RLIM_INFINITY : BigInt(w));
  return text.split("\n").slice(1, 1 + RLIMIT_COUNT).map((line) => {
    const words = line.slice(26).trim().split(/\s+/);
    return [value(words[0]!), value(words[1]!)];
  });
}

/** setrlimit for every resource where the process is held lower than we are. */
function lowerLimits(target: string, own: string): Op[] {
  const ours = rlimits(own);
  const min = (a: bigint, b: bigint) => (a < b ? a : b);
  return rlimits(target).flatMap(([soft, hard], resource) => {
    const [mySoft, myHard] = ours[resource] ?? [RLIM_INFINITY, RLIM_INFINITY];
    if (soft >= mySoft && hard >= myHard) return [];
    const h = min(hard, myHard);
    return [op("setrlimit", [resource, min(min(soft, mySoft), h), h], { path: "join", note: `rlimit ${resource} as low as the jail's process` })];
  });
}

function namespacesOf(pid: number, proc: ProcReader): Namespace[] {
  try {
    return NAMESPACES.filter((ns) => proc.link(`/proc/${pid}/ns/${NS_FILE[ns]}`) !== proc.link(`/proc/self/ns/${NS_FILE[ns]}`));
  } catch (err) {
    throw new JoinError(`process ${pid}: ${(err as Error).message} — only root and the jail's owner may join it`);
  }
}

/** Who the process is: its ids (inside its user namespace when it has one), capabilities it
 * both holds and may hold, groups, environment, and the rlimits it is held to. */
function identityOf(pid: number, userns: boolean, proc: ProcReader, host: HostFacts): JailIdentity {
  const status = proc.read(`/proc/${pid}/status`);
  const hostUid = Number(statusField(status, "Uid")[1]);
  const hostGid = Number(statusField(status, "Gid")[1]);
  const caps = capsIn(BigInt(`0x${statusField(status, "CapPrm")[0]}`) & BigInt(`0x${statusField(status, "CapBnd")[0]}`));
  const hostGroups = statusField(status, "Groups").filter((g) => g !== "").map(Number);
  const others = hostGroups.filter((g) => g !== hostGid);
  const gidMap = userns ? proc.read(`/proc/${pid}/gid_map`) : "";
  // Its supplementary groups as the jail names them; one the map leaves out cannot be set inside.
  const groups = userns ? others.map((g) => mappedId(gidMap, g)).filter((g) => g !== null) : others;
  const creds = userns
    ? {
        uid: insideId(proc.read(`/proc/${pid}/uid_map`), hostUid, "uid"),
        gid: insideId(gidMap, hostGid, "gid"),
        caps,
        setgroups: proc.read(`/proc/${pid}/setgroups`).trim() === "allow",
        groups,
      }
    : { uid: hostUid, gid: hostGid, caps, setgroups: host.uid === 0, groups };
  let env: string[] = [];
  try {
    env = decodeBytes(Buffer.from(proc.read(`/proc/${pid}/environ`), "latin1")).split("\0").filter((e) => e.includes("="));
  } catch {
    // unreadable: the command starts with an empty environment
  }
  return {
    userns, creds, hostUid, hostGid, env,
    hostGroups,
    restrictions: lowerLimits(proc.read(`/proc/${pid}/limits`), proc.read("/proc/self/limits")),
  };
}

export function offerFromPid(asked: number, fds: ProcFds, proc: ProcReader, host: HostFacts): Offer {
  const pidfd = fds.pidfd(asked);
  const opened: number[] = [];
  try {
    const pid = commandOf(asked, proc);
    const source = `process ${pid}`;
    if (pid !== asked) opened.push(fds.pidfd(pid));
    const pidfds = [...opened, pidfd];
    if (statusField(proc.read(`/proc/${pid}/status`), "Seccomp")[0] === "2") {
      throw new JoinError(`${source} runs under a seccomp filter, which join --pid cannot copy: join through the jail's setns_socket, which sends it`);
    }
    const kinds = namespacesOf(pid, proc);
    if (kinds.length === 0) throw new JoinError(`${source} shares every namespace with nsjail: nothing to join`);
    const namespaces = new Map<Namespace, number>();
    for (const ns of kinds) {
      opened.push(fds.openNamespace(pid, NS_FILE[ns]));
      namespaces.set(ns, opened.at(-1)!);
    }
    const root = fds.openRoot(pid);
    opened.push(root);
    const cwd = fds.openCwd(pid);
    opened.push(cwd);
    const identity = identityOf(pid, kinds.includes("user"), proc, host);
    // Everything was opened and read while the pidfd's process was alive: not a recycled pid's.
    if (!pidfds.every((p) => fds.isAlive(p))) throw new JoinError(`${source} exited while it was being joined`);
    if (pid !== asked) fds.close(opened.shift()!);
    return { ...identity, source, confined: false, namespaces, root, cwd };
  } catch (err) {
    for (const f of opened) fds.close(f);
    throw err instanceof JailError ? err : new JoinError(`process ${asked}: ${(err as Error).message}`);
  } finally {
    fds.close(pidfd);
  }
}
