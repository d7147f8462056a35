// Runs the built ./nsjail as root or as uid 65534, the way a user would from a shell.
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const BIN = resolve(import.meta.dir, "../../nsjail");
export type As = "root" | "nobody";

let nobodyDir: string | null = null;

/** The binary `as` runs: uid 65534 may not reach the checkout, so it gets a readable copy
 * in a temp dir that is removed at exit. */
export function binaryFor(as: As): string {
  return as === "root" ? BIN : nobodyBinary();
}

function nobodyBinary(): string {
  if (nobodyDir === null) {
    nobodyDir = mkdtempSync(join(tmpdir(), "nsjail-test-"));
    chmodSync(nobodyDir, 0o755);
    copyFileSync(BIN, join(nobodyDir, "nsjail"));
    chmodSync(join(nobodyDir, "nsjail"), 0o755);
    // Test files also call removeNobodyCopy from afterAll: bun test may not emit "exit".
    process.on("exit", removeNobodyCopy);
  }
  return join(nobodyDir, "nsjail");
}

/** The argv prefix that runs a command as `as`. */
export function dropTo(as: As): string[] {
  return as === "root" ? [] : ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
}

export function removeNobodyCopy(): void {
  if (nobodyDir !== null) rmSync(nobodyDir, { recursive: true, force: true });
  nobodyDir = null;
}

export interface Result {
  readonly code: number;
  readonly stdout: string;
  /** stderr without the jail's start and end lines (see withoutJailLines). */
  readonly stderr: string;
  /** stderr as nsjail wrote it. */
  readonly rawStderr: string;
}

/** The info lines every jail logs when it starts and ends; test/integration/cli.test.ts checks
 * them, other tests look at what is left. */
export const JAIL_LINE = /^nsjail: jail \d+ (started|ended)\b.*\n/gm;

export function withoutJailLines(stderr: string): string {
  return stderr.replace(JAIL_LINE, "");
}

/** `shell` wraps the nsjail invocation, e.g. `exec 9</etc/hostname; ` to open fds first. */
export function nsjail(as: As, args: readonly string[], opts: { shell?: string; timeoutMs?: number } = {}): Result {
  const quoted = [binaryFor(as), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  const script = `${opts.shell ?? ""}exec ${quoted}`;
  const r = Bun.spawnSync([...dropTo(as), "/bin/sh", "-c", script], {
    cwd: "/",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", TERM: "dumb" },
    timeout: opts.timeoutMs ?? 20_000,
  });
  const stderr = r.stderr.toString();
  return { code: r.exitCode ?? 128 + 9, stdout: r.stdout.toString(), stderr: withoutJailLines(stderr), rawStderr: stderr };
}

/** Runs `/bin/sh -c script` in a jail with extra flags before the `--`. */
export function sh(as: As, script: string, flags: readonly string[] = [], opts = {}): Result {
  return nsjail(as, ["run", ...flags, "--", "/bin/sh", "-c", script], opts);
}
