// Stage 5 (supervisor): the notify half of a `run`'s session over real sockets, with
// systemd played by a listener: across restarts nsjail relays from the newest jail's socket,
// even when a jail whose setup failed after its bind_unix left an older one queued.
import { expect, test } from "bun:test";
import { resolveConfig } from "../../src/config/resolve.ts";
import { createLogger } from "../../src/log.ts";
import type { Events } from "../../src/supervisor/events.ts";
import { openSession } from "../../src/supervisor/session.ts";
import { loadNative, NR } from "../../src/sys/ffi.ts";
import { socketPair } from "../../src/sys/unix-datagram.ts";
import { unixSockets } from "../../src/sys/unix-socket.ts";
import { NotifyListener } from "../support/notify-listener.ts";
import { fixedHost } from "../support/plans.ts";

const native = loadNative();
const write = (fd: number, text: string) => native.syscall(NR.write, fd, native.address(Buffer.from(text)), text.length);

test("each start takes the newest jail socket waiting; what that jail sends reaches systemd", async () => {
  const listener = new NotifyListener("abstract");
  const handlers = new Map<string, () => void>();
  const events: Events = { on: (s, h) => void handlers.set(s, h), off: (s) => void handlers.delete(s), setTimer: () => () => {} };
  const host = { ...fixedHost(1000), env: { NOTIFY_SOCKET: listener.address } };
  const config = resolveConfig({ file: null, cli: { notify_socket: true }, command: ["/bin/true"] }, host);
  const session = openSession(config, host, createLogger("error", () => {}), events);
  const [stale, staleJail] = socketPair();
  const [fresh, freshJail] = socketPair();
  try {
    // What two jails' bind_unix ops would send: the first's setup then failed, unannounced.
    for (const fd of [stale, fresh]) expect(unixSockets.sendWithFds(session.fds.notify!, Uint8Array.of(0), [fd])).toBe(1);
    session.started();
    write(staleJail, "STATUS=from a jail that never ran");
    write(freshJail, "STATUS=fresh\nMAINPID=2");
    handlers.get("SIGURG")!(); // the O_ASYNC signal, as the event loop would deliver it
    expect(await listener.next(/STATUS=fresh/)).toBe("STATUS=fresh");
    await session.finish();
    expect(listener.messages).toEqual(["STATUS=fresh", "STOPPING=1"]);
  } finally {
    for (const fd of [stale, staleJail, fresh, freshJail]) native.syscall(NR.close, fd);
    listener.close();
  }
});
