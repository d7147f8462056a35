// Stage 2 (plan): a proc mount. It shows the pid namespace of the mounting process, so it
// is planned after the clone into the new pid namespace, never before.
import { MS } from "../../sys/constants.ts";
import { op, type Op, type OpOrigin } from "../types.ts";

export interface ProcMount {
  readonly kind: "proc";
  readonly dst: string;
}

export function planProc(mount: ProcMount, origin: OpOrigin): Op[] {
  return [op("mount", ["proc", mount.dst, "proc", MS.NOSUID | MS.NODEV | MS.NOEXEC, null], origin)];
}
