// Stage 6 (supervisor): the exit record — one JSON object per jail when it ends, for
// `status_fd` / `status_file` (docs/exit-record.md). Pure: how the jail ended, what its cgroup
// counted and the wall time in; the record out. The reason is keyed on the supervisor's verdict.
import { errnoName } from "../errno.ts";
import { EXIT_SETUP, JailError, SetupError, SyscallError } from "../errors.ts";
import type { CgroupUsage } from "../launch/cgroup/limits.ts";
import { C_CONSTANTS } from "../sys/constants.ts";
import type { JailEnd } from "./supervisor.ts";

export type ExitReason = "exited" | "signaled" | "timeout" | "oom" | "seccomp" | "setup_failed";

export interface ExitRecord {
  readonly reason: ExitReason;
  /** The command's exit code, or null when a signal ended it (or it never ran). */
  readonly exit_code: number | null;
  /** The signal that ended the command, e.g. "SIGKILL", or null. */
  readonly signal: string | null;
  /** What nsjail itself exits with. */
  readonly nsjail_exit: number;
  /** reason seccomp: the syscall the filter killed the command at, when the jail's init knows it. */
  readonly syscall: string | null;
  /** reason setup_failed: the failing op, its config key, the errno, and the error line. */
  readonly setup: { readonly op: string | null; readonly key: string | null; readonly errno: string | null; readonly message: string } | null;
  /** reason timeout: the last signal the time limit sent — "SIGTERM" when the jail ended on
   * it (nsjail exits 124), "SIGKILL" when it outlived the grace or there was none (137). */
  readonly timeout_signal: "SIGTERM" | "SIGKILL" | null;
  /** Host pid of the jail's first process; null when it was never started. */
  readonly pid: number | null;
  readonly wall_time_s: number;
  /** CPU time of the whole jail: the cgroup's, else wait4's (every process the jail reaped). */
  readonly cpu_time_s: number | null;
  /** Peak memory: the cgroup's (all processes together), else the largest single process's
   * RSS as the jail's init saw it; null with neither. */
  readonly memory_peak_bytes: number | null;
  /** OOM kills the memory cgroup counted; null without one. */
  readonly oom_kills: number | null;
}

export interface JailOutcome {
  /** How the jail ended; null when setup failed first. */
  readonly end: JailEnd | null;
  /** What stopped the setup, when it did. */
  readonly failure: unknown;
  readonly pid: number | null;
  readonly usage: CgroupUsage | null;
  readonly wallMs: number;
  /** A SIGSYS death means the filter (the jail has one with kill or trap actions). */
  readonly filtered: boolean;
  /** The syscall number → name of nsjail's architecture, for the seccomp reason. */
  readonly syscallName: (nr: number) => string | null;
}

const SIGNALS = [
  "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
  "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
  "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
];
const SIGSYS = 31;
const SIGRTMIN = 34;

function signalName(n: number): string {
  return SIGNALS[n - 1] ?? (n >= SIGRTMIN ? `SIGRTMIN+${n - SIGRTMIN}` : `SIG${n}`);
}

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

function setupOf(failure: unknown): ExitRecord["setup"] {
  const message = failure instanceof Error ? failure.message.split("\n")[0]! : String(failure);
  if (failure instanceof SetupError) {
    // 0 (a host hook's own reason) and WAIT_FAILED up (a hook program's exit) are no errno.
    const isErrno = failure.errno > 0 && failure.errno < C_CONSTANTS.WAIT_FAILED;
    return { op: failure.op, key: failure.origin, errno: isErrno ? errnoName(failure.errno) : null, message };
  }
  const errno = failure instanceof SyscallError ? errnoName(failure.errno) : null;
  return { op: failure instanceof SyscallError ? failure.syscall : null, key: null, errno, message };
}

/** 255, or 127/126 for a command that was not found or cannot be executed. */
function exitOfFailure(failure: unknown): number {
  return failure instanceof JailError ? failure.exitCode : EXIT_SETUP;
}

function reasonOf(end: JailEnd, status: number, o: JailOutcome): ExitReason {
  const signal = status & 0x7f;
  if (end.verdict?.kind === "time_limit") return "timeout";
  if (o.filtered && signal === SIGSYS) return "seccomp";
  if ((o.usage?.oomKills ?? 0) > 0 && status !== 0) return "oom";
  return signal === 0 ? "exited" : "signaled";
}

export function exitRecordOf(o: JailOutcome): ExitRecord {
  const wall_time_s = round(o.wallMs / 1000, 3);
  const oom_kills = o.usage?.oomKills ?? null;
  if (o.end === null) {
    return {
      reason: "setup_failed", exit_code: null, signal: null, nsjail_exit: exitOfFailure(o.failure), syscall: null, setup: setupOf(o.failure), timeout_signal: null,
      pid: o.pid, wall_time_s, cpu_time_s: null, memory_peak_bytes: null, oom_kills,
    };
  }
  const end = o.end;
  // The command's own status when its init reported it; the first process's otherwise.
  const status = end.commandStatus ?? end.exit.status;
  const signal = status & 0x7f;
  const reason = reasonOf(end, status, o);
  const lastKill = end.seccompKills.at(-1);
  return {
    reason,
    exit_code: signal === 0 ? (status >> 8) & 0xff : null,
    signal: signal === 0 ? null : signalName(signal),
    nsjail_exit: end.code,
    syscall: reason === "seccomp" && lastKill !== undefined ? o.syscallName(lastKill.nr) : null,
    setup: null,
    timeout_signal: end.verdict?.kind === "time_limit" ? end.verdict.sent : null,
    pid: o.pid,
    wall_time_s,
    cpu_time_s: round((o.usage?.cpuUsec ?? end.exit.cpuUsec) / 1e6, 6),
    memory_peak_bytes: o.usage?.memoryPeak ?? end.maxRssBytes,
    oom_kills,
  };
}
