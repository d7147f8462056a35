// Stage 5 (supervisor): the one reaper of a process — every jail's pid maps to its exit
// callback, and one SIGCHLD listener serves them all, however many jails run.
import type { ChildExit, Sys } from "../sys/sys.ts";
import type { Events } from "./events.ts";

export type OnExit = (exit: ChildExit) => void;

export class Reaper {
  private readonly exits = new Map<number, OnExit>();

  constructor(
    private readonly sys: Sys,
    private readonly events: Events,
  ) {}

  /** Calls `onExit` once, with its wait status and usage, when `pid` ends — also when it already
   * has, since a SIGCHLD before this call had no one to hear it. */
  watch(pid: number, onExit: OnExit): void {
    if (this.exits.size === 0) this.events.on("SIGCHLD", this.reapAll);
    this.exits.set(pid, onExit);
    this.reap(pid);
  }

  /** Waits for each watched pid by number, never for "any child": children that Bun spawns
   * itself (newuidmap, hooks) are Bun's to reap. SIGCHLDs coalesce, so one may stand for many
   * exits. The kernel names each exited child (waitid WNOWAIT) so only those are reaped, not
   * every watched pid asked, which with many jails cost one wait4 per jail per exit. Once it
   * names a child that is not ours, it would name it again: then every watched pid is asked. */
  private readonly reapAll = (): void => {
    for (let pid = this.sys.peekExited(); pid !== null; pid = this.sys.peekExited()) {
      if (!this.exits.has(pid)) {
        for (const watched of [...this.exits.keys()]) this.reap(watched);
        return;
      }
      this.reap(pid);
    }
  };

  private reap(pid: number): void {
    const exit = this.sys.tryWait(pid);
    if (exit === null) return;
    const onExit = this.exits.get(pid);
    this.exits.delete(pid);
    if (this.exits.size === 0) this.events.off("SIGCHLD", this.reapAll);
    onExit?.(exit);
  }
}
