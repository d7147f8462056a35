// CLI: the `run` action: parsed options + command → config → the plan (--dry-run) or the
// jail → exit status. Called by commander (run.ts) and by the fast path (fast-argv.ts) alike.
import { readHostFacts } from "../config/host.ts";
import { resolveConfig } from "../config/resolve.ts";
import { hostRootWarning } from "../config/schema/ids.ts";
import { printable, UsageError } from "../errors.ts";
import { planDigest, planSize, prepareJail, runJail } from "../jail.ts";
import { createLogger, setLogFormat } from "../log.ts";
import { flagsToRaw } from "./flags-to-raw.ts";
import { refuseSecureExec } from "./secure-exec.ts";

const STDERR = 2;

/** `opts` is shaped like commander's opts(): attribute names (`dryRun`, `asPid1`) → values. */
export async function runCommand(command: string[], opts: Record<string, unknown>, setExit: (code: number) => void): Promise<void> {
  // The raw-syscall layer comes first: its file reader spares the start path node:fs.
  const { linuxSys } = await import("../sys/linux-sys.ts");
  refuseSecureExec(linuxSys.readFile);
  const host = readHostFacts(linuxSys.readFile);
  const file = typeof opts.config === "string" ? opts.config : null;
  if (file === "") throw new UsageError("--config: the path is empty");
  if (opts.json && !opts.dryRun) throw new UsageError("--json: only with --dry-run");
  const config = resolveConfig({ file, cli: flagsToRaw(opts), command }, host, linuxSys.readFile);
  setLogFormat(config.logFormat);
  // Lines go out through the raw-syscall layer, so logging loads no node:fs on this path;
  // with stderr gone there is nowhere to say so, and the jail goes on.
  const toStderr = (line: string) => {
    try {
      linuxSys.write(STDERR, new TextEncoder().encode(line));
    } catch {}
  };
  const log = createLogger(config.logLevel, toStderr);
  const jail = prepareJail(config, host);
  if (opts.dryRun) {
    const { describePlan, planJson } = await import("../plan/describe.ts");
    const text = opts.json ? JSON.stringify({ ...planJson(jail.plan), digest: planSize(jail) }) : `${describePlan(jail.plan).map(printable).join("\n")}\n${planDigest(jail)}`;
    // Straight to fd 1: process.exit() would cut a large plan short in Bun's stdout buffer.
    linuxSys.write(1, new TextEncoder().encode(`${text}\n`));
    return setExit(0);
  }
  const warning = hostRootWarning(config, host);
  if (warning !== null) log.warn(warning);
  setExit(await runJail(jail, host, log));
}
