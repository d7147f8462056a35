// Stage 2 (plan): the POSIX message queues of the jail's ipc namespace (the one that opens it).
import type { MountSpec } from "../../config/fs/model.ts";
import type { Op } from "../types.ts";
import { planFresh } from "./new-mount.ts";
import type { MountAt } from "./place.ts";

export type MqueueMount = Extract<MountSpec, { kind: "mqueue" }>;

export function planMqueue(m: MqueueMount, at: MountAt): Op[] {
  return planFresh("mqueue", "mqueue", m, at);
}
