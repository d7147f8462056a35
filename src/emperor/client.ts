// Emperor (many jails): the control socket's client side — one request, one reply — and the
// status table `nsjail emperor status` prints.
import { JailError, printable } from "../errors.ts";
import type { VassalStatus } from "./emperor.ts";

/** Sends one JSON request line and resolves with the reply object. */
export function request(path: string, req: Record<string, unknown>, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let text = "";
    const fail = (why: string) => reject(new JailError(`control socket ${path}: ${why}`));
    const timer = setTimeout(() => fail("no answer"), timeoutMs);
    Bun.connect({
      unix: path,
      socket: {
        open: (s) => void s.write(`${JSON.stringify(req)}\n`),
        data(s, data) {
          text += data.toString();
          const nl = text.indexOf("\n");
          if (nl < 0) return;
          clearTimeout(timer);
          s.end();
          try {
            resolve(JSON.parse(text.slice(0, nl)) as Record<string, unknown>);
          } catch {
            fail("the answer is not JSON");
          }
        },
      },
    }).catch((err: { code?: string }) => (clearTimeout(timer), fail(`${err.code ?? "cannot connect"} (is an emperor running? pass --control PATH)`)));
  });
}

function duration(s: number | null): string {
  if (s === null) return "-";
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  return s < 172_800 ? `${Math.floor(s / 3600)}h` : `${Math.floor(s / 86_400)}d`;
}

export function statusTable(vassals: readonly VassalStatus[]): string {
  const rows = [["NAME", "STATE", "PID", "UPTIME", "RESTARTS", "LAST EXIT"]];
  for (const v of vassals) {
    rows.push([printable(v.name), v.state, v.pid === null ? "-" : String(v.pid), duration(v.uptime_s), String(v.restarts), v.last_exit === null ? "-" : String(v.last_exit)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n") + "\n";
}
