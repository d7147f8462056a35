// Stage 5 (launch): the real jail — the Linux Sys, the sealed image, the supervisor.
import type { JailConfig } from "../config/model.ts";
import type { HostFacts } from "../config/host.ts";
import type { Logger } from "../log.ts";
import { Supervisor } from "../supervisor/supervisor.ts";
import { loadNative } from "../sys/ffi.ts";
import { linuxSys } from "../sys/linux-sys.ts";
import { execJail } from "./exec.ts";
import { spawnJail } from "./spawn.ts";

export async function startJail(config: JailConfig, host: HostFacts, log: Logger): Promise<number> {
  const facts = { uid: host.uid, gid: host.gid, capLastCap: host.capLastCap, imageFd: loadNative().imageFd };
  if (config.exec) execJail(linuxSys, config, facts);
  const watch = new Supervisor(linuxSys, log).watch();
  const jail = spawnJail(linuxSys, config, facts, log);
  return watch.attach(jail, config);
}
