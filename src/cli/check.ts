// CLI: `nsjail check FILE.toml` — validate a config, print every problem, exit 2 on any.
import type { Command } from "commander";
import { readHostFacts } from "../config/host.ts";
import { resolveConfig } from "../config/resolve.ts";
import { printable, UsageError } from "../errors.ts";

export function registerCheck(program: Command, setExit: (code: number) => void): void {
  program
    .command("check")
    .description("validate a config file and print every problem with file:line and key")
    .argument("<file>", "TOML config")
    .action((file: string) => {
      if (file === "") throw new UsageError("check: the path is empty");
      resolveConfig({ file, cli: {}, command: [] }, readHostFacts());
      process.stdout.write(`${printable(file)}: ok\n`);
      setExit(0);
    });
}
