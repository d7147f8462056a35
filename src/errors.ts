// Cross-stage: one error hierarchy, rendered once by main.ts as
// "what (on what) [where]: ERRNO (text) — hint".
import { errnoName, errnoText, hintFor } from "./errno.ts";

export const EXIT_USAGE = 2;
export const EXIT_SETUP = 255;
/** The command's execve failed, as env(1), chroot(1) and the shells exit: not found… */
export const EXIT_NOT_FOUND = 127;
/** …or found but not executable (EACCES, ENOEXEC, …). */
export const EXIT_CANNOT_EXECUTE = 126;
const ENOENT = 2;
const ENOTDIR = 20;

/** nsjail's exit code when the command's own execve failed with `errno`. */
export function commandExitCode(errno: number): number {
  return errno === ENOENT || errno === ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE;
}

export class JailError extends Error {
  readonly exitCode: number = EXIT_SETUP;
}

export interface ConfigIssue {
  /** Key path such as `uid_map[1]` or `--uid`. */
  readonly path: string;
  readonly message: string;
  /** 1-based line in `file`, when the key could be found there. */
  readonly line?: number;
  /** The value came from the command line, not the file: no file name in front. */
  readonly cli?: boolean;
}

/** Every problem of one config at once, each with its key path (and line when known). */
export class ConfigError extends JailError {
  override readonly exitCode = EXIT_USAGE;
  constructor(
    readonly file: string | null,
    readonly issues: readonly ConfigIssue[],
    /** Issues past those listed, counted but not kept. */
    readonly omitted = 0,
  ) {
    const more = omitted > 0 ? [`… and ${omitted} more problem${omitted === 1 ? "" : "s"}`] : [];
    super([...issues.map((i) => formatIssue(file, i)), ...more].join("\n"));
  }
}

function formatIssue(file: string | null, issue: ConfigIssue): string {
  const where = file === null || issue.cli ? "" : issue.line === undefined ? `${printable(file)}: ` : `${printable(file)}:${issue.line}: `;
  return `${where}${cut(printable(issue.path), MAX_PATH)}: ${printable(issue.message)}`;
}

/** Bad command line: exit 2 like every other usage error. */
export class UsageError extends JailError {
  override readonly exitCode = EXIT_USAGE;
}

function errnoSuffix(call: string, errno: number): string {
  const hint = hintFor(call, errno);
  return `${errnoName(errno)} (${errnoText(errno)})${hint ? ` — ${hint}` : ""}`;
}

/** A parent-side syscall failed. */
export class SyscallError extends JailError {
  constructor(
    readonly syscall: string,
    readonly errno: number,
    readonly target = "",
    options?: ErrorOptions,
  ) {
    super(`${syscall}${target ? ` ${target}` : ""}: ${errnoSuffix(syscall, errno)}`, options);
  }
}

/** A raw syscall's result: the value, or a SyscallError for `-errno`. */
export function checkRc(call: string, rc: number, target = ""): number {
  if (rc < 0) throw new SyscallError(call, -rc, target);
  return rc;
}

/** A child-side op failed; decoded from a status record. `reason` replaces the errno words
 * when the failure is no errno (a program an exec hook ran exited non-zero). */
export class SetupError extends JailError {
  override readonly exitCode: number;
  constructor(
    readonly op: string,
    readonly description: string,
    readonly origin: string,
    readonly errno: number,
    reason?: string,
    exitCode = EXIT_SETUP,
  ) {
    super(`${description} [${origin}]: ${reason ?? errnoSuffix(op, errno)}`);
    this.exitCode = exitCode;
  }
}

/** Render an error and its cause chain once, one line per link (a ConfigError has one per
 * issue). Control characters are escaped and long lines cut, so nothing a user wrote can
 * drive the terminal or flood it. */
export function renderError(err: unknown): string {
  const lines: string[] = [];
  for (let e: unknown = err; e !== undefined && e !== null; e = (e as { cause?: unknown }).cause) {
    const text = e instanceof ConfigError ? e.message : printable(e instanceof Error ? e.message : String(e));
    lines.push(text.split("\n").map((l) => cut(l, MAX_LINE)).join("\n"));
    if (!(e instanceof Error)) break;
  }
  return lines.join("\n  caused by: ");
}

/** A config key path longer than this is cut: a hostile key can be a megabyte. */
const MAX_PATH = 80;
/** A rendered line longer than this loses its middle, where the user's values sit; what failed
 * (the start) and the errno (the end) stay. */
const MAX_LINE = 400;
const ELLIPSIS = "…";
/** How sys/bytes.ts carries a byte 0x80–0xFF that is not UTF-8: U+DC80–U+DCFF. */
const BYTE_ESCAPE_FIRST = 0xdc80;
const BYTE_ESCAPE_LAST = 0xdcff;

/**
 * `text` safe for a terminal: C0 and C1 controls, DEL and bidirectional overrides as `\xNN` or
 * `\uNNNN`, and the escapes of invalid UTF-8 bytes (U+DC80–U+DCFF, see sys/bytes.ts) as the
 * byte they stand for, `\xNN`.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ud800-\udfff]/gu, (c) => {
    const code = c.codePointAt(0)!;
    if (code <= 0xff) return `\\x${code.toString(16).padStart(2, "0")}`;
    if (code >= BYTE_ESCAPE_FIRST && code <= BYTE_ESCAPE_LAST) return `\\x${(code & 0xff).toString(16)}`;
    return `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.ceil((max - ELLIPSIS.length) * 0.6);
  return `${text.slice(0, head)}${ELLIPSIS}${text.slice(text.length - (max - ELLIPSIS.length - head))}`;
}
