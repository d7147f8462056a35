// Drives a command under a real terminal: `script` (util-linux; Debian's bsdutils) gives it a
// pseudo-terminal of its own (nsjail's "caller's terminal") and relays our pipe to it as keys.
// Nothing it started outlives the test: see dispose() and the pdeathsig in the constructor.
import type { Subprocess } from "bun";
import { linuxSys } from "../../src/sys/linux-sys.ts";
import { waitFor } from "./procs.ts";

/** `root` and every process below it, parents first. */
function treeOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const { pid, ppid } of linuxSys.listProcesses()) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

export class ScriptSession {
  private readonly proc: Subprocess<"pipe", "pipe", "pipe">;
  private text = "";
  /** Where the next waitFor() starts looking. */
  private cursor = 0;
  private readonly pumped: Promise<void>;

  /** `shell` runs under `sh -c` as the terminal's only process group; `prefix` (setpriv)
   * drops ids first. script gets SIGKILL when the test process dies, however it dies (a
   * killed runner runs no afterEach): set after the drop, which would clear it, and kept
   * across exec. Its terminal then hangs up, which ends what runs in it. */
  constructor(shell: string, prefix: readonly string[] = []) {
    this.proc = Bun.spawn([...prefix, "setpriv", "--pdeathsig", "KILL", "script", "-qec", shell, "/dev/null"], {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
      cwd: "/",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", TERM: "dumb", PS1: "$ " },
    });
    this.pumped = this.pump();
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of this.proc.stdout) this.text += decoder.decode(chunk, { stream: true });
  }

  /** Everything the terminal showed so far. */
  get output(): string {
    return this.text;
  }

  send(keys: string): void {
    this.proc.stdin.write(keys);
    this.proc.stdin.flush();
  }

  /** Resolves with the text up to the first match after the last one; fails after `ms`. */
  async waitFor(pattern: RegExp, ms = 10_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const re = new RegExp(pattern.source, pattern.flags.replace("g", ""));
      const m = re.exec(this.text.slice(this.cursor));
      if (m !== null) {
        this.cursor += m.index + m[0].length;
        return m;
      }
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${ms} ms; the terminal showed:\n${JSON.stringify(this.text)}`);
      await Bun.sleep(20);
    }
  }

  /** script's exit status (its command's, with -e), after its output is all read. */
  async exited(ms = 10_000): Promise<number> {
    const timer = setTimeout(() => this.proc.kill(9), ms);
    this.proc.stdin.end();
    const code = await this.proc.exited;
    clearTimeout(timer);
    await this.pumped;
    return code;
  }

  /** The caller's terminal goes away: script alone is killed, and what runs in its terminal
   * sees the hang-up and must end by itself. */
  hangUp(): void {
    this.proc.kill(9);
  }

  /** Cleanup that does not depend on the code under test: script and every process below it
   * (the shell, nsjail, the jail's init and command) get SIGKILL, and this resolves once
   * each is gone or a zombie. A jailed shell left waiting for keys would otherwise keep
   * script, nsjail and the jail running. */
  async dispose(): Promise<void> {
    const tree = treeOf(this.proc.pid);
    for (const pid of tree) {
      try {
        process.kill(pid, 9);
      } catch {
        // already gone
      }
    }
    const alive = () => {
      const live = new Set(linuxSys.listProcesses().filter((p) => !p.zombie).map((p) => p.pid));
      return tree.filter((pid) => live.has(pid));
    };
    await waitFor(`the processes of a test terminal (${tree.join(" ")}) to end`, () => alive().length === 0);
  }
}
