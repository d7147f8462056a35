// Cross-stage: one error hierarchy, rendered once by main.ts as
// "what (on what) [where]: ERRNO (text) — hint".
import { errnoName, errnoText, hintFor } from "./sys/errno.ts";

export const EXIT_USAGE = 2;
export const EXIT_SETUP = 255;

export class JailError extends Error {
  readonly exitCode: number = EXIT_SETUP;
}

export interface ConfigIssue {
  /** Key path such as `uid_map[1]` or `--uid`. */
  readonly path: string;
  readonly message: string;
  /** 1-based line in `file`, when the key could be found there. */
  readonly line?: number;
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

export function formatIssue(file: string | null, issue: ConfigIssue): string {
  const where = file === null ? "" : issue.line === undefined ? `${file}: ` : `${file}:${issue.line}: `;
  return `${where}${issue.path}: ${issue.message}`;
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

/** A child-side op failed; decoded from a status record. */
export class SetupError extends JailError {
  constructor(
    readonly op: string,
    readonly description: string,
    readonly origin: string,
    readonly errno: number,
  ) {
    super(`${description} [${origin}]: ${errnoSuffix(op, errno)}`);
  }
}

/** Render an error and its cause chain once, one line per link. */
export function renderError(err: unknown): string {
  const lines: string[] = [];
  for (let e: unknown = err; e !== undefined && e !== null; e = (e as { cause?: unknown }).cause) {
    lines.push(e instanceof Error ? e.message : String(e));
    if (!(e instanceof Error)) break;
  }
  return lines.join("\n  caused by: ");
}
