// Drives a command under a real terminal: `script` (util-linux; Debian's bsdutils) gives it a
// pseudo-terminal of its own (nsjail's "caller's terminal") and relays our pipe to it as keys.
import type { Subprocess } from "bun";

export class ScriptSession {
  private readonly proc: Subprocess<"pipe", "pipe", "pipe">;
  private text = "";
  /** Where the next waitFor() starts looking. */
  private cursor = 0;
  private readonly pumped: Promise<void>;

  /** `shell` runs under `sh -c` as the terminal's only process group. */
  constructor(shell: string, prefix: readonly string[] = []) {
    this.proc = Bun.spawn([...prefix, "script", "-qec", shell, "/dev/null"], {
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

  kill(): void {
    this.proc.kill(9);
  }
}
