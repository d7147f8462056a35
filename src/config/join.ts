// Stage 1 (config): `nsjail join`'s command line → a validated JoinRequest, every problem
// reported at once under its flag, as a jail's config is.
import { ConfigError, type ConfigIssue } from "../errors.ts";
import { byteLength } from "../sys/bytes.ts";
import { describe, expectArray, expectCString, expectInt, type Report } from "./expect.ts";
import { LOG_LEVELS, type LogLevel, type Namespace } from "./model.ts";
import { readNamespace } from "./schema/ns.ts";

/** sun_path holds 108 bytes with the terminating NUL. */
const SUN_PATH_MAX = 107;
/** --wait is for a jail that is about to start, not a daemon waiting a day. */
const WAIT_MAX = 3600;
const PID_MAX = 0x3fffff;
export const DEFAULT_JOIN_COMMAND = ["/bin/sh"] as const;

export interface JoinRequest {
  /** A setns socket, or a process of the jail. */
  readonly target: { readonly socket: string } | { readonly pid: number };
  /** Enter only these (`--ns`), or null: everything the jail offers. */
  readonly only: ReadonlySet<Namespace> | null;
  /** Seconds to retry while the socket does not exist or nobody listens on it yet. */
  readonly waitSeconds: number;
  readonly command: readonly string[];
  readonly dryRun: boolean;
  readonly logLevel: LogLevel;
}

export interface JoinArgs {
  readonly socket?: string;
  readonly pid?: string;
  readonly ns?: readonly string[];
  readonly wait?: string;
  readonly dryRun?: boolean;
  readonly logLevel?: string;
  readonly command: readonly string[];
}

const asInt = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v.trim()) ? Number(v) : v);

function readTarget(args: JoinArgs, report: Report): JoinRequest["target"] | undefined {
  if ((args.socket === undefined) === (args.pid === undefined)) {
    report("join", "give either SOCKET or --pid PID");
    return undefined;
  }
  if (args.pid !== undefined) {
    const pid = expectInt(asInt(args.pid), "--pid", report, 1, PID_MAX);
    return pid === undefined ? undefined : { pid };
  }
  const socket = expectCString(args.socket, "SOCKET", report);
  if (socket === undefined) return undefined;
  const bytes = byteLength(socket);
  if (bytes === 0 || bytes > SUN_PATH_MAX) report("SOCKET", `must be 1 to ${SUN_PATH_MAX} bytes long, got ${bytes}`);
  return bytes === 0 || bytes > SUN_PATH_MAX ? undefined : { socket };
}

function readLogLevel(v: string | undefined, report: Report): LogLevel | undefined {
  if (v === undefined) return "info";
  if ((LOG_LEVELS as readonly string[]).includes(v)) return v as LogLevel;
  report("--log-level", `expected one of ${LOG_LEVELS.join(", ")}, got ${describe(v)}`);
  return undefined;
}

/** Throws ConfigError (exit 2) listing every problem. */
export function resolveJoinRequest(args: JoinArgs): JoinRequest {
  const issues: ConfigIssue[] = [];
  const report: Report = (path, message) => void issues.push({ path, message, cli: true });
  const target = readTarget(args, report);
  const words = args.ns?.flatMap((w) => w.split(",")).map((w) => w.trim()).filter((w) => w !== "");
  const only = words === undefined ? null : expectArray(words, "--ns", report, (n, p) => readNamespace(n, p, report));
  const waitSeconds = args.wait === undefined ? 0 : expectInt(asInt(args.wait), "--wait", report, 0, WAIT_MAX);
  if (args.wait !== undefined && args.pid !== undefined) report("--wait", "only with a SOCKET: a pid is there or not");
  const command = args.command.length === 0 ? [...DEFAULT_JOIN_COMMAND] : expectArray(args.command, "COMMAND", report, (w, p) => expectCString(w, p, report));
  const logLevel = readLogLevel(args.logLevel, report);
  if (only !== null && only?.length === 0) report("--ns", "names no namespace");
  if (issues.length > 0 || target === undefined || only === undefined || waitSeconds === undefined || command === undefined || logLevel === undefined) {
    throw new ConfigError(null, issues);
  }
  return { target, only: only === null ? null : new Set(only), waitSeconds, command, dryRun: args.dryRun === true, logLevel };
}
