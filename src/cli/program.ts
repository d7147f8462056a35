// CLI: commander wiring only. Each subcommand lives in its own file. main.ts loads this module
// only when the fast path (fast-argv.ts) declines the command line: help, errors, `check`.
import { Command, CommanderError } from "commander";
import { EXIT_USAGE } from "../errors.ts";
import { registerCheck } from "./check.ts";
import { registerJoin } from "./join.ts";
import { registerRun } from "./run.ts";
import { registerSelftest } from "./selftest.ts";

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command("nsjail")
    .description("Run a command in new Linux namespaces, described by a TOML file or flags")
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();
  registerRun(program, setExit);
  registerCheck(program, setExit);
  registerJoin(program, setExit);
  registerSelftest(program, setExit);
  return program;
}

/** Parses and runs `argv`; commander's own exits (help, usage errors) become exit codes here. */
export async function parseProgram(program: Command, argv: readonly string[], setExit: (code: number) => void): Promise<void> {
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (err) {
    // exitOverride() turns --help into a CommanderError with exit code 0; anything else is usage.
    if (!(err instanceof CommanderError)) throw err;
    setExit(err.exitCode === 0 ? 0 : EXIT_USAGE);
  }
}
