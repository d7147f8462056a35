// CLI: commander wiring only. Each subcommand lives in its own file.
import { Command } from "commander";
import { registerCheck } from "./check.ts";
import { registerRun } from "./run.ts";

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command("nsjail")
    .description("Run a command in new Linux namespaces, described by a TOML file or flags")
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();
  registerRun(program, setExit);
  registerCheck(program, setExit);
  return program;
}
