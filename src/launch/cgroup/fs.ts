// Stage 5 (launch): what the cgroup manager may touch — cgroup files and the processes in
// them — behind one small interface, so the v1 and v2 logic runs on a fake tree in unit tests.
import { SyscallError } from "../../errors.ts";

/** Errnos the manager tells apart; every other one becomes part of an error message. */
export const ERRNO = { EPERM: 1, ENOENT: 2, EACCES: 13, EBUSY: 16, EEXIST: 17, EROFS: 30 } as const;

/** Every method throws a SyscallError naming the call, the path and the errno. */
export interface CgroupFs {
  /** A whole file as text. */
  read(path: string): string;
  /** One write(2) of `text`: a cgroup file takes one value per write. */
  write(path: string, text: string): void;
  mkdir(path: string): void;
  rmdir(path: string): void;
  /** Names of the subdirectories of `path` (child cgroups). */
  list(path: string): string[];
  exists(path: string): boolean;
}

export interface CgroupEnv {
  readonly fs: CgroupFs;
  /** nsjail's own pid: it names the jails' cgroups, and it is what moves into a leaf. */
  readonly pid: number;
  /** nsjail's uid, for the delegation hint. */
  readonly uid: number;
  /** Sends `signal`; a process that is already gone is not an error. */
  kill(pid: number, signal: number): void;
  isAlive(pid: number): boolean;
  /** Blocks for `ms`: used only while killed processes finish exiting. */
  sleep(ms: number): void;
  warn(message: string): void;
}

export function errnoOf(err: unknown): number | null {
  return err instanceof SyscallError ? err.errno : null;
}

/** The file's text, or `fallback` when it does not exist. */
export function readOr(fs: CgroupFs, path: string, fallback: string): string {
  try {
    return fs.read(path);
  } catch (err) {
    if (errnoOf(err) === ERRNO.ENOENT) return fallback;
    throw err;
  }
}

/** Whitespace-separated words, as cgroup.controllers and cgroup.procs list them. */
export function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== "");
}

/** The value after `key` in a flat-keyed file (memory.events, cpu.stat, memory.oom_control). */
export function keyedValue(text: string, key: string): number | null {
  for (const line of text.split("\n")) {
    const [k, v] = line.trim().split(/\s+/);
    if (k === key && v !== undefined && /^\d+$/.test(v)) return Number(v);
  }
  return null;
}
