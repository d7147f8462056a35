// Entry: parse the CLI, run it, render a thrown JailError once and map it to an exit code.
// A well-formed `run` line skips commander entirely (~5 ms of loading, building and parsing).
import { exactArgv } from "./cli/argv.ts";
import { parseRunFast } from "./cli/fast-argv.ts";
import { runJail } from "./cli/run-jail.ts";
import { EXIT_SETUP, JailError, renderError } from "./errors.ts";

async function main(argv: string[]): Promise<number> {
  let code = 0;
  const setExit = (c: number) => (code = c);
  try {
    const fast = parseRunFast(argv);
    if (fast !== null) {
      await runJail(fast.command, fast.opts, setExit);
    } else {
      // Help, usage errors, `check` and anything unusual: commander decides, loaded only now.
      const { buildProgram, parseProgram } = await import("./cli/program.ts");
      await parseProgram(buildProgram(setExit), argv, setExit);
    }
    return code;
  } catch (err) {
    process.stderr.write(`nsjail: ${renderError(err)}\n`);
    if (err instanceof JailError) return err.exitCode;
    if (err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return EXIT_SETUP;
  }
}

// Bun lets the process end when only a signal listener or a pending dynamic import is left,
// which is all the supervisor waits on; this timer holds the event loop until main settles.
setInterval(() => {}, 1 << 30);
main(exactArgv(process.argv.slice(2))).then((code) => process.exit(code));
