// Emperor (many jails): the control socket — a UNIX socket, mode 0600, speaking one JSON
// object a line each way (docs/emperor.md): status, stop, start and reload of a vassal.
import { existsSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import { JailError, UsageError } from "../errors.ts";
import type { Emperor } from "./emperor.ts";

/** A request line longer than this is refused: no client needs more. */
const MAX_REQUEST = 4096;

/** The default socket: one per user, so `nsjail emperor status` finds it without a flag. */
export function defaultControlPath(uid: number, env: Readonly<Record<string, string | undefined>>): string {
  if (uid === 0) return "/run/nsjail/emperor.sock";
  const runtime = env.XDG_RUNTIME_DIR;
  return runtime?.startsWith("/") ? `${runtime}/nsjail-emperor.sock` : `/tmp/nsjail-${uid}/emperor.sock`;
}

/** One request → one reply object. */
export function answer(emperor: Emperor, line: string): Record<string, unknown> {
  let req: { cmd?: unknown; name?: unknown };
  try {
    req = JSON.parse(line) as typeof req;
  } catch {
    return { ok: false, error: "not a JSON object" };
  }
  const { cmd, name } = req ?? {};
  try {
    if (cmd === "status") return { ok: true, vassals: emperor.status() };
    if (cmd === "reload" && name === undefined) {
      emperor.reloadAll();
      return { ok: true };
    }
    if ((cmd === "stop" || cmd === "start" || cmd === "reload") && typeof name === "string") {
      emperor.command(cmd, name);
      return { ok: true };
    }
    return { ok: false, error: `unknown request (expected cmd status, or stop/start/reload with a name)` };
  } catch (err) {
    if (err instanceof JailError) return { ok: false, error: err.message };
    throw err;
  }
}

/** A socket left by an emperor that was killed is reclaimed; one that answers is another
 * emperor's, and we refuse to take it over. */
async function reclaimStale(path: string): Promise<void> {
  if (!existsSync(path)) return;
  const alive = await Bun.connect({ unix: path, socket: { data() {} } }).then(
    (s) => (s.end(), true),
    () => false,
  );
  if (alive) throw new UsageError(`control socket ${path} is in use (another emperor?): pass --control PATH`);
  unlinkSync(path);
}

export async function listenControl(path: string, emperor: Emperor): Promise<() => void> {
  const { mkdirSync } = await import("node:fs");
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new UsageError(`control socket ${path}: cannot make its directory: ${(err as { code?: string }).code ?? (err as Error).message} — pass --control PATH`);
  }
  await reclaimStale(path);
  const buffers = new WeakMap<object, string>();
  const old = process.umask(0o177); // the socket is born 0600: no window for another user
  try {
    const server = Bun.listen<undefined>({
      unix: path,
      socket: {
        data(socket, data) {
          let text = (buffers.get(socket) ?? "") + data.toString();
          for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n")) {
            socket.write(`${JSON.stringify(answer(emperor, text.slice(0, nl)))}\n`);
            text = text.slice(nl + 1);
          }
          if (text.length > MAX_REQUEST) return void socket.end(`${JSON.stringify({ ok: false, error: "request too long" })}\n`);
          buffers.set(socket, text);
        },
      },
    });
    return () => server.stop(true);
  } catch (err) {
    if (err instanceof JailError) throw err;
    throw new UsageError(`control socket ${path}: cannot listen: ${(err as { code?: string }).code ?? (err as Error).message} — pass --control PATH`);
  } finally {
    process.umask(old);
  }
}
