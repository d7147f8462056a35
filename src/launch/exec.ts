// Stage 5 (launch): exec mode — nsjail becomes the jail. The plan goes into a memfd and this
// process execs the trampoline image, which unshares, sets up and execs the command; no Bun
// supervisor stays behind, and setup errors are printed by the image itself.
import type { JailConfig } from "../config/model.ts";
import { buildPlan } from "../plan/build.ts";
import { encodePlan } from "../plan/encode.ts";
import type { Sys } from "../sys/sys.ts";
import type { HostFacts } from "./spawn.ts";

export function execJail(sys: Sys, config: JailConfig, host: HostFacts): never {
  const planFd = sys.memfd("nsjail-plan");
  const fds = { statusWrite: -1, syncRead: -1, syncWrite: -1, image: host.imageFd, plan: planFd };
  const plan = buildPlan(config, { hostUid: host.uid, capLastCap: host.capLastCap, fds });
  sys.pwrite(planFd, encodePlan(plan));
  // The image fd stays open too: with a pid namespace the plan execs it again as the init.
  return sys.execImage(host.imageFd, ["nsjail-exec", String(planFd), "0", "-1"], [planFd, host.imageFd]);
}
