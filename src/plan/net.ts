// Stage 2 (plan): the network namespace — a new one has only a `lo` that is down.
import type { JailConfig } from "../config/model.ts";
import { op, type Op } from "./types.ts";

export function planNet(config: JailConfig): Op[] {
  if (!config.unshare.has("net")) return [];
  return [op("if_up", ["lo"], { path: "unshare.net", note: "bring lo up" })];
}
