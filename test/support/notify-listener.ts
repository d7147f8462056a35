// A stand-in for systemd's notify socket: an AF_UNIX datagram socket bound to a path (mode
// 0666, so a rootless nsjail may send) or to an abstract `@name`, read without blocking.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { C_CONSTANTS } from "../../src/sys/constants.ts";
import { loadNative, NR } from "../../src/sys/ffi.ts";
import { receiveDatagram } from "../../src/sys/unix-datagram.ts";

export class NotifyListener {
  /** What NOTIFY_SOCKET should say. */
  readonly address: string;
  private readonly fd: number;
  private readonly dir: string | null;
  private readonly got: string[] = [];

  constructor(kind: "path" | "abstract") {
    const native = loadNative();
    this.dir = kind === "path" ? mkdtempSync(join(tmpdir(), "nsjail-notify-")) : null;
    this.address = this.dir !== null ? join(this.dir, "notify") : `@nsjail-test-${process.pid}-${Math.random().toString(36).slice(2)}`;
    const path = Buffer.from(this.address.startsWith("@") ? `\0${this.address.slice(1)}` : `${this.address}\0`);
    const addr = Buffer.alloc(2 + path.length);
    addr.writeUInt16LE(C_CONSTANTS.AF_UNIX, 0);
    path.copy(addr, 2);
    this.fd = native.syscall(NR.socket, C_CONSTANTS.AF_UNIX, C_CONSTANTS.SOCK_DGRAM | C_CONSTANTS.SOCK_CLOEXEC, 0);
    const rc = native.syscall(NR.bind, this.fd, native.address(addr), this.address.startsWith("@") ? addr.length : addr.length - 1);
    if (this.fd < 0 || rc < 0) throw new Error(`cannot bind ${this.address}: ${rc}`);
    if (this.dir !== null) {
      chmodSync(this.dir, 0o755);
      chmodSync(this.address, 0o666);
    }
  }

  /** Every message so far, in order of arrival. */
  get messages(): readonly string[] {
    for (let m = receiveDatagram(this.fd, 65536); m !== null; m = receiveDatagram(this.fd, 65536)) {
      if (typeof m !== "number") this.got.push(Buffer.from(m).toString());
    }
    return this.got;
  }

  /** Resolves with the first message so far, or to come, that matches `pattern`. */
  async next(pattern: RegExp, ms = 10_000): Promise<string> {
    for (const end = Date.now() + ms; Date.now() < end; await Bun.sleep(5)) {
      const found = this.messages.find((m) => pattern.test(m));
      if (found !== undefined) return found;
    }
    throw new Error(`no message matching ${pattern} within ${ms} ms; got ${JSON.stringify(this.got)}`);
  }

  close(): void {
    loadNative().syscall(NR.close, this.fd);
    if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true });
  }
}
