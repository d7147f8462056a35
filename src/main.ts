// Entry: parse the CLI, run it, render a thrown JailError once and map it to an exit code.
// A well-formed `run` line skips commander entirely (~5 ms of loading, building and parsing).
import { exactArgv } from "./cli/argv.ts";
import { parseRunFast } from "./cli/fast-argv.ts";
import { runCommand } from "./cli/run-jail.ts";
import { EXIT_SETUP, JailError, renderError } from "./errors.ts";
import { writeFailure } from "./log.ts";

async function main(argv: string[]): Promise<number> {
  let code = 0;
  const setExit = (c: number) => (code = c);
  try {
    const fast = parseRunFast(argv);
    if (fast !== null) {
      await runCommand(fast.command, fast.opts, setExit);
    } else {
      // Help, usage errors, `check` and anything unusual: commander decides, loaded only now.
      const { buildProgram, parseProgram } = await import("./cli/program.ts");
      await parseProgram(buildProgram(setExit), argv, setExit);
    }
    return code;
  } catch (err) {
    const text = renderError(err);
    if (err instanceof JailError) {
      writeFailure(text);
      return err.exitCode;
    }
    // Not ours: a resource limit hit inside Bun (one line naming the limit), or a bug (the stack).
    const limit = LIMITS.find(([pattern]) => pattern.test(text))?.[1];
    writeFailure(limit ? `${text} — ${limit}` : text);
    if (!limit) writeStderr(`${err instanceof Error ? (err.stack ?? "") : ""}\n`);
    return EXIT_SETUP;
  }
}

/** What a failure inside Bun (dlopen, allocation) says when a resource limit is the cause. */
const LIMITS: readonly (readonly [RegExp, string])[] = [
  [/too many open files/i, "the open-file limit (ulimit -n) is too low"],
  [/cannot allocate memory|out of memory|failed to map segment/i, "the address-space limit (ulimit -v) is too low: Bun reserves a few GB of it"],
  [/cannot load the C library/i, "is the address-space limit (ulimit -v) too low? Bun reserves a few GB of it"],
  [/resource temporarily unavailable/i, "the process limit (ulimit -u) is reached"],
];

const STDERR = 2;

/** Straight to fd 2: at the open-file limit Bun's stderr stream, which dups fd 2, loses the line. */
function writeStderr(text: string): void {
  (require("node:fs") as typeof import("node:fs")).writeSync(STDERR, text);
}

// Bun lets the process end when only a signal listener or a pending dynamic import is left,
// which is all the supervisor waits on; this timer holds the event loop until main settles.
setInterval(() => {}, 1 << 30);
main(exactArgv(process.argv.slice(2))).then((code) => process.exit(code));
