// `nsjail test`: what a check is, how the list runs and how its report reads. A check is
// data — a name, the checks it needs, a probe — and a probe says ok, fail (with a hint) or
// skip (the check does not apply here, with the reason).

export type CheckStatus = "ok" | "fail" | "skip";

export interface CheckResult {
  readonly status: CheckStatus;
  readonly detail: string;
  /** What to do about a failure or a skip. */
  readonly hint?: string;
}

export interface Check {
  readonly name: string;
  /** Names of checks that must pass first; when one did not, this one is skipped. */
  readonly needs?: readonly string[];
  probe(): Promise<CheckResult>;
}

export const ok = (detail: string): CheckResult => ({ status: "ok", detail });
export const fail = (detail: string, hint?: string): CheckResult => (hint === undefined ? { status: "fail", detail } : { status: "fail", detail, hint });
export const skip = (detail: string, hint?: string): CheckResult => (hint === undefined ? { status: "skip", detail } : { status: "skip", detail, hint });

export interface CheckReport {
  readonly checks: readonly (CheckResult & { readonly name: string })[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** Runs `checks` one after another (each may start jails); `onResult` hears each as it ends. */
export async function runChecks(checks: readonly Check[], onResult: (name: string, r: CheckResult) => void = () => {}): Promise<CheckReport> {
  const results: (CheckResult & { name: string })[] = [];
  const status = new Map<string, CheckStatus>();
  for (const check of checks) {
    const missing = (check.needs ?? []).filter((n) => status.get(n) !== "ok");
    let r: CheckResult;
    try {
      r = missing.length > 0 ? skip(`needs ${missing.join(", ")}`) : await check.probe();
    } catch (err) {
      r = fail(err instanceof Error ? err.message : String(err));
    }
    status.set(check.name, r.status);
    results.push({ name: check.name, ...r });
    onResult(check.name, r);
  }
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  return { checks: results, passed: count("ok"), failed: count("fail"), skipped: count("skip") };
}

const MARK: Readonly<Record<CheckStatus, string>> = { ok: "ok  ", fail: "FAIL", skip: "skip" };

/** `ok    namespace user  user` — the name padded to `width`, the hint after a dash. */
export function formatResult(name: string, r: CheckResult, width: number): string {
  return `${MARK[r.status]}  ${name.padEnd(width)}  ${r.detail}${r.hint === undefined ? "" : ` — ${r.hint}`}`;
}

export function formatSummary(report: CheckReport): string {
  return `${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`;
}
