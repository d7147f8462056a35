// CLI: commander wiring only. Each subcommand lives in its own file. main.ts loads this module
// only when the fast path (fast-argv.ts) declines the command line: help, errors, `check`.
import { Command, CommanderError } from "commander";
import { nodeReadFile } from "../config/read-file.ts";
import { EXIT_USAGE } from "../errors.ts";
import { registerCheck } from "./check.ts";
import { registerCompletion } from "./completion.ts";
import { registerEmperor } from "./emperor.ts";
import { registerJoin } from "./join.ts";
import { registerRun } from "./run.ts";
import { refuseSecureExec } from "./secure-exec.ts";
import { registerSelftest } from "./selftest.ts";
import { registerVersion } from "./version.ts";

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command("nsjail")
    .description("Run a command in new Linux namespaces, described by a TOML file or flags")
    .enablePositionalOptions()
    .exitOverride();
  registerRun(program, setExit);
  registerCheck(program, setExit);
  registerEmperor(program, setExit);
  registerJoin(program, setExit);
  registerSelftest(program, setExit);
  registerVersion(program, setExit);
  registerCompletion(program, setExit);
  for (const cmd of [program, ...program.commands]) {
    const name = cmd === program ? "nsjail" : `nsjail ${cmd.name()}`;
    cmd.configureOutput({ outputError: (text, write) => write(usageLine(text, name)) });
  }
  return program;
}

/** Commander's error (`error: unknown option '--hostnme'\n(Did you mean --hostname?)`) as
 * one line with a pointer to the help, not the whole help text. */
function usageLine(text: string, command: string): string {
  const message = text.trim().replace(/^error: /, "").replace(/\s*\n\s*\(Did you mean (.*)\?\)/, " (did you mean $1?)").replace(/\s*\n\s*/g, " ");
  return `nsjail: ${message} — try '${command} --help'\n`;
}

/** Parses and runs `argv`; commander's own exits (help, usage errors) become exit codes here. */
export async function parseProgram(program: Command, argv: readonly string[], setExit: (code: number) => void): Promise<void> {
  refuseSecureExec(nodeReadFile);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (err) {
    // exitOverride() turns --help into a CommanderError with exit code 0; anything else is usage.
    if (!(err instanceof CommanderError)) throw err;
    setExit(err.exitCode === 0 ? 0 : EXIT_USAGE);
  }
}
