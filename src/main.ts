// Entry: build the CLI, run it, render a thrown JailError once and map it to an exit code.
import { CommanderError } from "commander";
import { buildProgram } from "./cli/program.ts";
import { EXIT_SETUP, EXIT_USAGE, JailError, renderError } from "./errors.ts";

async function main(argv: string[]): Promise<number> {
  let code = 0;
  try {
    await buildProgram((c) => (code = c)).parseAsync(argv, { from: "user" });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
    process.stderr.write(`nsjail: ${renderError(err)}\n`);
    if (err instanceof JailError) return err.exitCode;
    if (err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return EXIT_SETUP;
  }
}

// Bun lets the process end when only a signal listener or a pending dynamic import is left,
// which is all the supervisor waits on; this timer holds the event loop until main settles.
setInterval(() => {}, 1 << 30);
main(process.argv.slice(2)).then((code) => process.exit(code));
