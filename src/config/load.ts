// Stage 1 (config): read a TOML file and parse it into an untyped table. No interpretation here;
// every failure is a ConfigError whose one issue names the file (and line when known).
import { ConfigError } from "../errors.ts";
import { invalidUtf8Offset } from "../sys/bytes.ts";
import { NOT_REGULAR } from "../sys/sys.ts";
import { nodeReadFile, type ReadFile } from "./read-file.ts";

/** A config is a page or two of TOML; the cap keeps a wrong path (a log, a disk image) from
 * eating memory. Documented in docs/config.md and `--help`. */
export const MAX_CONFIG_MIB = 1;
const MAX_CONFIG_BYTES = MAX_CONFIG_MIB << 20;

export interface LoadedConfig {
  readonly raw: Record<string, unknown>;
  readonly text: string;
}

/** strerror() text for the errors a config read can plausibly hit. */
const READ_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: "No such file or directory",
  EACCES: "Permission denied",
  EPERM: "Operation not permitted",
  EISDIR: "Is a directory",
  ENOTDIR: "Not a directory",
  ELOOP: "Too many levels of symbolic links",
  ENAMETOOLONG: "File name too long",
  EIO: "Input/output error",
};

/** What the reader's non-errno refusals mean for a config file. */
const REFUSALS: Readonly<Record<string, string>> = {
  [NOT_REGULAR]: "not a regular file (a FIFO, socket or device cannot be a config)",
  EFBIG: `larger than the ${MAX_CONFIG_MIB} MiB a config file may have`,
};

/**
 * Issues of file-level failures carry the file (and line) as their path and the error has no
 * file of its own, so they render as `f.toml: cannot read: …` or `f.toml:3: <parser message>`.
 */
function fileError(path: string, message: string, line?: number): ConfigError {
  const where = line === undefined ? path : `${path}:${line}`;
  return new ConfigError(null, [line === undefined ? { path: where, message } : { path: where, message, line }]);
}

export function loadConfigFile(path: string, readFile: ReadFile = nodeReadFile): LoadedConfig {
  let bytes: Uint8Array;
  try {
    bytes = readFile(path, MAX_CONFIG_BYTES);
  } catch (e) {
    const code = (e as { code?: string }).code ?? "EIO";
    const refusal = REFUSALS[code];
    if (refusal !== undefined) throw fileError(path, refusal);
    throw fileError(path, `cannot read: ${code} (${READ_ERRORS[code] ?? (e as Error).message})`);
  }
  const bad = invalidUtf8Offset(bytes);
  if (bad >= 0) {
    const line = countLines(bytes, bad);
    const byte = (bytes[bad] ?? 0).toString(16).padStart(2, "0");
    throw fileError(path, `invalid UTF-8 at byte ${bad} (0x${byte})`, line);
  }
  // A leading BOM is legal UTF-8 but not TOML; editors on some systems write one.
  const text = new TextDecoder("utf-8", { ignoreBOM: false }).decode(bytes);
  try {
    // Loaded on first use (~1.4 ms with its dependencies); flag-only runs never need it.
    // Only the string parser: the package's index also loads its stream parser and node:stream.
    const parse: (toml: string) => unknown = require("@iarna/toml/parse-string.js");
    return { raw: parse(text) as Record<string, unknown>, text };
  } catch (e) {
    const err = e as { message?: string; line?: number; col?: number };
    const first = String(err.message ?? e).split("\n")[0] ?? "";
    // @iarna/toml appends "at row R, col C, pos P:" and a snippet; keep the sentence only.
    const message = first.replace(/ at row \d+, col \d+, pos \d+:?$/, "");
    const line = typeof err.line === "number" ? err.line + 1 : undefined; // parser lines are 0-based
    const col = typeof err.col === "number" ? ` (column ${err.col + 1})` : "";
    throw fileError(path, `${message}${col}`, line);
  }
}

function countLines(b: Uint8Array, end: number): number {
  let line = 1;
  for (let i = 0; i < end; i++) if (b[i] === 0x0a) line++;
  return line;
}
