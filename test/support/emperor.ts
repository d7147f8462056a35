// A real `nsjail emperor` on a temp directory, as root or as uid 65534: its JSON event lines
// and its vassals' prefixed output collected as they come, vassal files written in place.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type As, binaryFor, dropTo } from "./jail.ts";
import { waitFor } from "./procs.ts";

export interface EmperorEvent {
  readonly event: string;
  readonly vassal: string | null;
  readonly message: string;
  readonly pid?: number;
  readonly code?: number;
}

export class TestEmperor {
  readonly dir: string;
  readonly control: string;
  readonly events: EmperorEvent[] = [];
  /** Lines the vassals wrote, `name| text`. */
  readonly output: string[] = [];
  readonly proc: ReturnType<typeof Bun.spawn>;
  private readonly root: string;

  /** `enter`: shell text run before the emperor is exec'd (e.g. to join a test's cgroup). */
  constructor(
    readonly as: As,
    files: Readonly<Record<string, string>> = {},
    readonly extraArgs: readonly string[] = [],
    enter = "",
  ) {
    this.root = mkdtempSync(join(tmpdir(), "nsjail-emperor-"));
    chmodSync(this.root, 0o777); // uid 65534 makes its control socket's directory here
    this.dir = join(this.root, "vassals");
    require("node:fs").mkdirSync(this.dir, { mode: 0o755 });
    this.control = join(this.root, "ctl", "emperor.sock");
    for (const [name, text] of Object.entries(files)) this.write(name, text);
    const argv = [...dropTo(as), binaryFor(as), "emperor", this.dir, "--control", this.control, "--log-format", "json", ...extraArgs];
    const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
    this.proc = Bun.spawn(enter === "" ? argv : ["/bin/sh", "-c", `${enter}exec ${quoted}`], {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    void this.collect();
  }

  private async collect(): Promise<void> {
    let rest = "";
    const decoder = new TextDecoder();
    for await (const chunk of this.proc.stderr as ReadableStream<Uint8Array>) {
      rest += decoder.decode(chunk, { stream: true });
      const lines = rest.split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        if (line.startsWith("{")) this.events.push(JSON.parse(line) as EmperorEvent);
        else this.output.push(line);
      }
    }
  }

  write(name: string, text: string): void {
    const path = join(this.dir, name);
    writeFileSync(path, text);
    chmodSync(path, 0o644);
  }

  remove(name: string): void {
    rmSync(join(this.dir, name));
  }

  eventsOf(vassal: string, event: string): EmperorEvent[] {
    return this.events.filter((e) => e.vassal === vassal && e.event === event);
  }

  async waitEvent(vassal: string, event: string, count = 1, ms = 10_000): Promise<EmperorEvent> {
    await waitFor(`${count} '${event}' event(s) of vassal ${vassal} (events so far: ${this.events.map((e) => `${e.vassal}:${e.event}`).join(" ")})`, () => this.eventsOf(vassal, event).length >= count, ms);
    return this.eventsOf(vassal, event)[count - 1]!;
  }

  async waitOutput(line: string, ms = 10_000): Promise<void> {
    await waitFor(`the vassal line '${line}' (output so far: ${JSON.stringify(this.output)})`, () => this.output.includes(line), ms);
  }

  /** `nsjail emperor ARGS --control …` as the same user. */
  client(args: readonly string[]): { code: number; stdout: string; stderr: string } {
    const r = Bun.spawnSync([...dropTo(this.as), binaryFor(this.as), "emperor", ...args, "--control", this.control], { stdout: "pipe", stderr: "pipe" });
    return { code: r.exitCode ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  }

  /** SIGKILL if still running, and the temp dir gone. */
  async dispose(): Promise<void> {
    this.proc.kill(9);
    await this.proc.exited;
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** A vassal file: `command` as a TOML array plus extra lines. */
export function vassal(command: readonly string[], extra = ""): string {
  return `command = ${JSON.stringify(command)}\n${extra}\n`;
}
