// CLI: `nsjail run [-c FILE] [flags] [--] COMMAND…` — config → plan → jail → exit status.
import type { Command } from "commander";
import { hostContext, resolveConfig } from "../config/resolve.ts";
import { createLogger } from "../log.ts";
import { buildPlan } from "../plan/build.ts";
import { describePlan } from "../plan/describe.ts";
import { addConfigFlags, flagsToRaw } from "./flags.ts";

/** --dry-run has no real pipes yet; these stand in for the fds the ops name. */
const DRY_RUN_FDS = { statusWrite: 3, syncRead: 4, syncWrite: 5, image: 6, plan: 7 };

export function registerRun(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command("run")
    .description("run a command in a new jail")
    .option("-c, --config <file>", "TOML config file (flags override its keys)")
    .option("--dry-run", "print the plan, one op a line, and exit")
    .argument("[command...]", "the command and its arguments (put them after --)")
    .passThroughOptions();
  addConfigFlags(cmd);
  cmd.action(async (command: string[], opts: Record<string, unknown>) => {
    const host = hostContext();
    const file = typeof opts.config === "string" ? opts.config : null;
    const config = resolveConfig({ file, cli: flagsToRaw(opts), command }, host);
    const log = createLogger(config.logLevel);
    if (opts.dryRun) {
      const plan = buildPlan(config, { hostUid: host.uid, capLastCap: host.capLastCap, fds: DRY_RUN_FDS });
      process.stdout.write(`${describePlan(plan).join("\n")}\n`);
      return setExit(0);
    }
    if (host.uid === 0 && !config.unshare.has("user") && config.uid === 0) {
      log.warn("the jail runs as real root of the host (no user namespace, uid 0)");
    }
    // Loaded late: dry runs and config errors never touch the trampoline.
    const { startJail } = await import("../launch/start.ts");
    setExit(await startJail(config, host, log));
  });
}
