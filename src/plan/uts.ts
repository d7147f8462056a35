// Stage 2 (plan): the uts namespace — hostname and NIS domain name.
import type { JailConfig } from "../config/model.ts";
import { op, type Op } from "./types.ts";

export function planUts(config: JailConfig): Op[] {
  const ops: Op[] = [];
  if (config.hostname !== null) {
    ops.push(op("sethostname", [config.hostname], { path: "hostname", note: `sethostname ${config.hostname}` }));
  }
  if (config.domainname !== null) {
    ops.push(op("setdomainname", [config.domainname], { path: "domainname", note: `setdomainname ${config.domainname}` }));
  }
  return ops;
}
