// CLI: `nsjail join SOCKET [-- COMMAND…]` and `nsjail join --pid PID [-- COMMAND…]` — enter a
// running jail (docs/setns.md). The offer comes from launch/join-socket.ts or join-pid.ts;
// launch/join.ts plans it and execs the trampoline image in this very process.
import type { Command } from "commander";
import { readHostFacts } from "../config/host.ts";
import { resolveJoinRequest, type JoinRequest } from "../config/join.ts";
import { printable } from "../errors.ts";
import type { Offer } from "../launch/join.ts";
import { createLogger } from "../log.ts";

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

async function offerFor(req: JoinRequest, host: ReturnType<typeof readHostFacts>): Promise<Offer> {
  const { procFds } = await import("../sys/proc-fds.ts");
  if ("pid" in req.target) {
    const { offerFromPid } = await import("../launch/join-pid.ts");
    const fs = await import("node:fs");
    const reader = { read: (p: string) => fs.readFileSync(p, "latin1"), link: (p: string) => fs.readlinkSync(p) };
    return offerFromPid(req.target.pid, procFds, reader, host);
  }
  const [{ offerFromSocket }, { unixSockets }] = await Promise.all([import("../launch/join-socket.ts"), import("../sys/unix-socket.ts")]);
  return offerFromSocket(req.target.socket, req.waitSeconds, unixSockets, procFds, host);
}

async function joinCommand(operands: string[], opts: Record<string, unknown>, setExit: (code: number) => void): Promise<void> {
  const byPid = opts.pid !== undefined;
  const req = resolveJoinRequest({
    socket: byPid ? undefined : operands[0],
    pid: opts.pid as string | undefined,
    ns: opts.ns as string[] | undefined,
    wait: opts.wait as string | undefined,
    dryRun: opts.dryRun === true,
    logLevel: opts.logLevel as string | undefined,
    command: byPid ? operands : operands.slice(1),
  });
  const log = createLogger(req.logLevel);
  const host = readHostFacts();
  const offer = await offerFor(req, host);
  const [{ planJoin, execJoin, offerFds }, { encodePlan }, { describePlan }] = await Promise.all([
    import("../launch/join.ts"),
    import("../wire/encode.ts"),
    import("../plan/describe.ts"),
  ]);
  const { linuxSys } = await import("../sys/linux-sys.ts");
  let launch;
  try {
    launch = planJoin(offer, req, host);
  } catch (err) {
    for (const fd of offerFds(offer)) linuxSys.close(fd);
    throw err;
  }
  const bytes = encodePlan(launch.plan);
  if (req.dryRun) {
    process.stdout.write(`${describePlan(launch.plan).map(printable).join("\n")}\nplan: ${launch.plan.ops.length} ops, ${bytes.length} bytes\n`);
    return setExit(0);
  }
  log.debug(`joining ${offer.source}: ${[...offer.namespaces.keys()].join(", ")}`);
  const { loadNative } = await import("../sys/ffi.ts");
  execJoin(linuxSys, launch, bytes, loadNative().imageFd);
}

export function registerJoin(program: Command, setExit: (code: number) => void): void {
  program
    .command("join")
    .description("run a command inside a running jail (default /bin/sh), through its setns socket or by a pid")
    .argument("[socket]", "the jail's setns_socket (not with --pid)")
    .argument("[command...]", "the command and its arguments (put them after --)")
    .option("--pid <PID>", "join the jail of this process instead (as root, or as the owner of a rootless jail)")
    .option("--ns <NS,NS,...>", "enter only these namespaces (user, fs or mnt, pid, net, uts, ipc, cgroup, time)", collect)
    .option("--wait <SECONDS>", "retry while the socket is not there yet, up to SECONDS")
    .option("--dry-run", "print the plan, one op a line, and exit")
    .option("--log-level <LEVEL>", "debug, info, warn or error")
    .passThroughOptions()
    // After the first operand options pass through: `SOCKET -- CMD` arrives with its `--`.
    .action((socket: string | undefined, command: string[], opts: Record<string, unknown>) =>
      joinCommand(socket === undefined ? command : [socket, ...(command[0] === "--" ? command.slice(1) : command)], opts, setExit),
    );
}
