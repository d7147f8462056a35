// Stage 2 (plan): a proc mount. It shows the pid namespace of the process that opens it, so it
// is planned after the clone into the new pid namespace, never before; and while the old root
// is still there, since the kernel lets a user namespace mount proc only where a fully visible
// proc is already mounted.
import type { MountSpec } from "../../config/fs/model.ts";
import type { Op } from "../types.ts";
import { planFresh } from "./new-mount.ts";
import type { MountAt } from "./place.ts";

export type ProcMount = Extract<MountSpec, { kind: "proc" }>;

export function planProc(m: ProcMount, at: MountAt): Op[] {
  return planFresh("proc", "proc", m, at);
}
