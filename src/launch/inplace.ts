// Stage 5 (launch): exec mode — nsjail becomes the jail. The encoded plan goes into a memfd
// and this process execs the trampoline image, which unshares, sets up and execs the
// command; no Bun supervisor stays behind, and setup errors are printed by the image itself.
import { fdTable } from "../plan/ops.ts";
import type { Sys } from "../sys/sys.ts";

export function execInplace(sys: Sys, bytes: Uint8Array, imageFd: number): never {
  const planFd = sys.memfd("nsjail-plan", bytes);
  const fds = fdTable({ image: imageFd, plan: planFd });
  // argv: name, first op, then the fd table. The image fd stays open too: with a pid
  // namespace the plan execs it again as the init.
  return sys.execImage(imageFd, ["nsjail-exec", "0", ...fds.map(String)], [planFd, imageFd]);
}
