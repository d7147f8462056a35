// Stage 1 (config): how this stage reads host files (the config, /etc/passwd, cap_last_cap).
// `nsjail run` hands in its raw-syscall reader, because merely loading node:fs costs ~0.9 ms
// of a jail start (docs/performance.md); tests and `check` use node:fs, loaded on first use.
import { encodeBytes } from "../sys/bytes.ts";
import { NOT_REGULAR } from "../sys/sys.ts";

/**
 * Reads a whole regular file of at most `maxBytes`, without blocking on a FIFO. Throws an
 * Error whose `code` is the errno name (ENOENT, EACCES, EISDIR, …), EFBIG when the file is
 * larger, or NOT_REGULAR for a FIFO, socket or device.
 */
export type ReadFile = (path: string, maxBytes: number) => Uint8Array;

const CHUNK = 65536;

export const nodeReadFile: ReadFile = (path, maxBytes) => {
  const fs = require("node:fs") as typeof import("node:fs");
  const fail = (code: string) => Object.assign(new Error(`${path}: ${code}`), { code });
  const fd = fs.openSync(Buffer.from(encodeBytes(path)), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw fail("EISDIR");
    if (!st.isFile()) throw fail(NOT_REGULAR);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(CHUNK, maxBytes + 1 - total));
      const n = fs.readSync(fd, chunk);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw fail("EFBIG");
    }
    return Buffer.concat(chunks);
  } finally {
    fs.closeSync(fd);
  }
};

export const decodeUtf8 = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
