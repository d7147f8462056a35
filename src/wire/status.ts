// Stage 3 (wire): status records from the child → records, and a failed op → a SetupError.
import { commandExitCode, EXIT_SETUP, SetupError } from "../errors.ts";
import type { Plan } from "../plan/types.ts";
import { C_CONSTANTS } from "../sys/constants.ts";
import { STATUS_ERROR, STATUS_EXIT, STATUS_READY, STATUS_SECCOMP, STATUS_SIZE, STATUS_STARTED, STATUS_USAGE, STATUS_WARNING } from "./format.ts";
import { describeWaitStatus } from "./wait-status.ts";

export type StatusRecord =
  | { readonly kind: "error" | "warning"; readonly opIndex: number; readonly errno: number }
  | { readonly kind: "exit"; readonly waitStatus: number }
  | { readonly kind: "ready" | "started" }
  /** The seccomp filter killed process `pid` (in the jail's pid namespace) at syscall `nr`. */
  | { readonly kind: "seccomp"; readonly pid: number; readonly nr: number }
  /** The largest resident set of the command or any process the init reaped, in bytes. */
  | { readonly kind: "usage"; readonly maxRssBytes: number };

export function decodeStatus(bytes: Uint8Array): StatusRecord[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: StatusRecord[] = [];
  for (let at = 0; at + STATUS_SIZE <= bytes.byteLength; at += STATUS_SIZE) {
    const opIndex = view.getUint32(at, true);
    const errno = view.getInt32(at + 4, true);
    const kind = view.getUint32(at + 8, true);
    if (kind === STATUS_ERROR) out.push({ kind: "error", opIndex, errno });
    else if (kind === STATUS_WARNING) out.push({ kind: "warning", opIndex, errno });
    else if (kind === STATUS_EXIT) out.push({ kind: "exit", waitStatus: errno });
    else if (kind === STATUS_READY) out.push({ kind: "ready" });
    else if (kind === STATUS_STARTED) out.push({ kind: "started" });
    else if (kind === STATUS_SECCOMP) out.push({ kind: "seccomp", pid: opIndex, nr: errno });
    else if (kind === STATUS_USAGE) out.push({ kind: "usage", maxRssBytes: opIndex * 1024 });
  }
  return out;
}

/** Phrases a failed op through its origin: `sethostname x [hostname]: EPERM (…)`. */
export function setupError(plan: Plan, opIndex: number, errno: number): SetupError {
  const op = plan.ops[opIndex];
  if (!op) return new SetupError("plan", "plan ended without execve", "plan", errno);
  // Not an errno: a program the plan ran (exec_wait) failed with this wait status.
  const program = errno >= C_CONSTANTS.WAIT_FAILED ? describeWaitStatus(errno - C_CONSTANTS.WAIT_FAILED) : undefined;
  // Only the command's execve, and its lookup before a seccomp filter (faccessat), have
  // these op kinds; their failure exits as env(1) would.
  const isCommand = op.kind === "execve" || op.kind === "faccessat";
  return new SetupError(op.kind, op.origin.note, op.origin.path, errno, program, isCommand ? commandExitCode(errno) : EXIT_SETUP);
}
