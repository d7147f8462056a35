// Stage 1 (config): the validated, fully defaulted jail description, and the vocabularies it
// is written in (namespaces, log levels). Nothing after config/validate.ts sees TOML keys,
// user strings that still need parsing, or undefined.
import type { FsConfig } from "./fs/model.ts";

export const NAMESPACES = ["fs", "ipc", "pid", "uts", "net", "user", "cgroup", "time"] as const;
export type Namespace = (typeof NAMESPACES)[number];

/** argv and envp strings together that the jail's execve can take: the trampoline builds both
 * pointer arrays on its small stack (plan/ops.ts hands this limit to the C side). */
export const MAX_EXEC_STRINGS = 4096;

/** One line of /proc/PID/uid_map or gid_map: `inside outside count`. */
export interface IdMap {
  readonly inside: number;
  readonly outside: number;
  readonly count: number;
}

/** Least to most severe; the logger ranks messages by their place here. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface JailConfig {
  /** The TOML file this came from, or null for a CLI-only jail. */
  readonly source: string | null;
  /** argv of the jailed command; command[0] is a path or a name looked up in PATH inside. */
  readonly command: readonly string[];
  /** Namespaces to create; `user` is already added when the caller is not root. */
  readonly unshare: ReadonlySet<Namespace>;
  /** Ids the command runs as, inside the jail. */
  readonly uid: number;
  readonly gid: number;
  /** Empty unless `user` is unshared; then never empty (defaults map uid/gid to the caller). */
  readonly uidMap: readonly IdMap[];
  readonly gidMap: readonly IdMap[];
  readonly hostname: string | null;
  readonly domainname: string | null;
  /** Working directory inside the jail. */
  readonly chdir: string;
  /** Final environment of the command, in order. */
  readonly env: readonly (readonly [string, string])[];
  /** Seconds before SIGKILL; 0 means no limit. */
  readonly timeLimit: number;
  /** Run the command itself as PID 1 instead of the small init. */
  readonly asPid1: boolean;
  /** Replace nsjail with the jail: no supervising parent stays behind. */
  readonly exec: boolean;
  /** Extra fds (beyond 0, 1, 2) that cross into the jail, sorted, unique. */
  readonly passFds: readonly number[];
  /** Capability numbers kept in every set (bounding, permitted, effective, inheritable, ambient). */
  readonly caps: readonly number[];
  readonly logLevel: LogLevel;
  /** The jail's root, mounts and hooks; NO_FS (config/schema/fs.ts) without such keys. */
  readonly fs: FsConfig;
}
