// Stage 1 (config): one reader per schema key: a raw TOML/CLI value → its typed value, or
// undefined after reporting issues. Cross-field checks live in rules.ts, defaults in validate.ts.
import { NAMESPACES, type IdMap, type LogLevel, type Namespace } from "./model.ts";
import type { ConfigKey } from "./schema.ts";
import { CAPABILITIES, capName, capNumber } from "./capabilities.ts";
import { describe, expectArray, expectBool, expectCString, expectInt, type Report } from "./expect.ts";
import { parseEnvEntry, parseEnvName } from "./env.ts";
import { MAX_ID, parseIdMap } from "./idmap.ts";
import { didYouMean } from "./suggest.ts";
import type { HostFacts } from "./host.ts";

/** The typed value of every key, before defaults. */
export interface Fields {
  command: string[];
  unshare: Namespace[];
  uid: number;
  gid: number;
  uid_map: IdMap[];
  gid_map: IdMap[];
  hostname: string;
  domainname: string;
  chdir: string;
  env: [string, string][];
  keep_env: string[];
  time_limit: number;
  as_pid_1: boolean;
  exec: boolean;
  pass_fd: number[];
  cap: number[];
  log_level: LogLevel;
}

export interface ReadContext {
  readonly report: Report;
  readonly host: HostFacts;
}

type Reader<T> = (v: unknown, path: string, ctx: ReadContext) => T | undefined;

const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];
/** sethostname(2)/setdomainname(2) reject more than __NEW_UTS_LEN bytes. */
const UTS_MAX = 64;
/** setTimeout() fires at once for delays ≥ 2^31 ms, so longer limits are refused here. */
export const TIME_LIMIT_MAX = Math.floor(0x7fff_ffff / 1000);
const FD_MAX = 0x7fff_ffff;

const readArgv: Reader<string[]> = (v, path, { report }) =>
  expectArray(v, path, report, (item, p) => expectCString(item, p, report));

function readNamespace(v: unknown, path: string, report: Report): Namespace | undefined {
  const s = expectCString(v, path, report);
  if (s === undefined) return undefined;
  const name = s === "mnt" ? "fs" : s; // nsjail and clone(2) call it mnt; we call it fs
  if ((NAMESPACES as readonly string[]).includes(name)) return name as Namespace;
  const hint = didYouMean(s, NAMESPACES) || ` (expected one of ${NAMESPACES.join(", ")})`;
  report(path, `unknown namespace ${describe(s)}${hint}`);
  return undefined;
}

function idReader(kind: "user" | "group"): Reader<number> {
  return (v, path, { report, host }) => {
    if (typeof v !== "string") return expectInt(v, path, report, 0, MAX_ID);
    // Digits are an id even when quoted, so `--uid 1000` and `uid = "1000"` both work.
    if (/^\d+$/.test(v)) return expectInt(Number(v), path, report, 0, MAX_ID);
    const id = v === "" ? null : kind === "user" ? host.lookupUser(v) : host.lookupGroup(v);
    if (id === null) report(path, `no ${kind} named ${describe(v)} on this host`);
    return id ?? undefined;
  };
}

function utsName(v: unknown, path: string, { report }: ReadContext): string | undefined {
  const s = expectCString(v, path, report);
  if (s === undefined) return undefined;
  const bytes = new TextEncoder().encode(s).length;
  if (bytes >= 1 && bytes <= UTS_MAX) return s;
  report(path, `must be 1 to ${UTS_MAX} bytes long, got ${bytes}`);
  return undefined;
}

function readCap(v: unknown, path: string, { report, host }: ReadContext): number | undefined {
  const s = expectCString(v, path, report);
  if (s === undefined) return undefined;
  const n = capNumber(s);
  if (n === null) {
    const full = s.toUpperCase().startsWith("CAP_") ? s.toUpperCase() : `CAP_${s.toUpperCase()}`;
    report(path, `unknown capability ${describe(s)}${didYouMean(full, CAPABILITIES)}`);
    return undefined;
  }
  if (n > host.capLastCap) {
    report(path, `${capName(n)} (${n}) is not known to this kernel (cap_last_cap is ${host.capLastCap})`);
    return undefined;
  }
  return n;
}

export const READERS: { readonly [K in ConfigKey]: Reader<Fields[K]> } = {
  command: readArgv,
  unshare: (v, path, { report }) => expectArray(v, path, report, (item, p) => readNamespace(item, p, report)),
  uid: idReader("user"),
  gid: idReader("group"),
  uid_map: (v, path, { report }) => expectArray(v, path, report, (item, p) => parseIdMap(item, p, report)),
  gid_map: (v, path, { report }) => expectArray(v, path, report, (item, p) => parseIdMap(item, p, report)),
  hostname: utsName,
  domainname: utsName,
  chdir: (v, path, { report }) => {
    const s = expectCString(v, path, report);
    if (s === undefined || s.startsWith("/")) return s;
    report(path, `must be an absolute path, got ${describe(s)}`);
    return undefined;
  },
  env: (v, path, { report }) => expectArray(v, path, report, (item, p) => parseEnvEntry(item, p, report)),
  keep_env: (v, path, { report }) => expectArray(v, path, report, (item, p) => parseEnvName(item, p, report)),
  time_limit: (v, path, { report }) => expectInt(v, path, report, 0, TIME_LIMIT_MAX),
  as_pid_1: (v, path, { report }) => expectBool(v, path, report),
  exec: (v, path, { report }) => expectBool(v, path, report),
  pass_fd: (v, path, { report }) => expectArray(v, path, report, (item, p) => expectInt(item, p, report, 3, FD_MAX)),
  cap: (v, path, ctx) => expectArray(v, path, ctx.report, (item, p) => readCap(item, p, ctx)),
  log_level: (v, path, { report }) => {
    const s = expectCString(v, path, report);
    if (s === undefined || (LOG_LEVELS as readonly string[]).includes(s)) return s as LogLevel | undefined;
    report(path, `expected one of ${LOG_LEVELS.join(", ")}, got ${describe(s)}${didYouMean(s, LOG_LEVELS)}`);
    return undefined;
  },
};
