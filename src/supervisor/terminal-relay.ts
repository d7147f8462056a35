// Stage 5 (supervisor): `pty` while the jail runs — bytes both ways between the caller and the
// pty's master, the caller's terminal in raw mode (restored on every way out, an error or a
// signal included), and window size changes passed on (SIGWINCH).
import { closeSync, createReadStream } from "node:fs";
import { copyWindowSize } from "../launch/terminal.ts";
import type { Logger } from "../log.ts";
import { eofChar, makeRaw } from "../sys/termios.ts";
import { getTermios, reopenNonblocking, setTermios, writeSome } from "../sys/tty.ts";
import type { Events } from "./events.ts";

/** How long the jail's last output may take to reach us once it has ended. */
const DRAIN_MS = 2000;
/** How soon a write that found a full non-blocking fd is tried again. */
const RETRY_MS = 5;
const EAGAIN = 11;
const STDIN = 0;
const STDOUT = 1;

/** Bytes queued for one fd, written from the event loop; a full fd is retried on a timer,
 * never waited for, so nothing else in nsjail stalls behind it. */
class Outbox {
  private readonly queue: Uint8Array[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly fd: number,
    private readonly log: Logger,
  ) {}

  push(data: Uint8Array): void {
    if (this.closed) return;
    this.queue.push(data);
    if (this.timer === null) this.flush();
  }

  /** Drops what is queued and writes no more: the fd is about to be closed, and its number
   * may soon name another file. */
  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
    this.closed = true;
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  /** Resolves once everything pushed so far is written (or dropped after an error). */
  drained(): Promise<void> {
    return this.queue.length === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  private flush(): void {
    this.timer = null;
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const n = writeSome(this.fd, head);
      if (n === -EAGAIN) {
        this.timer = setTimeout(() => this.flush(), RETRY_MS);
        return;
      }
      if (n < 0) {
        this.log.debug(`terminal relay: write to fd ${this.fd} failed (errno ${-n}); dropping its output`);
        this.queue.length = 0;
      } else if (n < head.length) this.queue[0] = head.subarray(n);
      else this.queue.shift();
    }
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}

/** Copies `source` into `sink`, one chunk at a time, each written before the next is read;
 * ends quietly at EOF or at the error a pty master gives once the jail's side is gone. */
async function pump(source: AsyncIterable<Uint8Array>, sink: Outbox): Promise<void> {
  try {
    for await (const chunk of source) {
      sink.push(chunk);
      await sink.drained();
    }
  } catch {
    // EIO from the master: the last process holding the slave has closed it.
  }
}

interface Source {
  readonly chunks: AsyncIterable<Uint8Array>;
  stop(): void;
}

/** A non-blocking fd read by Bun's event loop (epoll), not by a thread; stop() also closes
 * `fd` once Bun has let go of it. */
function polled(fd: number, close: boolean): Source {
  const reader = Bun.file(fd).stream().getReader();
  const chunks = { async *[Symbol.asyncIterator]() { for (let r = await reader.read(); !r.done; r = await reader.read()) yield r.value; } };
  return { chunks, stop: () => void reader.cancel().catch(() => {}).finally(() => close && closeSync(fd)) };
}

/** The caller's input, through the event loop when it is a terminal or a pipe. */
function callerInput(): Source {
  const fd = reopenNonblocking(STDIN);
  if (fd !== null) return polled(fd, true);
  // A file or a socket: a blocking read on the thread pool, where a file never waits long.
  const stream = createReadStream("", { fd: STDIN, autoClose: false });
  return { chunks: stream, stop: () => stream.destroy() };
}

export class TerminalRelay {
  private readonly saved: Uint8Array | null;
  private restored = false;
  private finished = false;
  private readonly input: Source;
  private readonly toJail: Outbox;
  private readonly fromJail: Source;
  private readonly output: Promise<void>;
  private readonly onResize = () => copyWindowSize(this.master);
  private readonly onExit = () => this.restore();

  /** Starts relaying at once; `master` (non-blocking) stays ours and finish() closes it. */
  constructor(
    private readonly master: number,
    private readonly events: Events,
    private readonly log: Logger,
  ) {
    // Raw mode on the caller's side: keys such as Ctrl-C and Ctrl-Z reach the jail's terminal
    // as bytes, where its own line discipline turns them into signals for its jobs.
    this.saved = getTermios(STDIN);
    if (this.saved !== null) {
      process.on("exit", this.onExit);
      setTermios(STDIN, makeRaw(this.saved));
    }
    events.on("SIGWINCH", this.onResize);
    const toJail = (this.toJail = new Outbox(master, log));
    this.input = callerInput();
    // Input that ends without a terminal (a pipe, a file) ends as a typed Ctrl-D would.
    void pump(this.input.chunks, toJail).then(() => this.saved === null && !this.finished && toJail.push(Uint8Array.of(eofOf(master))));
    this.fromJail = polled(master, false);
    this.output = pump(this.fromJail.chunks, new Outbox(STDOUT, log));
  }

  /** The jail has ended: wait (bounded) for its last output, then give the caller's terminal
   * back as it was. */
  async finish(): Promise<void> {
    this.finished = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_MS)));
    await Promise.race([this.output, late]);
    clearTimeout(timer);
    this.restore();
    this.events.off("SIGWINCH", this.onResize);
    this.input.stop();
    this.toJail.close();
    this.fromJail.stop();
    closeSync(this.master);
  }

  /** Best effort: after a hang-up the caller's terminal is gone, and nothing is left to restore. */
  private restore(): void {
    if (this.saved === null || this.restored) return;
    this.restored = true;
    process.off("exit", this.onExit);
    try {
      setTermios(STDIN, this.saved);
    } catch (err) {
      this.log.debug(`the caller's terminal could not be restored: ${(err as Error).message}`);
    }
  }
}

/** The jail's end-of-file key (its terminal's c_cc[VEOF]), Ctrl-D if it cannot be read. */
function eofOf(master: number): number {
  const settings = getTermios(master);
  return settings === null ? 4 : eofChar(settings);
}
