// CLI: `nsjail test` — run every selftest check, one line each (`ok|FAIL|skip  name  detail`),
// then `N passed, N failed, N skipped`; or one JSON object with --json. Exit 1 on any failure.
import type { Command } from "commander";
import { formatResult, formatSummary, runChecks } from "../selftest/check.ts";
import { CHECKS } from "../selftest/checks.ts";

export function registerSelftest(program: Command, setExit: (code: number) => void): void {
  program
    .command("test")
    .description("check what this kernel and host allow (namespaces, user maps, cgroups, seccomp)")
    .option("--json", "print one JSON object: every check with its status, detail and hint")
    .action(async (opts: { json?: boolean }) => {
      const width = Math.max(...CHECKS.map((c) => c.name.length));
      const print = opts.json ? () => {} : (name: string, r: Parameters<typeof formatResult>[1]) => process.stdout.write(`${formatResult(name, r, width)}\n`);
      const report = await runChecks(CHECKS, print);
      process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : `${formatSummary(report)}\n`);
      setExit(report.failed > 0 ? 1 : 0);
    });
}
