// Stage 5 (supervisor): the setns socket's life — bound before the jail starts, serving
// while it runs, removed when it ends. Bun's own listener accepts connections on the event
// loop (no thread, no polling); each is answered at once by one sendmsg on its fd
// (setns-peers.ts) and closed, so nothing a peer does can block the supervisor.
import { chmodSync, lstatSync, renameSync, unlinkSync, type Stats } from "node:fs";
import { dirname } from "node:path";
import type { HostFacts } from "../config/host.ts";
import type { JailConfig } from "../config/model.ts";
import { JailError, SyscallError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Plan } from "../plan/types.ts";
import { encodeBytes } from "../sys/bytes.ts";
import { procFds } from "../sys/proc-fds.ts";
import { unixSockets } from "../sys/unix-socket.ts";
import { encodeSetnsMessage } from "../wire/setns.ts";
import { answerPeer, joinTerms, openJailFds, type PeerContext } from "./setns-peers.ts";

const ECONNREFUSED = 111;
const SUN_PATH_MAX = 107;
/** Owner only; with setns_allow anyone may connect, and SO_PEERCRED decides. */
const MODE_PRIVATE = 0o600;
const MODE_SHARED = 0o666;
const PEER_TIMEOUT_S = 10;

type Socket = { terminate(): void; timeout(seconds: number): void; write(data: Uint8Array): number };

class SetnsSocketError extends JailError {}

let counter = 0;

/** Whatever is at `path` must be nothing, or a socket nobody listens on (a killed run's). */
function checkPath(path: string): void {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new SetnsSocketError(`setns_socket ${path}: ${(err as Error).message}`);
  }
  if (!st.isSocket()) {
    const what = st.isSymbolicLink() ? "a symbolic link" : st.isDirectory() ? "a directory" : "a file that is not a socket";
    throw new SetnsSocketError(`setns_socket ${path}: ${what} is in the way (only a stale socket is replaced)`);
  }
  try {
    unixSockets.close(unixSockets.connect(path));
  } catch (err) {
    if (err instanceof SyscallError && err.errno === ECONNREFUSED) return; // stale
    throw new SetnsSocketError(`setns_socket ${path}: ${err instanceof Error ? err.message : err}`);
  }
  throw new SetnsSocketError(`setns_socket ${path}: another process serves on this socket`);
}

/** A name beside `path` for binding: renamed over `path` once its mode is right, so the socket
 * appears whole (never under a umask's mode) and a stale one is replaced in one step. */
function temporaryName(path: string): string {
  const name = `${dirname(path)}/.nsjail-${process.pid}-${counter++}`;
  if (encodeBytes(name).length > SUN_PATH_MAX) throw new SetnsSocketError(`setns_socket ${path}: the directory's path is too long to bind beside it`);
  return name;
}

export class SetnsServer {
  private ctx: PeerContext | null = null;
  /** What is left to write to peers whose buffer was full. */
  private readonly pending = new WeakMap<Socket, Uint8Array>();
  private inode: Stats | null = null;
  private readonly listener: ReturnType<typeof Bun.listen>;
  private readonly path: string;

  /** Binds and listens; throws before the jail starts when the path is unusable. */
  constructor(
    private readonly config: JailConfig,
    private readonly host: HostFacts,
    private readonly log: Logger,
  ) {
    this.path = config.setns.path!;
    checkPath(this.path);
    const tmp = temporaryName(this.path);
    try {
      this.listener = Bun.listen({
        unix: tmp,
        socket: {
          open: (s) => this.onConnection(s),
          // The protocol is one message from us: whatever a peer sends is never read.
          data: () => {},
          error: () => {},
          drain: (s) => this.flush(s),
          timeout: (s) => s.terminate(),
        },
      });
    } catch (err) {
      throw new SetnsSocketError(`setns_socket ${this.path}: cannot listen beside it (${(err as Error).message})`);
    }
    try {
      const shared = config.setns.allowUids.length + config.setns.allowGids.length > 0;
      chmodSync(tmp, shared ? MODE_SHARED : MODE_PRIVATE);
      renameSync(tmp, this.path);
      this.inode = lstatSync(this.path);
    } catch (err) {
      this.listener.stop(true);
      throw new SetnsSocketError(`setns_socket ${this.path}: ${(err as Error).message}`);
    }
    process.on("exit", this.remove);
  }

  /** From now on peers get the jail `pid`'s namespaces. With setns_preopen they are opened
   * here, once; a failure to open them is the jail's failure to start. */
  serve(plan: Plan, pid: number): void {
    const terms = joinTerms(this.config, plan, this.host, pid, process.getgroups?.() ?? []);
    const preopened = this.config.setns.preopen ? openJailFds(procFds, pid, terms) : null;
    this.ctx = {
      sockets: unixSockets, proc: procFds, log: this.log, config: this.config, selfUid: this.host.uid,
      terms, message: encodeSetnsMessage({ terms }), preopened,
    };
    this.log.debug(`setns socket ${this.path}: serving jail ${pid} (${terms.namespaces.join(", ")})`);
  }

  private onConnection(s: Socket): void {
    const fd = (s as unknown as { fd?: unknown }).fd;
    let rest: Uint8Array = new Uint8Array(0);
    try {
      if (this.ctx !== null && typeof fd === "number" && fd >= 0) rest = answerPeer(this.ctx, fd);
    } catch (err) {
      // Whatever went wrong with one peer, the next one is still served.
      this.log.error(`setns socket ${this.path}: ${err instanceof Error ? err.message : err}`);
    }
    if (rest.length === 0) return s.terminate(); // the line already sits in the peer's queue
    // A line longer than the socket's buffer: the event loop writes the rest as the peer
    // reads (drain), and a peer that stops reading is dropped after PEER_TIMEOUT_S.
    this.log.debug(`setns socket ${this.path}: ${rest.length} bytes of the line wait for the peer to read`);
    s.timeout(PEER_TIMEOUT_S);
    this.pending.set(s, rest);
    this.flush(s);
  }

  /** Writes what the peer's buffer takes of its pending rest; closes once all is written. */
  private flush(s: Socket): void {
    const rest = this.pending.get(s);
    if (rest === undefined) return;
    const n = s.write(rest);
    if (n >= 0 && n < rest.length) return void this.pending.set(s, rest.subarray(n));
    this.pending.delete(s);
    s.terminate();
  }

  /** Stops serving and removes the socket, if it is still ours; safe to call twice. */
  close(): void {
    process.off("exit", this.remove);
    this.listener.stop(true);
    for (const fd of this.ctx?.preopened ?? []) procFds.close(fd);
    this.ctx = null;
    this.remove();
  }

  /** Unlinks the path only while it is the socket we bound: never another run's. */
  private readonly remove = (): void => {
    if (this.inode === null) return;
    try {
      const now = lstatSync(this.path);
      if (now.ino === this.inode.ino && now.dev === this.inode.dev) unlinkSync(this.path);
    } catch {
      // already gone
    }
    this.inode = null;
  };
}
