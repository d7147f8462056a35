// Recording fakes of the setns socket's syscall surfaces (sys/unix-socket.ts, sys/proc-fds.ts)
// and sample terms, for the server's and the client's unit tests.
import type { ProcFds } from "../../src/sys/proc-fds.ts";
import type { PeerCred, Received, UnixSockets } from "../../src/sys/unix-socket.ts";
import { op } from "../../src/plan/types.ts";
import type { JoinTerms } from "../../src/wire/setns.ts";

export const TERMS: JoinTerms = {
  pid: 4242,
  namespaces: ["user", "fs", "net"],
  root: true,
  cwd: "/srv",
  userns: true,
  creds: { uid: 0, gid: 0, caps: [10], setgroups: false, groups: [] },
  hostUid: 1000,
  hostGid: 1000,
  hostGroups: [1000, 27],
  env: ["PATH=/bin", "A=b=c"],
  restrictions: [
    op("setrlimit", [7, 64n, (1n << 64n) - 1n], { path: "limits.rlimit_nofile", note: "rlimit nofile" }),
    op("setpriority", [0, 0, -5], { path: "limits.nice", note: "nice -5" }),
    op("sched_setaffinity", [[3]], { path: "limits.cpu_affinity", note: "cpus 0,1" }),
    op("seccomp", [new Uint8Array([6, 0, 0, 0, 0, 0, 0xff, 0x7f]), 0], { path: "seccomp", note: "install the filter" }),
  ],
};

export class FakeSockets implements UnixSockets {
  readonly calls: unknown[][] = [];
  peer: PeerCred | Error = { pid: 77, uid: 1000, gid: 1000 };
  groups: number[] = [];
  /** What sendWithFds returns: bytes taken (default all), or -errno. */
  sendResult: ((len: number) => number) = (len) => len;
  /** Answers to receive(), in order; then EOF. */
  incoming: (Received | Error)[] = [];
  connectErrors: Error[] = [];
  private nextFd = 30;

  connect(path: string): number {
    this.calls.push(["connect", path]);
    const err = this.connectErrors.shift();
    if (err) throw err;
    return this.nextFd++;
  }
  peerCred(fd: number): PeerCred {
    this.calls.push(["peerCred", fd]);
    if (this.peer instanceof Error) throw this.peer;
    return this.peer;
  }
  peerGroups(fd: number): number[] {
    this.calls.push(["peerGroups", fd]);
    return this.groups;
  }
  sendWithFds(fd: number, data: Uint8Array, fds: readonly number[]): number {
    this.calls.push(["send", fd, new TextDecoder().decode(data), [...fds]]);
    return this.sendResult(data.length);
  }
  receive(fd: number, size: number, maxFds: number): Received {
    this.calls.push(["receive", fd, maxFds]);
    const next = this.incoming.shift() ?? { data: new Uint8Array(0), fds: [] };
    if (next instanceof Error) throw next;
    return next;
  }
  setReceiveTimeout(fd: number, ms: number): void {
    this.calls.push(["timeout", fd, ms]);
  }
  close(fd: number): void {
    this.calls.push(["close", fd]);
  }
}

export class FakeProcFds implements ProcFds {
  readonly calls: unknown[][] = [];
  /** Namespace type and owner per fd; identity per fd. */
  types = new Map<number, number>();
  ids = new Map<number, string>();
  owners = new Map<number, string>();
  alive = true;
  failOpen: Error | null = null;
  private nextFd = 100;

  private open(what: string): number {
    if (this.failOpen) throw this.failOpen;
    this.calls.push(["open", what, this.nextFd]);
    return this.nextFd++;
  }
  openNamespace(pid: number, name: string): number {
    return this.open(`/proc/${pid}/ns/${name}`);
  }
  openRoot(pid: number): number {
    return this.open(`/proc/${pid}/root`);
  }
  openCwd(pid: number): number {
    return this.open(`/proc/${pid}/cwd`);
  }
  nsType(fd: number): number {
    return this.types.get(fd) ?? 0;
  }
  nsId(fd: number): string {
    return this.ids.get(fd) ?? `id${fd}`;
  }
  ownerId(fd: number): string {
    return this.owners.get(fd) ?? "init";
  }
  pidfd(pid: number): number {
    this.calls.push(["pidfd", pid]);
    return this.open(`pidfd ${pid}`);
  }
  isAlive(): boolean {
    return this.alive;
  }
  close(fd: number): void {
    this.calls.push(["close", fd]);
  }
}
