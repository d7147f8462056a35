// CLI: `nsjail check FILE.toml…` — validate configs, print every problem in line order, exit 2
// on any. A file without `command` is a profile (a command comes after `--` when it runs).
import type { Command } from "commander";
import { readHostFacts, type HostFacts } from "../config/host.ts";
import { resolveConfig } from "../config/resolve.ts";
import { ConfigError, EXIT_USAGE, printable, renderError, UsageError } from "../errors.ts";
import { writeFailure } from "../log.ts";

type Checked = { readonly file: string; readonly profile: boolean } | { readonly file: string; readonly error: ConfigError };

function checkFile(file: string, host: HostFacts): Checked {
  try {
    return { file, profile: resolveConfig({ file, cli: {}, command: [], profile: true }, host).command.length === 0 };
  } catch (err) {
    if (err instanceof ConfigError) return { file, error: err };
    throw err;
  }
}

/** One file as JSON: a problem of the file itself (unreadable, not TOML) has no key. */
function toJson(c: Checked): object {
  if (!("error" in c)) return { file: c.file, ok: true, profile: c.profile, problems: [], omitted: 0 };
  const problems = c.error.issues.map((i) => ({ line: i.line ?? null, key: c.error.file === null ? null : i.path, message: i.message }));
  return { file: c.file, ok: false, profile: false, problems, omitted: c.error.omitted };
}

export function registerCheck(program: Command, setExit: (code: number) => void): void {
  program
    .command("check")
    .description("validate config files and print every problem with file:line and key")
    .argument("<file...>", "TOML config files")
    .option("--json", "print one JSON object: every file with its problems")
    .action((files: string[], opts: { json?: boolean }) => {
      if (files.includes("")) throw new UsageError("check: the path is empty");
      const host = readHostFacts();
      const results = files.map((file) => checkFile(file, host));
      const failed = results.some((c) => "error" in c);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ ok: !failed, files: results.map(toJson) })}\n`);
      } else {
        for (const c of results) {
          if ("error" in c) writeFailure(renderError(c.error));
          else process.stdout.write(`${printable(c.file)}: ok${c.profile ? " (a profile: no command, give one after -- when running it)" : ""}\n`);
        }
      }
      setExit(failed ? EXIT_USAGE : 0);
    });
}
