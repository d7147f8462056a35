// Stage 3 (wire): raw wait statuses, as the kernel and the init report them → exit codes and words.
import { signalName } from "../sys/signals.ts";

/** The command's code, or 128+N when signal N killed it (bash, bwrap and nsjail agree). */
export function exitCodeOf(waitStatus: number): number {
  const signal = waitStatus & 0x7f;
  return signal === 0 ? (waitStatus >> 8) & 0xff : 128 + signal;
}

/** What ended a process, as facts: its exit code, or the signal that killed it. */
export function waitFacts(waitStatus: number): { readonly code: number | null; readonly signal: string | null } {
  const signal = waitStatus & 0x7f;
  return signal === 0 ? { code: (waitStatus >> 8) & 0xff, signal: null } : { code: null, signal: signalName(signal) };
}

export function describeWaitStatus(waitStatus: number): string {
  const { code, signal } = waitFacts(waitStatus);
  return signal === null ? `exited with ${code}` : `killed by ${signal}`;
}
