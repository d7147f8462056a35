// CLI: `nsjail completion bash|zsh|fish` — the shell's completion script, rendered from the
// command line itself (completion/surface.ts), whose options come from the config schema.
import { Argument, type Command } from "commander";
import { bashCompletion } from "./completion/bash.ts";
import { fishCompletion } from "./completion/fish.ts";
import { cliSurface, type OptionSurface, type VerbSurface } from "./completion/surface.ts";
import { zshCompletion } from "./completion/zsh.ts";

export const SHELLS: Readonly<Record<string, (verbs: readonly VerbSurface[], global: readonly OptionSurface[]) => string>> = {
  bash: bashCompletion,
  zsh: zshCompletion,
  fish: fishCompletion,
};

export function registerCompletion(program: Command, setExit: (code: number) => void): void {
  program
    .command("completion")
    .description("print a completion script for bash, zsh or fish")
    .addArgument(new Argument("<shell>", "the shell").choices(Object.keys(SHELLS)))
    .action((shell: string) => {
      const { verbs, options } = cliSurface(program);
      process.stdout.write(SHELLS[shell]!(verbs, options));
      setExit(0);
    });
}
