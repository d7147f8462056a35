// Stage 1 (config): the validated, fully defaulted jail description, and the vocabularies it
// is written in (namespaces, log levels). Nothing after config/validate.ts sees TOML keys,
// user strings that still need parsing, or undefined.
import type { FsConfig } from "./fs/model.ts";
import type { LimitsSpec } from "./limits-model.ts";
import type { SeccompPolicy } from "./seccomp.ts";

export const NAMESPACES = ["fs", "ipc", "pid", "uts", "net", "user", "cgroup", "time"] as const;
export type Namespace = (typeof NAMESPACES)[number];

/** argv and envp strings together that the jail's execve can take: the trampoline builds both
 * pointer arrays on its small stack (plan/ops.ts hands this limit to the C side). */
export const MAX_EXEC_STRINGS = 4096;
/** Groups a setgroups op takes (gid and the supplementary ones): the trampoline copies them
 * onto its stack. */
export const MAX_GROUPS = 64;

/** One line of /proc/PID/uid_map or gid_map: `inside outside count`. */
export interface IdMap {
  readonly inside: number;
  readonly outside: number;
  readonly count: number;
}

/** Least to most severe; the logger ranks messages by their place here. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ["text", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** When a jail is respawned after its command ends (src/supervisor/restart.ts decides). */
export const RESTART_MODES = ["never", "on-failure", "always"] as const;
export type RestartMode = (typeof RESTART_MODES)[number];

export interface RestartConfig {
  readonly mode: RestartMode;
  /** Backoff after the first failure, doubled per failure in the window, capped at maxDelayMs. */
  readonly delayMs: number;
  readonly maxDelayMs: number;
  /** This many failures within windowS seconds: the jail is failed and left stopped. */
  readonly maxFailures: number;
  readonly windowS: number;
}

/** The setns socket a running jail serves its namespaces on (config/schema/setns.ts). */
export interface SetnsSocket {
  /** null: no socket (the other fields are then unused). */
  readonly path: string | null;
  /** Serve the namespace fds opened once at start, not at each connection. */
  readonly preopen: boolean;
  readonly skip: ReadonlySet<Namespace>;
  /** What is sent: the unshared namespaces minus `skip`, in NAMESPACES order. */
  readonly kinds: readonly Namespace[];
  /** Peers allowed besides nsjail's own uid and root. */
  readonly allowUids: readonly number[];
  readonly allowGids: readonly number[];
}

export interface JailConfig {
  /** The TOML file this came from, or null for a CLI-only jail. */
  readonly source: string | null;
  /** The profile the jail started from (`strict`, or a file of keys), or null. */
  readonly profile: string | null;
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
  /** Seconds before SIGTERM; 0 means no limit. */
  readonly timeLimit: number;
  /** Seconds from the time limit's SIGTERM to SIGKILL; 0: SIGKILL at once. */
  readonly killAfter: number;
  /** Run the command itself as PID 1 instead of the small init. */
  readonly asPid1: boolean;
  /** Replace nsjail with the jail: no supervising parent stays behind. */
  readonly exec: boolean;
  /** Extra fds (beyond 0, 1, 2) that cross into the jail, sorted, unique. */
  readonly passFds: readonly number[];
  /** Capability numbers kept in every set (bounding, permitted, effective, inheritable, ambient). */
  readonly caps: readonly number[];
  readonly logLevel: LogLevel;
  /** Supplementary groups inside the jail besides gid, unique; empty: setgroups([gid]) where
   * allowed. */
  readonly groups: readonly number[];
  /** cgroup limits, rlimits, nice level and CPU affinity; NO_LIMITS when none are given. */
  readonly limits: LimitsSpec;
  /** The command's syscall filter, or null for none. */
  readonly seccomp: SeccompPolicy | null;
  /** Where the exit record goes: an inherited fd and/or a file appended to; null: nowhere. */
  readonly statusFd: number | null;
  readonly statusFile: string | null;
  readonly restart: RestartConfig;
  /** Seconds between SIGTERM and SIGKILL when nsjail stops the jail gracefully. */
  readonly stopTimeout: number;
  readonly logFormat: LogFormat;
  readonly setns: SetnsSocket;
  /** A new pseudo-terminal is the command's controlling terminal and stdio; nsjail relays it. */
  readonly pty: boolean;
  /** The command gets a notify socket of its own; nsjail passes its messages on to systemd. */
  readonly notifySocket: boolean;
  /** Socket activation: fds 3 … 3 + N - 1 passed to nsjail go on to the command (in
   * passFds, with LISTEN_FDS in env); the command's own pid becomes LISTEN_PID. 0: none. */
  readonly listenFds: number;
  /** The jail's root, mounts and hooks; NO_FS (config/schema/fs.ts) without such keys. */
  readonly fs: FsConfig;
}
