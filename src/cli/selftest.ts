// CLI: `nsjail test` — run every selftest check, print one line each, exit 1 if a required one fails.
import type { Command } from "commander";
import { CHECKS } from "../selftest/checks.ts";

export function registerSelftest(program: Command, setExit: (code: number) => void): void {
  program
    .command("test")
    .description("check what this kernel and host allow (namespaces, user maps, cgroups, seccomp)")
    .action(async () => {
      let failed = 0;
      const width = Math.max(...CHECKS.map((c) => c.name.length));
      for (const check of CHECKS) {
        const result = await check.probe();
        const mark = result.ok ? "ok  " : check.required ? "FAIL" : "no  ";
        if (!result.ok && check.required) failed++;
        const hint = result.ok ? "" : ` — ${check.hint}`;
        process.stdout.write(`${mark} ${check.name.padEnd(width)}  ${result.detail}${hint}\n`);
      }
      process.stdout.write(failed ? `${failed} required check(s) failed\n` : "all required checks passed\n");
      setExit(failed ? 1 : 0);
    });
}
