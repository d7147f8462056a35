// CLI: `nsjail version` and `nsjail --version`: what this binary is — version, the commit it
// was built from (scripts/build.ts embeds it), the Bun it runs on, and the architectures.
import type { Command } from "commander";
import { COMMIT } from "../../build/version.gen.ts";
import { version } from "../../package.json";
import { SYSCALLS } from "../sys/constants.ts";

export function versionText(): string {
  const arch = process.arch === "arm64" ? "aarch64" : process.arch === "x64" ? "x86_64" : process.arch;
  return [
    `nsjail ${version} (commit ${COMMIT})`,
    `Bun ${Bun.version}, built for linux ${arch}`,
    `architectures: ${Object.keys(SYSCALLS).join(", ")}`,
  ].join("\n");
}

export function registerVersion(program: Command, setExit: (code: number) => void): void {
  program.version(versionText(), "-V, --version", "print the version, commit, Bun version and architectures");
  program
    .command("version")
    .description("print the version, commit, Bun version and architectures")
    .action(() => {
      process.stdout.write(`${versionText()}\n`);
      setExit(0);
    });
}
