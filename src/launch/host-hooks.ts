// Stage 5 (launch): the hooks nsjail runs itself, on the host: hook_pre_jail before the clone,
// hook_post_spawn once the jail runs (with NSJAIL_PID). Only mkdir, write, symlink, chmod and
// exec reach here (config/fs/hook.ts refuses mounts and names on the host). A failing hook
// ends the jail with one line: `<action> <path> [hook_<phase>[i]]: ERRNO (text)`.
import type { Hook } from "../config/fs/model.ts";
import { errnoNumber } from "../errno.ts";
import { SetupError } from "../errors.ts";
import { encodeBytes } from "../sys/bytes.ts";
import { describeWaitStatus } from "../wire/wait-status.ts";

/** The host calls a hook makes; tests pass a recording fake. */
export interface HostActions {
  mkdir(path: string, mode: number): void;
  write(path: string, content: string): void;
  symlink(target: string, path: string): void;
  chmod(path: string, mode: number): void;
  /** Runs argv to its end; resolves with its raw wait status. */
  exec(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number>;
}

const FILE_MODE = 0o644;

export const nodeHostActions: HostActions = {
  mkdir: (path, mode) => fs().mkdirSync(bytes(path), { mode }),
  write: (path, content) => fs().writeFileSync(bytes(path), content, { mode: FILE_MODE }),
  symlink: (target, path) => fs().symlinkSync(bytes(target), bytes(path)),
  chmod: (path, mode) => fs().chmodSync(bytes(path), mode),
  async exec(argv, env) {
    const child = Bun.spawn([...argv], { env: { ...env }, stdin: "inherit", stdout: "inherit", stderr: "inherit" });
    const code = await child.exited;
    // A killed child has signalCode set; its wait status is then just the signal number.
    const name = child.signalCode;
    if (name === null) return (code & 0xff) << 8;
    return (require("node:os") as typeof import("node:os")).constants.signals[name as NodeJS.Signals] ?? 0x7f;
  },
};

function fs(): typeof import("node:fs") {
  return require("node:fs") as typeof import("node:fs");
}

const bytes = (p: string) => Buffer.from(encodeBytes(p));

/** What a hook does, as the error line names it. */
function describeHook(h: Hook): [call: string, note: string] {
  switch (h.action) {
    case "mkdir":
      return ["mkdir", `mkdir ${h.path}`];
    case "write":
      return ["write", `write ${h.path}`];
    case "symlink":
      return ["symlink", `symlink ${h.path} → ${h.target}`];
    case "chmod":
      return ["chmod", `chmod ${h.mode.toString(8).padStart(4, "0")} ${h.path}`];
    case "exec":
      return ["exec", `exec ${h.argv.join(" ")}`];
    default:
      return [h.action, h.action];
  }
}

async function runOne(h: Hook, actions: HostActions, env: Readonly<Record<string, string | undefined>>): Promise<number | null> {
  switch (h.action) {
    case "mkdir":
      return void actions.mkdir(h.path, h.mode), null;
    case "write":
      return void actions.write(h.path, h.content), null;
    case "symlink":
      return void actions.symlink(h.target, h.path), null;
    case "chmod":
      return void actions.chmod(h.path, h.mode), null;
    case "exec":
      return actions.exec(h.argv, env);
    default:
      throw new Error(`hook action ${h.action} cannot run on the host`);
  }
}

/** Runs `hooks` in order; the first failure throws a SetupError (exit 255) naming it. */
export async function runHostHooks(
  key: "hook_pre_jail" | "hook_post_spawn",
  hooks: readonly Hook[],
  env: Readonly<Record<string, string | undefined>>,
  actions: HostActions = nodeHostActions,
): Promise<void> {
  for (const [i, h] of hooks.entries()) {
    const [call, note] = describeHook(h);
    const where = `${key}[${i}]`;
    let status: number | null;
    try {
      status = await runOne(h, actions, env);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const errno = typeof code === "string" ? errnoNumber(code) : null;
      if (errno === null) throw new SetupError(call, note, where, 0, err instanceof Error ? err.message : String(err));
      throw new SetupError(call, note, where, errno);
    }
    if (status !== null && status !== 0) throw new SetupError(call, note, where, 0, describeWaitStatus(status));
  }
}
