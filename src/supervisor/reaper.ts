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
   * itself (newuidmap, hooks) are Bun's to reap. SIGCHLDs coalesce, so every pid is asked. */
  private readonly reapAll = (): void => {
    for (const pid of [...this.exits.keys()]) this.reap(pid);
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
