// Stage 5 (launch): the client's half of the setns socket — connect (waiting for the jail if
// asked), check who serves it, read the one message and its fds, and check each fd is the
// namespace the message says. The format is wire/setns.ts; docs/setns.md describes it.
import type { HostFacts } from "../config/host.ts";
import type { Namespace } from "../config/model.ts";
import { errnoName } from "../errno.ts";
import { SyscallError } from "../errors.ts";
import { NSTYPE } from "../plan/join.ts";
import type { ProcFds } from "../sys/proc-fds.ts";
import type { UnixSockets } from "../sys/unix-socket.ts";
import { decodeSetnsMessage, SETNS_MESSAGE_MAX, type JoinTerms } from "../wire/setns.ts";
import { JoinError, type Offer } from "./join.ts";

const ENOENT = 2;
const EAGAIN = 11;
const ECONNREFUSED = 111;
const RETRY_MS = 100;
/** A supervisor answers at once; one that does not within this long is stuck. */
const ANSWER_MS = 10_000;
/** Every namespace, plus the root. */
const MAX_FDS = 9;
const CHUNK = 65536;
const NEWLINE = 10;

/** connect(), retried while the jail is not up yet (no socket, or nobody listening). */
async function connectWaiting(sockets: UnixSockets, path: string, waitSeconds: number): Promise<number> {
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    try {
      return sockets.connect(path);
    } catch (err) {
      const notYet = err instanceof SyscallError && (err.errno === ENOENT || err.errno === ECONNREFUSED);
      if (!notYet || Date.now() >= deadline) {
        const hint = notYet ? ` — is a jail running with setns_socket = ${path}?${waitSeconds > 0 ? ` (waited ${waitSeconds} s)` : " (--wait SECONDS waits for it)"}` : "";
        throw new JoinError(`${(err as Error).message}${hint}`);
      }
      await Bun.sleep(RETRY_MS);
    }
  }
}

/** The message's line and the fds that came with its first bytes. */
function readMessage(sockets: UnixSockets, fd: number, source: string): { line: string; fds: readonly number[] } {
  const chunks: Uint8Array[] = [];
  let fds: readonly number[] = [];
  let total = 0;
  try {
    for (;;) {
      const got = sockets.receive(fd, CHUNK, chunks.length === 0 ? MAX_FDS : 0);
      if (chunks.length === 0) fds = got.fds;
      if (got.data.length === 0) break;
      chunks.push(got.data);
      total += got.data.length;
      if (got.data.includes(NEWLINE) || total > SETNS_MESSAGE_MAX) break;
    }
  } catch (err) {
    for (const f of fds) sockets.close(f);
    if (err instanceof SyscallError && err.errno === EAGAIN) throw new JoinError(`${source}: no answer within ${ANSWER_MS / 1000} s`);
    throw new JoinError(`${source}: ${(err as Error).message}`);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  const end = text.indexOf("\n");
  if (end < 0) {
    for (const f of fds) sockets.close(f);
    throw new JoinError(`${source}: the answer ${total === 0 ? "was empty (the server closed the connection)" : "is not one complete line"}`);
  }
  return { line: text.slice(0, end), fds };
}

/** Each fd must be the namespace the message puts at its place, then the root. */
function checkFds(proc: ProcFds, terms: JoinTerms, fds: readonly number[], source: string): void {
  const expected = terms.namespaces.length + (terms.root ? 1 : 0);
  if (fds.length !== expected) throw new JoinError(`${source}: ${fds.length} fds came with a message that names ${expected}`);
  terms.namespaces.forEach((ns, i) => {
    let type: number;
    try {
      type = proc.nsType(fds[i]!);
    } catch (err) {
      throw new JoinError(`${source}: the fd sent for the ${ns} namespace is not a namespace (${errnoName((err as SyscallError).errno)})`);
    }
    if (type !== NSTYPE[ns]) throw new JoinError(`${source}: the fd sent for the ${ns} namespace is another kind of namespace`);
  });
}

function checkOwnedByUserns(proc: ProcFds, terms: JoinTerms, fds: readonly number[], source: string): void {
  const user = terms.namespaces.indexOf("user");
  if (user < 0) throw new JoinError(`${source}: offers no user namespace to enter first`);
  const owner = proc.nsId(fds[user]!);
  terms.namespaces.forEach((ns, i) => {
    if (ns !== "user" && proc.ownerId(fds[i]!) !== owner) throw new JoinError(`${source}: its ${ns} namespace is not owned by the user namespace it offers`);
  });
}

/** Connects, reads and checks; the fds returned are the caller's to use or close. */
export async function offerFromSocket(path: string, waitSeconds: number, sockets: UnixSockets, proc: ProcFds, host: HostFacts): Promise<Offer> {
  const source = `setns socket ${path}`;
  const fd = await connectWaiting(sockets, path, waitSeconds);
  let fds: readonly number[] = [];
  try {
    const server = sockets.peerCred(fd);
    sockets.setReceiveTimeout(fd, ANSWER_MS);
    const message = readMessage(sockets, fd, source);
    fds = message.fds;
    const decoded = decodeSetnsMessage(message.line);
    if (decoded instanceof Error) throw new JoinError(`${source}: bad message: ${decoded.message}`);
    if ("refused" in decoded) throw new JoinError(`${source}: refused: ${decoded.refused}`);
    const terms = decoded.terms;
    checkFds(proc, terms, fds, source);
    // A server that is neither root nor ourselves could offer namespaces of its own making
    // and an identity to take on there: we enter them only inside a user namespace that owns
    // them all, where nothing it says gives it more than it has.
    const confined = server.uid !== 0 && server.uid !== host.uid;
    if (confined) checkOwnedByUserns(proc, terms, fds, `${source} (served by uid ${server.uid}, not root or you)`);
    const { pid: _, namespaces: kinds, root, cwd, ...identity } = terms;
    return {
      ...identity,
      source,
      confined,
      namespaces: new Map<Namespace, number>(kinds.map((ns, i) => [ns, fds[i]!])),
      root: root ? fds[kinds.length]! : null,
      cwd,
    };
  } catch (err) {
    for (const f of fds) sockets.close(f);
    throw err;
  } finally {
    sockets.close(fd);
  }
}
