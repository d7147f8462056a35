// Stage 5 (supervisor): the respawn policy — after a jail's end, respawn now, respawn after
// a backoff, leave it stopped, or mark it failed. Pure: time comes in as a number, so `run`
// and the emperor share it and tests drive it by hand.
import type { RestartConfig } from "../config/model.ts";

export type RestartDecision =
  | { readonly kind: "respawn"; readonly delayMs: number }
  | { readonly kind: "stop" }
  /** Too many failures within the window: leave it stopped until someone changes it. */
  | { readonly kind: "failed"; readonly failures: number };

/** A failure is any end but exit code 0: a non-zero code, a signal, a setup error. */
export function isFailure(exitCode: number): boolean {
  return exitCode !== 0;
}

export class RestartPolicy {
  /** When each failure within the window happened (ms), oldest first. */
  private failures: number[] = [];

  constructor(private readonly config: RestartConfig) {}

  /** Decides what follows an end with nsjail's `exitCode` at time `nowMs`. */
  onExit(exitCode: number, nowMs: number): RestartDecision {
    const { mode, delayMs, maxDelayMs, maxFailures, windowS } = this.config;
    const failed = isFailure(exitCode);
    if (mode === "never" || (mode === "on-failure" && !failed)) return { kind: "stop" };
    if (!failed) {
      this.failures = []; // a clean run ends the streak: no backoff
      return { kind: "respawn", delayMs: 0 };
    }
    const since = nowMs - windowS * 1000;
    this.failures = this.failures.filter((t) => t > since);
    this.failures.push(nowMs);
    const n = this.failures.length;
    if (n >= maxFailures) return { kind: "failed", failures: n };
    // delay · 2^(n-1), capped; the exponent is bounded so the number never overflows.
    return { kind: "respawn", delayMs: Math.min(maxDelayMs, delayMs * 2 ** Math.min(n - 1, 40)) };
  }

  /** A new config or an operator's start: the jail gets a clean slate. */
  reset(): void {
    this.failures = [];
  }

  /** Failures counted in the current window. */
  get recentFailures(): number {
    return this.failures.length;
  }
}
