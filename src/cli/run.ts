// CLI: `nsjail run [-c FILE] [flags] [--] COMMAND…` registered with commander. main.ts parses
// well-formed run lines without commander (fast-argv.ts); both end in runCommand().
import type { Command } from "commander";
import { RUN_OPTIONS } from "./flag-table.ts";
import { addConfigFlags, notEndOfOptions } from "./flags.ts";
import { runCommand } from "./run-jail.ts";

export function registerRun(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command("run")
    .description("run a command in a new jail")
    .argument("[command...]", "the command and its arguments (put them after --)")
    .passThroughOptions();
  for (const o of RUN_OPTIONS) {
    const value = o.placeholder === null ? "" : ` <${o.placeholder}>`;
    const flags = `${o.short === null ? "" : `${o.short}, `}${o.long}${value}`;
    if (o.placeholder === null) cmd.option(flags, o.doc);
    else cmd.option(flags, o.doc, notEndOfOptions);
  }
  addConfigFlags(cmd);
  cmd.action((command: string[], opts: Record<string, unknown>) => runCommand(command, opts, setExit));
}
