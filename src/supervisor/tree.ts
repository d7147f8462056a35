// Stage 5 (supervisor): a jail without a pid namespace has no init whose death takes every
// process of the jail with it. nsjail is then the subreaper of its descendants (orphans come
// back to it instead of the host's init), and at the jail's end it kills what is left.
import { SIG } from "../sys/constants.ts";
import type { ProcessEntry, Sys } from "../sys/sys.ts";

/** A fork bomb can outrun one pass; its orphans return to us, so each pass finds more. */
const MAX_PASSES = 100;

/** Every descendant of `root` in one snapshot of the process table. */
function descendants(table: readonly ProcessEntry[], root: number): ProcessEntry[] {
  const children = new Map<number, ProcessEntry[]>();
  for (const entry of table) {
    const list = children.get(entry.ppid);
    if (list) list.push(entry);
    else children.set(entry.ppid, [entry]);
  }
  const found: ProcessEntry[] = [];
  for (let queue = [root]; queue.length > 0; ) {
    const next: number[] = [];
    for (const pid of queue) {
      for (const child of children.get(pid) ?? []) {
        found.push(child);
        next.push(child.pid);
      }
    }
    queue = next;
  }
  return found;
}

/**
 * SIGKILLs every live descendant of this process and reaps those that are our children,
 * except `jailPid`, whose exit the Reaper reports. Returns how many processes it killed.
 */
export function killDescendants(sys: Sys, self: number, jailPid: number): number {
  let killed = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const found = descendants(sys.listProcesses(), self).filter((p) => p.pid !== jailPid);
    const live = found.filter((p) => !p.zombie);
    for (const p of live) sys.kill(p.pid, SIG.KILL);
    for (const p of found) if (p.ppid === self) sys.wait(p.pid);
    killed += live.length;
    if (found.length === 0) return killed;
  }
  return killed;
}
