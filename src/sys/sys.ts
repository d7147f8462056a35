// The narrow parent-side syscall surface. launch/ and supervisor/ take a Sys, so their
// ordering and timeout logic can be tested with a recording fake (test/support/fake-sys.ts).
/** The `code` of a read error for anything but a regular file. */
export const NOT_REGULAR = "NOT_REGULAR";

export interface Pipe {
  readonly read: number;
  readonly write: number;
}

export interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  /** Dead, waiting for its parent to reap it. */
  readonly zombie: boolean;
}

/** What wait4 says of a child that ended. */
export interface ChildExit {
  /** Raw wait status. */
  readonly status: number;
  /** User and system CPU time of the child and every process it waited for, in microseconds. */
  readonly cpuUsec: number;
}

export interface Sys {
  pipe(): Pipe;
  /** Reads up to `size` bytes, blocking; an empty result is EOF. */
  read(fd: number, size: number): Uint8Array;
  write(fd: number, data: Uint8Array): void;
  /** A whole regular file of at most `maxBytes`; throws an Error whose `code` is the errno name,
   * EFBIG when it is larger, or NOT_REGULAR for a FIFO, device or directory (opened without
   * blocking, so a FIFO cannot hang the read). */
  readFile(path: string, maxBytes: number): Uint8Array;
  close(fd: number): void;
  /** A CLOEXEC memfd holding `data`, sealed against any change (the plan the jail reads). */
  memfd(name: string, data: Uint8Array): number;
  /** Writes a whole /proc file in one write(2), as the kernel wants for id maps. */
  writeProcFile(path: string, text: string): void;
  /** Runs a setuid helper such as newuidmap to completion; throws with its stderr. */
  runHelper(file: string, args: readonly string[]): void;
  /** execveat() of the sealed image in this very process, keeping `keepFds` open across it.
   * Returns only by throwing. */
  execImage(imageFd: number, argv: readonly string[], keepFds: readonly number[]): never;
  /** Clones the jail to run the encoded plan; `fds` holds one number per fd slot (-1 = none).
   * Returns the pid once the child has exec'd the setup image (or died). */
  spawn(bytes: Uint8Array, fds: readonly number[]): number;
  kill(pid: number, signal: number): void;
  /** What /proc/self/fd/FD points at, or null when the fd is not open. */
  fdTarget(fd: number): string | null;
  /** prctl(PR_SET_CHILD_SUBREAPER): orphans of our descendants become our children. */
  setChildSubreaper(): void;
  /** Every process, read from /proc. */
  listProcesses(): ProcessEntry[];
  /** Which signals `pid` catches or blocks, as a mask with bit N-1 for signal N: a PID 1
   * receives from outside its pid namespace only what it catches or blocks. */
  heardSignals(pid: number): bigint;
  /** prctl(PR_SET_DUMPABLE): whether processes of our uid may ptrace us. */
  setDumpable(dumpable: boolean): void;
  /** Blocking wait for one child that is known to be exiting: its raw wait status. */
  wait(pid: number): number;
  /** The pid of some child that has exited, left unreaped (waitid WNOWAIT); null if none. */
  peekExited(): number | null;
  /** Non-blocking wait for one child: how it ended, or null while it runs. */
  tryWait(pid: number): ChildExit | null;
}
