// A recording Sys: every call lands in `calls`; reads and waits are scripted.
import type { ChildExit, Pipe, ProcessEntry, Sys } from "../../src/sys/sys.ts";

export class FakeSys implements Sys {
  readonly calls: unknown[][] = [];
  /** Chunks returned by read(), in order; then EOF. */
  reads: Uint8Array[] = [];
  /** Wait status tryWait() returns once set. */
  exitStatus: number | null = null;
  /** What listProcesses() returns, one table per call, then an empty one. */
  processTables: ProcessEntry[][] = [];
  /** What heardSignals() returns. */
  heard = 0n;
  private nextFd = 10;

  pipe(): Pipe {
    const p = { read: this.nextFd++, write: this.nextFd++ };
    this.calls.push(["pipe", p.read, p.write]);
    return p;
  }
  read(fd: number, _size: number): Uint8Array {
    this.calls.push(["read", fd]);
    return this.reads.shift() ?? new Uint8Array(0);
  }
  readFile(path: string): Uint8Array {
    this.calls.push(["readFile", path]);
    return new Uint8Array(0);
  }
  write(fd: number, data: Uint8Array): void {
    this.calls.push(["write", fd, [...data]]);
  }
  close(fd: number): void {
    this.calls.push(["close", fd]);
  }
  memfd(name: string): number {
    this.calls.push(["memfd", name]);
    return this.nextFd++;
  }
  writeProcFile(path: string, text: string): void {
    this.calls.push(["writeProcFile", path, text]);
  }
  runHelper(file: string, args: readonly string[]): void {
    this.calls.push(["runHelper", file, ...args]);
  }
  execImage(imageFd: number, argv: readonly string[], keepFds: readonly number[]): never {
    this.calls.push(["execImage", imageFd, [...argv], [...keepFds]]);
    throw new Error("execImage: the fake cannot exec");
  }
  spawn(bytes: Uint8Array, fds: readonly number[]): number {
    this.calls.push(["spawn", bytes.length, [...fds]]);
    return 4242;
  }
  /** The one fake child (pid 4242) once exitStatus is set. */
  peekExited(): number | null {
    return this.exitStatus === null ? null : 4242;
  }
  setDumpable(dumpable: boolean): void {
    this.calls.push(["setDumpable", dumpable]);
  }
  kill(pid: number, signal: number): void {
    this.calls.push(["kill", pid, signal]);
  }
  fdTarget(fd: number): string | null {
    this.calls.push(["fdTarget", fd]);
    return fd < 10 ? "/dev/null" : null;
  }
  setChildSubreaper(): void {
    this.calls.push(["setChildSubreaper"]);
  }
  listProcesses(): ProcessEntry[] {
    this.calls.push(["listProcesses"]);
    return this.processTables.shift() ?? [];
  }
  heardSignals(pid: number): bigint {
    this.calls.push(["heardSignals", pid]);
    return this.heard;
  }
  wait(pid: number): number {
    this.calls.push(["wait", pid]);
    return this.exitStatus ?? 0;
  }
  tryWait(pid: number): ChildExit | null {
    this.calls.push(["tryWait", pid]);
    return this.exitStatus === null ? null : { status: this.exitStatus, cpuUsec: 1500 };
  }
}

/** A 12-byte status record. */
export function statusRecord(opIndex: number, errno: number, kind: number): Uint8Array {
  const b = new Uint8Array(12);
  const v = new DataView(b.buffer);
  v.setUint32(0, opIndex, true);
  v.setInt32(4, errno, true);
  v.setUint32(8, kind, true);
  return b;
}
