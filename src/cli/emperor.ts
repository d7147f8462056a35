// CLI: `nsjail emperor DIR` supervises a directory of jails; `nsjail emperor status|stop|
// start|reload [NAME]` talk to a running emperor through its control socket.
import type { Command } from "commander";
import { readHostFacts } from "../config/host.ts";
import { UsageError } from "../errors.ts";

const ACTIONS = ["status", "stop", "start", "reload"] as const;
type Action = (typeof ACTIONS)[number];

interface EmperorFlags {
  control?: string;
  logFormat: string;
  json?: boolean;
}

async function controlPath(flags: EmperorFlags): Promise<string> {
  if (flags.control !== undefined) {
    if (!flags.control.startsWith("/")) throw new UsageError("--control: expected an absolute path");
    return flags.control;
  }
  const { defaultControlPath } = await import("../emperor/control.ts");
  const host = readHostFacts();
  return defaultControlPath(host.uid, host.env);
}

async function talk(action: Action, name: string | undefined, flags: EmperorFlags): Promise<number> {
  if (action !== "status" && action !== "reload" && name === undefined) throw new UsageError(`emperor ${action}: which vassal? (nsjail emperor ${action} NAME)`);
  const { request, statusTable } = await import("../emperor/client.ts");
  const reply = await request(await controlPath(flags), { cmd: action, ...(name === undefined ? {} : { name }) });
  if (reply.ok !== true) {
    process.stderr.write(`nsjail: emperor ${action}: ${String(reply.error)}\n`);
    return 1;
  }
  if (action === "status") {
    process.stdout.write(flags.json ? `${JSON.stringify(reply.vassals)}\n` : statusTable(reply.vassals as never));
  }
  return 0;
}

export function registerEmperor(program: Command, setExit: (code: number) => void): void {
  program
    .command("emperor")
    .description("supervise every *.toml in DIR as a jail (a vassal); or talk to a running emperor")
    .argument("<dir|action>", `the vassal directory, or one of ${ACTIONS.join(", ")} (a directory with such a name: ./NAME)`)
    .argument("[name]", "the vassal for stop, start and reload (reload without one: all)")
    .option("--control <path>", "the control socket (default: /run/nsjail/emperor.sock as root, else $XDG_RUNTIME_DIR/nsjail-emperor.sock or /tmp/nsjail-UID/emperor.sock)")
    .option("--log-format <format>", "text or json: one line per event", "text")
    .option("--json", "status: print the vassals as JSON")
    .action(async (target: string, name: string | undefined, flags: EmperorFlags) => {
      if ((ACTIONS as readonly string[]).includes(target)) return setExit(await talk(target as Action, name, flags));
      if (name !== undefined) throw new UsageError(`emperor ${target}: unexpected argument '${name}'`);
      if (flags.logFormat !== "text" && flags.logFormat !== "json") throw new UsageError(`--log-format: expected text or json, got '${flags.logFormat}'`);
      const { serveEmperor } = await import("../emperor/serve.ts");
      setExit(await serveEmperor({ dir: target, control: await controlPath(flags), logFormat: flags.logFormat }));
    });
}
