// Stage 2 (plan): the POSIX message queues of the jail's ipc namespace (the one that opens it).
import type { MountSpec } from "../../config/fs/model.ts";
import type { Op } from "../types.ts";
import { attrsOf, newMount } from "./new-mount.ts";
import { attach, type MountAt } from "./place.ts";

export type MqueueMount = Extract<MountSpec, { kind: "mqueue" }>;

export function planMqueue(m: MqueueMount, at: MountAt): Op[] {
  return [
    ...newMount("mqueue", "mqueue", m.options, attrsOf(m.flags), "mnt", at.o),
    ...at.root.target(m.dst, "dir", m.create, at.o),
    ...attach("mqueue", m.dst, at.o),
  ];
}
